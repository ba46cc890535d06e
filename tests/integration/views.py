#!/usr/bin/env python3
"""The debugger's own views of Python values, against the truth the target wrote.

  views.py --install PREFIX --python SPEC [--lldb LLDB ...]

scenarios/views.py (an interpreter with DWARF: the views need the C types)
writes down the values it will pass to id() and what each must show, stops
itself, and is continued to a breakpoint on builtin_id once per value. gdb
(pretty-printers: print, info args, bt, bt full; `disable pretty-printer`)
and each LLDB (type summaries: frame variable, p, bt; `type category
disable cpydbg`) must show each value as written, live; then the process is
gcore'd at the last value and gdb and each LLDB must show it from the core.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import json
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gdb_backend  # noqa: E402
import interpreters  # noqa: E402
import lldb_backend  # noqa: E402

SCRIPT = os.path.join(HERE, "scenarios", "views.py")
# The value at which the commands look further (args, backtraces, off/on).
PROBED = "instance"


def current_frame_expr(version):
    """A C expression for the innermost _PyInterpreterFrame (3.11+), or None."""
    thread = "_PyRuntime.interpreters.head->threads.head"
    if version >= (3, 13):
        return thread + "->current_frame"
    if version >= (3, 11):
        return thread + "->cframe->current_frame"
    return None


class Debugger(object):
    """One debugger's commands and the shape of their answers."""

    def __init__(self, name, print_value, show_var, off, on, cont, breakpoint, extra):
        self.name, self.print_value, self.show_var = name, print_value, show_var
        self.off, self.on, self.cont, self.breakpoint, self.extra = off, on, cont, breakpoint, extra


GDB = Debugger("gdb", print_value=r"^\$\d+ = (?P<view>.*)\n$", show_var="print v",
               off="disable pretty-printer global cpydbg", on="enable pretty-printer global cpydbg",
               cont="continue", breakpoint="break builtin_id", extra=["info args", "bt 1", "bt full 1"])
LLDB = Debugger("lldb", print_value=r"^\((?:struct )?\w+ \*\) (?:\$\d+ = |v = )?0x[0-9a-f]+ (?P<view>.*)\n$",
                show_var="frame variable v", off="type category disable cpydbg",
                on="type category enable cpydbg", cont="process continue",
                breakpoint="breakpoint set -n builtin_id", extra=["bt 1"])


def live_commands(d, truth):
    """(command, what to check) for a live run: every value, then the extras."""
    version = tuple(truth["version_info"])
    steps = [(d.breakpoint, None), (d.cont, None)]
    iframe = current_frame_expr(version)
    for i, value in enumerate(truth["values"]):
        steps.append((d.show_var, ("view", value["view"])))
        if d is LLDB:
            steps.append(("p v", ("view", value["view"])))
        if i == 0 and iframe:  # the frame of show() that calls id(42)
            steps.append(("print " + iframe, ("frame", "42")))
        if i == 0 and version >= (3, 8):
            # libpython's line for the C call into id() (its first run: a
            # CALL specialised later calls builtin_id straight from the eval loop).
            steps.append(("py-bt", ("traceback", [
                "<built-in method id of module object at %s>" % truth["builtins_module"]])))
        if value["name"] == PROBED:
            steps += [(c, ("argument", value["view"])) for c in d.extra]
            steps += [(d.off, None), (d.show_var, ("raw", value["view"])), (d.on, None),
                      (d.show_var, ("view", value["view"]))]
        steps.append((d.cont, None))
    steps.append(("print (PyFrameObject *)v", ("pattern", truth["frame_object"])))
    steps.append((d.show_var, ("pattern", truth["frame_object"])))
    # NULL: libpython's 0x0; LLDB says NULL itself before asking a summary.
    steps.append(("print (PyObject *)0", ("view", "0x0") if d is GDB else ("suffix", " NULL")))
    steps.append(("print (PyObject *)8", ("view", "<unknown at remote 0x8>")))
    if truth["gc_stop"]:  # in the GC's callback: the thread collects, holding the GIL
        collecting = ["garbage-collecting"] if truth["gc_known"] else []
        steps += [(d.cont, None), (d.show_var, ("view", "'collecting'")),
                  ("pystack", ("states", ["holds the GIL"] + collecting, [])),
                  # Where the flag cannot be read only a collector's frame
                  # would tell, and the "start" callback runs before the
                  # collector does.
                  ("py-bt", ("line", "Garbage-collecting") if collecting else ("no_line", "Garbage-collecting"))]
    return steps + [(d.cont, None)] + finalizing_commands(d, truth)


def finalizing_commands(d, truth):
    """In a __del__ while the runtime finalizes (the last stop, the core's)."""
    finalizing = ["finalizing"] if truth["finalizing_known"] else []
    # Whether the GC runs the __del__ (collecting __main__ late in the
    # finalization) is the interpreter's business; either way is right.
    return [(d.show_var, ("view", "'finalizing'")),
            ("pystack", ("states", ["holds the GIL"] + finalizing, ["garbage-collecting"]))]


def core_commands(d, truth):
    """The last stop, from the core; and 3.11+ the current interpreter frame."""
    steps = finalizing_commands(d, truth)
    iframe = current_frame_expr(tuple(truth["version_info"]))
    if iframe:
        steps.append(("print " + iframe, ("frame", "'finalizing'")))
    return steps


