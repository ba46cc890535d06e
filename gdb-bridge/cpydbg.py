# cpydbg for gdb: `source <prefix>/share/cpydbg/gdb/cpydbg.py`.
# Registers pystack, pyobj, pyopstack, ... as gdb commands. All Python
# knowledge lives in libcpydbg-gdb.so; this shim only adapts gdb to it.
import ctypes
import json
import os

import gdb

_HERE = os.path.dirname(os.path.realpath(__file__))
_LIB = ctypes.CDLL(os.path.join(_HERE, "..", "..", "..", "lib", "cpydbg", "libcpydbg-gdb.so"))

_READ = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64)
_SYMBOL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64))
_THREAD = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64))
_EVAL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64), ctypes.c_void_p, ctypes.c_uint64)
_GEN = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)
_MODULES = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64)
_MAPPINGS = _MODULES
_FRAMEVALS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                              ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint8),
                              ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64))


class _Callbacks(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("read_memory", _READ), ("lookup_symbol", _SYMBOL),
                ("selected_thread", _THREAD), ("evaluate", _EVAL), ("generation", _GEN),
                ("module_paths", _MODULES), ("core_mappings", _MAPPINGS),
                ("frame_values", _FRAMEVALS)]


_LIB.cpydbg_open.restype = ctypes.c_void_p
_LIB.cpydbg_open.argtypes = [ctypes.POINTER(_Callbacks), ctypes.c_int64]
_LIB.cpydbg_close.argtypes = [ctypes.c_void_p]
_LIB.cpydbg_execute.restype = ctypes.c_void_p
_LIB.cpydbg_execute.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
_LIB.cpydbg_commands_json.restype = ctypes.c_void_p
_LIB.cpydbg_free.argtypes = [ctypes.c_void_p]

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
    data = "\n".join(lines).encode()
    if len(data) >= size:
        return 0
    ctypes.memmove(buf, data + b"\0", len(data) + 1)
    return 1


@_FRAMEVALS
def _frame_values(_ctx, function, names, values, valid, max_frames, n_frames):
    function, names = function.decode(), names.decode().split("\n")
    ulong = gdb.lookup_type("unsigned long")
    n = 0
    try:
        frame = gdb.newest_frame()
    except gdb.error:
        frame = None
    while frame is not None and n < max_frames:
        if frame.name() == function:
            for i, name in enumerate(names):
                k = n * len(names) + i
                valid[k] = 0
                try:
                    v = frame.read_var(name)
                    if not v.is_optimized_out:
                        values[k] = int(v.cast(ulong))
                        valid[k] = 1
                except (gdb.error, ValueError):
                    pass
            n += 1
        try:
            frame = frame.older()
        except gdb.error:
            break
    n_frames[0] = n
    return 1


_CALLBACKS = _Callbacks(None, _read, _symbol, _thread, _evaluate, _generation, _module_paths,
                        _core_mappings, _frame_values)
_sessions = {}  # inferior pid -> session handle


def _session():
    inf = gdb.selected_inferior()
    key = (inf.num, inf.pid)
    if key not in _sessions:
        # A live process is read through /proc/<pid>/mem; a core through gdb.
        # A core keeps its process's pid, which may now belong to another process.
        live = inf.pid > 0 and os.path.exists("/proc/%d/mem" % inf.pid) and not _is_core()
        _sessions[key] = _LIB.cpydbg_open(ctypes.byref(_CALLBACKS), inf.pid if live else 0)
    return _sessions[key]


def _is_core():
    try:
        return "Local core dump file" in gdb.execute("info target", to_string=True)
    except gdb.error:
        return False


def _take(ptr):
    text = ctypes.string_at(ptr).decode("utf-8", "replace")
    _LIB.cpydbg_free(ptr)
    return text


class _Command(gdb.Command):
    def __init__(self, info):
        self.__doc__ = info["summary"] + "\n\n" + info["help"]
        self._name = info["name"]
        super().__init__(self._name, gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        ok = ctypes.c_int(0)
        text = _take(_LIB.cpydbg_execute(_session(), self._name.encode(), arg.encode(), ctypes.byref(ok)))
        if not ok.value:
            raise gdb.GdbError(text.rstrip("\n"))
        gdb.write(text)


for _info in json.loads(_take(_LIB.cpydbg_commands_json())):
    _Command(_info)
