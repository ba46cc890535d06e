# cpydbg for gdb: `source <prefix>/share/cpydbg/gdb/cpydbg.py`.
# Registers pystack, pyobj, pyopstack, ... as gdb commands, and the
# pretty-printers of cpydbg_printers.py. All Python knowledge lives in
# libcpydbg-gdb.so; this shim only adapts gdb to it.
import ctypes
import importlib.util
import json
import os
import re
import sys

import gdb

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, _HERE)
import cpydbg_frames  # noqa: E402
import cpydbg_printers  # noqa: E402
_LIB = ctypes.CDLL(os.path.join(_HERE, "..", "..", "..", "lib", "cpydbg", "libcpydbg-gdb.so"))

_READ = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64)
_SYMBOL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64))
_THREAD = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64))
_EVAL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64), ctypes.c_void_p, ctypes.c_uint64)
_GEN = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)
_MODULES = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64)
_MAPPINGS = _MODULES
_U64P = ctypes.POINTER(ctypes.c_uint64)
_LWPS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _U64P, ctypes.c_uint64, _U64P)
_NATIVE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, _U64P, ctypes.c_void_p,
                           ctypes.c_uint64, ctypes.c_uint64, _U64P)
_FRAMEVALS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, _U64P, ctypes.c_uint64,
                              ctypes.c_char_p, _U64P, ctypes.POINTER(ctypes.c_uint8))
_SELECT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64)
_SELECTED = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _U64P)
_SELECTED_REGS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _U64P, _U64P)
_WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64)
_KIND = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class _Callbacks(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("read_memory", _READ), ("lookup_symbol", _SYMBOL),
                ("selected_thread", _THREAD), ("evaluate", _EVAL), ("generation", _GEN),
                ("module_paths", _MODULES), ("core_mappings", _MAPPINGS),
                ("thread_lwps", _LWPS), ("native_frames", _NATIVE), ("frame_values", _FRAMEVALS),
                ("select_frame", _SELECT), ("selected_frame_level", _SELECTED),
                ("write_memory", _WRITE), ("process_kind", _KIND), ("core_file", _MODULES),
                ("debug_file_directory", _MODULES), ("selected_frame_registers", _SELECTED_REGS)]


_LIB.cpydbg_open_after.restype = ctypes.c_void_p
_LIB.cpydbg_open_after.argtypes = [ctypes.POINTER(_Callbacks), ctypes.c_int64, ctypes.c_void_p]
_LIB.cpydbg_close.argtypes = [ctypes.c_void_p]
_LIB.cpydbg_execute.restype = ctypes.c_void_p
_LIB.cpydbg_execute.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
_LIB.cpydbg_commands_json.restype = ctypes.c_void_p
_LIB.cpydbg_python_frames_at.restype = ctypes.c_void_p
_LIB.cpydbg_python_frames_at.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
_LIB.cpydbg_free.argtypes = [ctypes.c_void_p]
_LIB.cpydbg_agent_needs.restype = ctypes.c_uint32
_LIB.cpydbg_agent_needs.argtypes = [ctypes.c_void_p]
_LIB.cpydbg_agent_release.argtypes = [ctypes.c_void_p]
_LIB.cpydbg_agent_next_call.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]
_LIB.cpydbg_agent_safe_points.restype = ctypes.c_uint64
_LIB.cpydbg_agent_safe_points.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64), ctypes.c_uint64]

_stops = [0]  # bumped whenever the inferior may have run


def _bump(*_):
    _stops[0] += 1


gdb.events.cont.connect(_bump)
gdb.events.stop.connect(_bump)
gdb.events.new_objfile.connect(_bump)


@_READ
def _read(_ctx, addr, buf, size):
    try:
        data = gdb.selected_inferior().read_memory(addr, size)
        ctypes.memmove(buf, bytes(data), size)
        return 1
    except (gdb.error, gdb.MemoryError, OverflowError):
        return 0


@_SYMBOL
def _symbol(_ctx, name, out):
    try:
        out[0] = int(gdb.parse_and_eval("(unsigned long)&'%s'" % name.decode()))
        return 1
    except gdb.error:
        return 0


@_THREAD
def _thread(_ctx, lwp, pthread):
    t = gdb.selected_thread()
    if t is None:
        return 0
    lwp[0] = t.ptid[1]
    try:
        pthread[0] = int.from_bytes(bytes(t.handle()), "little")
    except (gdb.error, AttributeError):
        pthread[0] = 0
    return 1


