# Python breakpoints in gdb: the gdb half of cpydbg's agent.
#
# The core (libcpydbg-gdb.so) keeps the breakpoints, writes them into the
# agent inside the process and prints every stop (pywhere). This module does
# what only gdb can: the native breakpoints on the agent's functions, getting
# the agent into the process (LD_PRELOAD for a program gdb starts, a call at
# a safe point for one it attached to), and resuming for the step commands.
#
# gdb 13 cannot call functions in the process here ("Couldn't write extended
# state status: Bad address"), so a call is made by hand with general
# registers only, from a breakpoint's stop() method: save the registers,
# point $rip at the function with a return address on which another
# breakpoint waits, and let the thread run; that breakpoint reads $rax and
# puts the registers back. Nothing waits for the call: the process runs on,
# so a lock another thread holds is released as usual and gdb never hangs.
# Calls start only at the exact entry of a safe point (a function entered
# with the GIL held), where no vector register holds anything the thread
# still needs: gdb could not put those back.
import ctypes
import struct

import gdb

_GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
         "r12", "r13", "r14", "r15", "rip", "eflags", "orig_rax")
_RED_ZONE = 128      # the System V ABI's: the interrupted code may keep data below $rsp
_SCRATCH = 4096      # our stack room below it: the library path, then the call's frames
_RTLD_NOW = 2
_AT_ENTRY = 9        # auxv: the program's entry point, never run again once started

_WATCH, _PRELOAD, _ARM, _RESUME = 1, 2, 4, 8
_CALL_NONE, _CALL_LOAD, _CALL_ACTIVATE = 0, 1, 2