def check(d, what, steps, outputs, truth, failures, unwinds_early=False):
    """`unwinds_early`: LLDB 19.1.7, whose unwinder stops early in some frames
    of these builds (README, "pystack -n"); libpython's lines for native
    frames may then be missing, never wrong."""
    if len(outputs) != len(steps):
        failures.append("%s: %d outputs for %d commands" % (what, len(outputs), len(steps)))
        return
    show = truth["show"]
    for (command, expect), text in zip(steps, outputs):
        if expect is None:
            continue
        kind, want = expect[:2]
        m = re.match(d.print_value, text, re.S)
        got = m.group("view") if m else None
        if kind == "view":
            ok = got == want
        elif kind == "pattern":
            ok = got is not None and re.match("^" + want + "$", got) is not None
        elif kind == "frame":  # show()'s frame, its local the value passed (or a pattern of it)
            head = "Frame 0x[0-9a-f]+, for file %s, line %d, in %s " % (
                re.escape(show["file"]), show["line"], show["name"])
            value = want if want.startswith("Frame ") else re.escape(want)
            ok = got is not None and re.match("^" + head + r"\(value=" + value + r"\)$", got)
        elif kind == "argument":  # info args' "v = VIEW", a frame line's "v=VIEW"
            ok = re.search(r"\bv ?= ?" + re.escape(want), text) is not None
        elif kind == "states":  # pystack's header: Thread 0x… "name" [state, …]:
            header = re.match(r'^Thread 0x[0-9a-f]+.*?(?: \[(.*)\])?:\n', text)
            states = header.group(1).split(", ") if header and header.group(1) else []
            ok = header is not None and [x for x in states if x not in expect[2]] == want
        elif kind == "traceback":  # py-bt: what libpython shows below every Python frame
            lines = text.split("\n") + [""]
            ok = any(lines[:1 + len(w)] == ["Traceback (most recent call first):"] + [
                "  " + line for line in w] and lines[1 + len(w)].startswith('  File "')
                for w in ([want, []] if unwinds_early else [want]))
        elif kind == "line":  # one of py-bt's lines for a native frame
            ok = "\n  %s\n" % want in text or (unwinds_early and text.startswith("Traceback"))
        elif kind == "no_line":
            ok = text.startswith("Traceback") and "\n  %s\n" % want not in text
        elif kind == "suffix":
            ok = text.rstrip("\n").endswith(want)
        else:  # raw: the views switched off, the pointer alone
            ok = want not in text and re.search(r"0x[0-9a-f]+", text) is not None
        if not ok:
            failures.append("%s: `%s` should show %s %r:\n%s" % (what, command, kind, want, text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", required=True, help="a pyenv version, e.g. 3.12.1")
    parser.add_argument("--lldb", action="append", default=[], help="an LLDB to test too")
    opts = parser.parse_args()

    shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    interp = interpreters.resolve(opts.python)
    failures = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-views-") as tmp:
        truth_path, core = os.path.join(tmp, "truth.json"), os.path.join(tmp, "core")

        def run(debugger, lldb=None, from_core=False):
            """Emit the command file once the target wrote its truth."""
            emit = [sys.executable, os.path.abspath(__file__), "--emit", debugger.name,
                    "core" if from_core else "live", truth_path]
            if lldb:
                return lldb_backend.run_lldb(lldb, plugin, interp.exe, args=[SCRIPT, truth_path],
                                             env=interp.env, core=core if from_core else None,
                                             emit=emit)
            if from_core:
                return gdb_backend.run_gdb(interp.exe, shim, core=core, emit=emit)
            return gdb_backend.run_gdb(interp.exe, shim, args=[SCRIPT, truth_path],
                                       env=interp.env, emit=emit, gcore=core)

        def verify(debugger, what, outputs, from_core, lldb=None):
            with open(truth_path) as f:
                truth = json.load(f)
            steps = (core_commands if from_core else live_commands)(debugger, truth)
            check(debugger, what, steps, outputs, truth, failures,
                  unwinds_early=bool(lldb) and "llvm-19" in lldb)

        verify(GDB, "gdb live", run(GDB), False)
        core_truth = open(truth_path).read()  # each live run rewrites it
        verify(GDB, "gdb core", run(GDB, from_core=True), True)
        for lldb in opts.lldb:
            verify(LLDB, "lldb %s live" % lldb, run(LLDB, lldb), False, lldb)
            with open(truth_path, "w") as f:
                f.write(core_truth)
            verify(LLDB, "lldb %s core" % lldb, run(LLDB, lldb, from_core=True), True, lldb)
    for f in failures:
        print("FAIL " + f)
    print("views %s: %d failures" % (opts.python, len(failures)))
    sys.exit(1 if failures else 0)


def emit_main(argv):
    """views.py --emit gdb|lldb live|core TRUTH MARKER PATH: write the command file."""
    name, mode, truth_path, marker, path = argv
    with open(truth_path) as f:
        truth = json.load(f)
    debugger = GDB if name == "gdb" else LLDB
    steps = (core_commands if mode == "core" else live_commands)(debugger, truth)
    backend = gdb_backend if name == "gdb" else lldb_backend
    backend.write_command_file(marker, [command for command, _ in steps], path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--emit"]:
        emit_main(sys.argv[2:])
    else:
        main()