@_EVAL
def _evaluate(_ctx, expr, out, err, err_size):
    try:
        out[0] = int(gdb.parse_and_eval(expr.decode()).cast(gdb.lookup_type("unsigned long")))
        return 1
    except gdb.error as e:
        ctypes.memmove(err, str(e).encode()[: err_size - 1] + b"\0", min(len(str(e).encode()) + 1, err_size))
        return 0


@_GEN
def _generation(_ctx):
    return _stops[0]


@_MODULES
def _module_paths(_ctx, buf, size):
    names = "\n".join(o.filename for o in gdb.objfiles() if o.filename).encode()[: size - 1] + b"\0"
    ctypes.memmove(buf, names, len(names))
    return 1


def _put_c_string(buf, size, data):
    """`data` NUL-terminated into the caller's `size`-byte buffer: 1, or 0
    when it does not fit."""
    if len(data) >= size:
        return 0
    ctypes.memmove(buf, data + b"\0", len(data) + 1)
    return 1


@_MAPPINGS
def _core_mappings(_ctx, buf, size):
    # `info proc mappings` of a core lists its NT_FILE note:
    # Start Addr, End Addr, Size, Offset, objfile (a live one adds Perms).
    try:
        text = gdb.execute("info proc mappings", to_string=True)
    except gdb.error:
        return 0
    lines = []
    for line in text.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[0].startswith("0x") and fields[4].startswith("/"):
            lines.append("%s %s %s %s" % (fields[0], fields[1], fields[3], fields[4]))
    return _put_c_string(buf, size, "\n".join(lines).encode())


def _thread_of(lwp):
    for t in gdb.selected_inferior().threads():
        if t.ptid[1] == lwp:
            return t
    return None


def _on_thread(lwp, work):
    """work(newest frame of thread lwp), the user's selection left as it was."""
    thread, selected = _thread_of(lwp), gdb.selected_thread()
    if thread is None:
        return None
    if thread == selected:
        try:
            return work(gdb.newest_frame())
        except gdb.error:
            return None
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    try:
        thread.switch()
        return work(gdb.newest_frame())
    except gdb.error:
        return None
    finally:
        selected.switch()
        if frame is not None and frame.is_valid():
            frame.select()


def _older(frame, limit):
    """frame and the ones that called it, at most `limit`."""
    n = 0
    while frame is not None and n < limit:
        yield frame
        n += 1
        try:
            frame = frame.older()
        except gdb.error:
            break


@_LWPS
def _thread_lwps(_ctx, lwps, max_n, n):
    threads = sorted(gdb.selected_inferior().threads(), key=lambda t: t.num)
    ids = [t.ptid[1] for t in threads][:max_n]
    for i, lwp in enumerate(ids):
        lwps[i] = lwp
    n[0] = len(ids)
    return 1


@_NATIVE
def _native_frames(_ctx, lwp, pcs, names, names_size, max_n, n):
    def walk(newest):
        found = []
        for frame in _older(newest, max_n):
            pcs[len(found)] = frame.pc()
            inlined = "1" if frame.type() == gdb.INLINE_FRAME else "0"
            found.append(inlined + (frame.name() or ""))
        return found
    found = _on_thread(lwp, walk)
    if found is None:
        return 0
    text = "\n".join(found).encode("utf-8", "replace")[: names_size - 1]
    ctypes.memmove(names, text + b"\0", len(text) + 1)
    n[0] = len(found)
    return 1


@_FRAMEVALS
def _frame_values(_ctx, lwp, levels, n_levels, names, values, valid):
    names = names.decode().split("\n")
    wanted = {levels[i]: i for i in range(n_levels)}
    ulong = gdb.lookup_type("unsigned long")

    def read(newest):
        for level, frame in enumerate(_older(newest, max(wanted) + 1 if wanted else 0)):
            if level not in wanted:
                continue
            for k, name in enumerate(names):
                slot = wanted[level] * len(names) + k
                valid[slot] = 0
                try:
                    v = frame.read_var(name)
                    if not v.is_optimized_out:
                        values[slot] = int(v.cast(ulong))
                        valid[slot] = 1
                except (gdb.error, ValueError):
                    pass
        return True
    return 1 if _on_thread(lwp, read) else 0


@_SELECT
def _select_frame(_ctx, level):
    try:
        for i, frame in enumerate(_older(gdb.newest_frame(), level + 1)):
            if i == level:
                frame.select()
                return 1
    except gdb.error:
        pass
    return 0


@_SELECTED
def _selected_frame_level(_ctx, level):
    try:
        level[0] = gdb.selected_frame().level()
        return 1
    except gdb.error:
        return 0