def _entry_point(pid):
    """The running program's entry point (_start), from its auxiliary vector."""
    with open("/proc/%d/auxv" % pid, "rb") as f:
        data = f.read()
    for key, value in struct.iter_unpack("<QQ", data[: len(data) // 16 * 16]):
        if key == _AT_ENTRY:
            return value
    return None


class _Breakpoint(gdb.Breakpoint):
    """An internal breakpoint that hands its stops to one function."""

    def __init__(self, spec, on_stop, silent=False):
        super().__init__(spec, internal=True)
        self.silent = silent
        self._on_stop = on_stop

    def stop(self):
        try:
            return self._on_stop()
        except (gdb.error, gdb.MemoryError, OSError) as e:
            gdb.write("cpydbg: %s\n" % e, gdb.STDERR)
            return False


def _write_registers(values):
    """Set registers of the stopped thread's innermost frame. `set $reg`
    writes into the *selected* frame, which in a stop() method may still be
    an outer frame of an earlier stop (there $rip is a return address on the
    stack): select the innermost one first, and check that $rip and $rsp
    (what decides where the thread goes) hold what was written."""
    gdb.newest_frame().select()
    for reg, value in values:
        gdb.execute("set $%s = %d" % (reg, value))
    frame = gdb.newest_frame()
    for reg, value in values:
        if reg in ("rip", "rsp") and int(frame.read_register(reg)) != value:
            raise gdb.error("could not set $%s of the stopped thread" % reg)


class _Call:
    """A call in flight in one thread: the registers to put back."""

    def __init__(self, kind, ptid, saved):
        self.kind, self.ptid, self.saved = kind, ptid, saved


class Agent:
    def __init__(self, lib, session_of, run_command, agent_path, bump):
        self._lib = lib
        self._session_of = session_of    # () -> the core session of the selected inferior
        self._run_command = run_command  # (name, args) -> (ok, text), through the core
        self._path = agent_path
        self._bump = bump                # the process ran: the core's caches are stale
        self._hit = None                 # on cpydbg_agent_hit: a Python stop
        self._safe_points = []           # at the entries of the safe points, while armed
        self._pad = None                 # the return address of our calls
        self._armed = False              # the agent must be loaded or activated
        self._wanted = False             # Python breakpoints exist
        self._call = None
        self._events = [(gdb.events.stop, self._on_stop), (gdb.events.new_objfile, self._on_new_objfile),
                        (gdb.events.exited, self._on_exit), (gdb.events.gdb_exiting, self._on_gdb_exiting)]
        for registry, handler in self._events:
            registry.connect(handler)
        # Before `detach`, the process gets an empty request: the agent then
        # removes its trace function, and the process runs as before.
        gdb.execute("define hook-detach\npython _cpydbg_agent.release()\nend", to_string=True)

    def close(self):
        """Undo __init__ (cpydbg.py sourced again makes a new Agent)."""
        for registry, handler in self._events:
            registry.disconnect(handler)
        for bp in self._safe_points + [self._pad, self._hit]:
            if bp is not None and bp.is_valid():
                bp.delete()

    # ---- after each command ----

    def after_command(self, session):
        needs = self._lib.cpydbg_agent_needs(session)
        self._wanted = bool(needs & _WATCH)
        if needs & _WATCH:
            self._watch()
        if needs & _PRELOAD:
            self._preload()
        if needs & (_PRELOAD | _ARM):
            self._armed = True
            self._place_safe_points()
        if needs & _RESUME:
            gdb.execute("continue")

    def _watch(self):
        """The breakpoint on cpydbg_agent_hit, once the agent is mapped (a
        pending one would have gdb say the function is not defined)."""
        if self._hit is None and any(o.filename and o.filename.endswith("/libcpydbg-agent.so")
                                     for o in gdb.objfiles()):
            self._hit = _Breakpoint("cpydbg_agent_hit", lambda: True, silent=True)

    def release(self):
        """Clear the agent's request in a live process (before detach or quit)."""
        inf = gdb.selected_inferior()
        if inf.pid > 0 and self._wanted:
            self._lib.cpydbg_agent_release(self._session_of())

    def _preload(self):
        """LD_PRELOAD the agent into the program gdb starts next (only it: gdb's
        own environment stays as it is). The agent takes itself out of the
        variable again once it is in a Python process."""
        shown = gdb.execute("show environment LD_PRELOAD", to_string=True).strip()
        current = shown.split(" = ", 1)[1] if " = " in shown else ""
        if self._path in current.replace(":", " ").split():
            return
        value = self._path + (":" + current if current else "")
        gdb.execute("set environment LD_PRELOAD %s" % value)

    # ---- safe points ----

    def _place_safe_points(self):
        """Break at the safe points of a live process (their exact entries:
        addresses from the core's symbol tables, read once the libraries are
        mapped). Until then new_objfile tries again."""
        inf = gdb.selected_inferior()
        if self._safe_points or inf.pid <= 0:
            return
        session = self._session_of()
        addrs = (ctypes.c_uint64 * 8)()
        n = self._lib.cpydbg_agent_safe_points(session, addrs, 8)
        pad = _entry_point(inf.pid)
        if not n or pad is None:
            return
        self._pad = _Breakpoint("*%#x" % pad, self._call_returned)
        self._safe_points = [_Breakpoint("*%#x" % addrs[i], self._at_safe_point) for i in range(n)]

    def _disarm(self):
        self._armed = False
        points, pad = self._safe_points, self._pad
        self._safe_points, self._pad = [], None
        # Breakpoints cannot be deleted from a stop() method: right after it.
        gdb.post_event(lambda: [bp.delete() for bp in points + [pad] if bp and bp.is_valid()])

    def _at_safe_point(self):
        if not self._armed or self._call is not None:
            return False
        self._bump()
        function = ctypes.c_uint64(0)
        kind = self._lib.cpydbg_agent_next_call(self._session_of(), ctypes.byref(function))
        if kind == _CALL_NONE:
            self._disarm()
            return False
        frame = gdb.newest_frame()
        saved = {r: int(frame.read_register(r)) for r in _GPRS}
        self._call = _Call(kind, gdb.selected_thread().ptid, saved)
        self._redirect(kind, function.value)
        return False

    def _redirect(self, kind, function):
        """Send the stopped thread into `function` (dlopen of the agent for a
        load), returning to the pad, on fresh stack below its red zone."""
        saved = self._call.saved
        inf = gdb.selected_inferior()
        base = (saved["rsp"] - _RED_ZONE - _SCRATCH) & ~15
        args = []
        if kind == _CALL_LOAD:
            path = self._path.encode() + b"\0"
            inf.write_memory(base, path)
            args = [base, _RTLD_NOW]
            function = int(gdb.parse_and_eval("(unsigned long)&dlopen"))
        sp = base - 16 - 8  # 16-byte aligned before the call pushed its return address
        inf.write_memory(sp, struct.pack("<Q", int(self._pad.location.lstrip("*"), 16)))
        self._call.kind = kind
        # orig_rax -1: the kernel must not restart a system call the thread
        # was in at our new $rip; putting the saved one back restarts it.
        values = list(zip(("rdi", "rsi"), args)) + [("rax", 0), ("rsp", sp), ("orig_rax", -1),
                                                     ("rip", function)]
        try:
            _write_registers(values)
        except gdb.error:
            self._finish_call(disarm=False)  # the thread goes on as it was; a later safe point tries again
            raise

    def _call_returned(self):
        call = self._call
        if call is None or gdb.selected_thread().ptid != call.ptid:
            return False
        result = int(gdb.newest_frame().read_register("rax"))
        self._bump()
        if call.kind == _CALL_LOAD:
            if result == 0:
                gdb.write("cpydbg: the process could not load %s; Python breakpoints stay pending\n"
                          % self._path, gdb.STDERR)
                self._finish_call(disarm=True)
                return False
            function = ctypes.c_uint64(0)
            if self._lib.cpydbg_agent_next_call(self._session_of(), ctypes.byref(function)) == _CALL_ACTIVATE:
                self._redirect(_CALL_ACTIVATE, function.value)  # on from the same safe point
                return False
        # Activated (1), nothing to trace (0): done. -1: the thread did not
        # hold the GIL after all; the next safe point tries again.
        self._finish_call(disarm=call.kind != _CALL_ACTIVATE or result != -1)
        return False

    def _finish_call(self, disarm):
        saved = self._call.saved
        self._call = None
        # orig_rax last: writing $rip may reset it.
        _write_registers([(r, v) for r, v in saved.items() if r != "orig_rax"] +
                         [("orig_rax", saved["orig_rax"])])
        if disarm:
            self._disarm()

    # ---- events ----

    def _on_stop(self, event):
        if self._hit is not None and isinstance(event, gdb.BreakpointEvent) and \
                self._hit in event.breakpoints:
            ok, text = self._run_command("pywhere", "")
            gdb.write(text, gdb.STDOUT if ok else gdb.STDERR)

    def _on_gdb_exiting(self, _event):
        self.release()

    def _on_new_objfile(self, _event):
        if self._wanted:
            self._watch()
        if self._armed:
            self._place_safe_points()

    def _on_exit(self, _event):
        # The next run is a new process: its own safe points, armed again.
        for bp in self._safe_points + [self._pad]:
            if bp is not None and bp.is_valid():
                bp.delete()
        self._safe_points, self._pad, self._call = [], None, None
        self._armed = self._wanted