@_SELECTED_REGS
def _selected_frame_registers(_ctx, pc, sp):
    # $pc and $sp of the selected frame, which gdb reads without building
    # the frame's identity (gdb.selected_frame() does: see the core).
    try:
        pc[0] = int(gdb.parse_and_eval("$pc"))
        sp[0] = int(gdb.parse_and_eval("$sp"))
        return 1
    except (gdb.error, OverflowError):
        return 0


@_WRITE
def _write(_ctx, addr, buf, size):
    try:
        gdb.selected_inferior().write_memory(addr, ctypes.string_at(buf, size))
        return 1
    except (gdb.error, gdb.MemoryError, OverflowError):
        return 0


@_KIND
def _process_kind(_ctx):
    return 2 if _is_core() else 0


@_MODULES
def _core_file(_ctx, buf, size):
    # gdb 13's Python does not name the core; `info files` does:
    # "Local core dump file:\n\t`/path/core', file type elf64-x86-64."
    try:
        text = gdb.execute("info files", to_string=True)
    except gdb.error:
        return 0
    match = re.search(r"Local core dump file:\s*`(.*)', file type", text)
    return _put_c_string(buf, size, match.group(1).encode()) if match and match.group(1) else 0


@_MODULES
def _debug_file_directory(_ctx, buf, size):
    try:
        return _put_c_string(buf, size, str(gdb.parameter("debug-file-directory")).encode())
    except (gdb.error, RuntimeError):
        return 0


_CALLBACKS = _Callbacks(None, _read, _symbol, _thread, _evaluate, _generation, _module_paths,
                        _core_mappings, _thread_lwps, _native_frames, _frame_values, _select_frame,
                        _selected_frame_level, _write, _process_kind, _core_file,
                        _debug_file_directory, _selected_frame_registers)
_sessions = {}  # (inferior number, pid, is a core) -> session handle
_latest = {}    # inferior number -> its newest session (its Python breakpoints go on)


def _session():
    inf = gdb.selected_inferior()
    # A core keeps its process's pid, which may now belong to another
    # process, or be that of the live session the core was written from.
    core = _is_core()
    key = (inf.num, inf.pid, core)
    if key not in _sessions:
        # A live process is read through /proc/<pid>/mem; a core through gdb.
        live = inf.pid > 0 and os.path.exists("/proc/%d/mem" % inf.pid) and not core
        _sessions[key] = _LIB.cpydbg_open_after(ctypes.byref(_CALLBACKS), inf.pid if live else 0,
                                                _latest.get(inf.num))
        _latest[inf.num] = _sessions[key]
    return _sessions[key]


def _is_core():
    connection = gdb.selected_inferior().connection  # what the inferior is read through
    return connection is not None and connection.type == "core"


def _take(ptr):
    text = ctypes.string_at(ptr).decode("utf-8", "replace")
    _LIB.cpydbg_free(ptr)
    return text


def _run(name, args):
    ok = ctypes.c_int(0)
    text = _take(_LIB.cpydbg_execute(_session(), name.encode(), args.encode(), ctypes.byref(ok)))
    return bool(ok.value), text


# Python breakpoints and stepping: the agent's gdb half (cpydbg_breakpoints.py).
_spec = importlib.util.spec_from_file_location("cpydbg_breakpoints", os.path.join(_HERE, "cpydbg_breakpoints.py"))
_breakpoints = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_breakpoints)
if "_cpydbg_agent" in globals():  # sourced again: one set of event handlers
    _cpydbg_agent.close()
_cpydbg_agent = _breakpoints.Agent(_LIB, _session, _run,
                                   os.path.normpath(os.path.join(_HERE, "..", "..", "..", "lib", "cpydbg",
                                                                 "libcpydbg-agent.so")),
                                   _bump)


class _Command(gdb.Command):
    def __init__(self, info):
        self.__doc__ = info["summary"] + "\n\n" + info["help"]
        self._name = info["name"]
        super().__init__(self._name, gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        ok, text = _run(self._name, arg)
        if not ok:
            raise gdb.GdbError(text.rstrip("\n"))
        gdb.write(text)
        _cpydbg_agent.after_command(_session())


for _info in json.loads(_take(_LIB.cpydbg_commands_json())):
    _Command(_info)


def _python_frames_at(level):
    return json.loads(_take(_LIB.cpydbg_python_frames_at(_session(), level)))


cpydbg_frames.register(_python_frames_at)
cpydbg_printers.register(_LIB, _session, _take)
