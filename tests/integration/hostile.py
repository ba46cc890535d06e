#!/usr/bin/env python3
"""Bad inputs in gdb and in every LLDB: each must give one clear line (or
short, bounded text), never a crash, a hang or garbage.

  hostile.py --install PREFIX --case NAME [--gdb] [--lldb LLDB ...]
  hostile.py --list

Each case sets up a target (a pyenv interpreter on a small script that
stops itself with SIGTRAP, a C program, a core file, a bad $CPYDBG_LAYOUTS)
and runs the same commands in gdb (--gdb) and in each LLDB given; its check
says what every output must be. The C programs are compiled here with cc.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gdb_backend  # noqa: E402
import interpreters  # noqa: E402
import lldb_backend  # noqa: E402

BACKENDS = {"gdb": gdb_backend, "lldb": lldb_backend}
LAYOUTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "layouts")

# Python scripts run by the cases: each writes its truth (JSON) to argv[1]
# and stops itself with SIGTRAP; continuing lets it exit.
SCRIPT_PRELUDE = """
import json, os, signal, sys
def stop(**truth):
    truth["pid"] = os.getpid()
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)
    os.kill(os.getpid(), signal.SIGTRAP)
"""
SCRIPTS = {
    "simple": "def work(a, b):\n    stop()\n    return a + b\nwork(1, 2)\n",
    # A C watchdog thread (no Python thread state) next to the main thread.
    "native_thread": "import faulthandler\nfaulthandler.dump_traceback_later(3600)\nstop()\n",
    "keep_object": "def work(obj):\n    stop(obj=hex(id(obj)))\nwork((1, 'two', 3.0))\n",
    "huge_list": "big = list(range(10 ** 7))\nstop(big=hex(id(big)))\n",
    # Frames whose co_filename is a device and a FIFO: reading their source
    # must neither read forever nor block.
    "device_files": (
        "fifo = sys.argv[2]\n"
        "if os.path.exists(fifo):\n    os.unlink(fifo)\n"
        "os.mkfifo(fifo)\n"
        "inner = compile('def f():\\n    stop()\\n', fifo, 'exec')\n"
        "exec(inner)\n"
        "exec(compile('f()\\n', '/dev/zero', 'exec'))\n"),
}

C_PROGRAMS = {
    # No Python at all.
    "plain": "#include <signal.h>\nint main(void) { raise(SIGTRAP); return 0; }\n",
    # A Python this cpydbg has no table for: Py_Version says 3.14.0.
    "future": ("#include <signal.h>\n"
               "const unsigned int Py_Version = 0x030e00f0;\n"
               "char _PyRuntime[4096];\n"
               "int main(void) { _PyRuntime[0] = 1; raise(SIGTRAP); return Py_Version == 0; }\n"),
    # libpython loaded, Py_Initialize never called.
    "uninitialised": ("#include <signal.h>\nint Py_IsInitialized(void);\n"
                      "int main(void) { raise(SIGTRAP); return Py_IsInitialized(); }\n"),
}


def _plain(text):
    """Output without the debugger's error prefix (lldb adds 'error: ')."""
    return re.sub(r"^error: ", "", text, flags=re.M)


def one_line(text, pattern):
    """The output is exactly one line and matches `pattern`; else a problem."""
    lines = [l for l in _plain(text).split("\n") if l.strip()]
    if len(lines) != 1:
        return "expected one line matching /%s/, got %d lines:\n%s" % (pattern, len(lines), text)
    if not re.search(pattern, lines[0]):
        return "expected /%s/, got: %s" % (pattern, lines[0])
    return None


def _no_thread_status(text):
    """LLDB prints `thread select`'s status late, into the next command's output."""
    return re.sub(r"^\* thread #\d+.*\n(?:    frame #.*\n)?", "", text, flags=re.M)


def contains(text, pattern):
    return None if re.search(pattern, text, re.M) else "expected /%s/ in:\n%s" % (pattern, text)


class Case:
    """One bad input: how to start the target and what each output must be."""

    def __init__(self, name, doc, commands, checks, python="3.12.1", script="simple",
                 c_program=None, layouts=None, core="live", extra_args=()):
        self.name, self.doc = name, doc
        self.commands = commands  # (truth, debugger) -> [command]
        self.checks = checks      # [(index, fn(text, truth) -> problem or None)]
        self.python, self.script, self.c_program = python, script, c_program
        self.layouts = layouts    # fn(tmp) -> value for $CPYDBG_LAYOUTS
        self.core = core          # "live", "core" (gcore'd) or "half-core"
        self.extra_args = extra_args


def _table(name):
    with open(os.path.join(LAYOUTS, name)) as f:
        return f.read()


def _layout_dir(tmp, files):
    d = os.path.join(tmp, "layouts")
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


def _with_dict_size(text, size):
    table = json.loads(text)
    table["structs"]["PyDictObject"]["size"] = size
    return json.dumps(table)


def _shell(debugger, command):
    return ("shell " if debugger == "gdb" else "platform shell ") + command


CASES = [
    Case("unknown_version", "a Python with no layout table (Py_Version 3.14.0)",
         lambda t, d: ["pystack", "pyinfo"],
         [(i, lambda o, t: one_line(o, r"^cpydbg: no layout table for Python 3\.14\.0 "
                                       r"\(detected from Py_Version\); generate one with: "
                                       r"cpydbg-layout generate ")) for i in (0, 1)],
         c_program="future"),
    Case("wrong_version_table", "$CPYDBG_LAYOUTS gives 3.12 the 3.11 table",
         lambda t, d: ["pystack", "pyobj 0x1"],
         [(i, lambda o, t: one_line(o, r"^cpydbg: the layout table does not fit this Python "
                                       r"3\.12\.1, refusing to print garbage: .*\(\d+ vs \d+\)"))
          for i in (0, 1)],
         layouts=lambda tmp: _layout_dir(tmp, {
             "cpython-3.12-x86_64.json": _table("cpython-3.11-x86_64.json")})),
    # Debian's 3.11 debug and release builds have identical struct layouts, so
    # a plain flavour swap fits; a debug table from a build with another
    # PyDictObject (as other configure options give) must be refused.
    Case("mismatched_debug_table", "python3.11d (Py_DEBUG) given a debug table of another build",
         lambda t, d: ["pystack"],
         [(0, lambda o, t: one_line(o, r"^cpydbg: the layout table does not fit this Python "
                                       r"3\.11\.\d+ \(debug\), refusing to print garbage: .*"
                                       r"PyDict_Type\.tp_basicsize == sizeof\(PyDictObject\) "
                                       r"\(48 vs 56\)"))],
         python="debian-3.11d",
         layouts=lambda tmp: _layout_dir(tmp, {
             "cpython-3.11-debug-x86_64.json":
                 _with_dict_size(_table("cpython-3.11-debug-x86_64.json"), 56)})),
    Case("malformed_table", "$CPYDBG_LAYOUTS holds a table that is not JSON",
         lambda t, d: ["pystack"],
         [(0, lambda o, t: one_line(o, r"^cpydbg: layout table /.*/cpython-3\.12-x86_64\.json: not valid JSON "))],
         layouts=lambda tmp: _layout_dir(tmp, {"cpython-3.12-x86_64.json": "{ not json ]"})),
    Case("truncated_table", "$CPYDBG_LAYOUTS holds the first half of the 3.12 table",
         lambda t, d: ["pystack"],
         [(0, lambda o, t: one_line(o, r"^cpydbg: layout table /.*/cpython-3\.12-x86_64\.json: not valid JSON "))],
         layouts=lambda tmp: _layout_dir(tmp, {
             "cpython-3.12-x86_64.json": _table("cpython-3.12-x86_64.json")[:20000]})),
    Case("missing_layouts_dir", "$CPYDBG_LAYOUTS names a directory that does not exist",
         lambda t, d: ["pystack", "pystack"],
         [(0, lambda o, t: contains(o, r"\A(error: )?warning: CPYDBG_LAYOUTS=\S+/no-such-dir is not "
                                       r"a directory; using the built-in tables\n")
           or contains(o, r"^#1 File .*, in work$")),
          (1, lambda o, t: contains(o, r"\AThread 0x.*\n\* #0 File .*, in stop\n"))],
         layouts=lambda tmp: os.path.join(tmp, "no-such-dir")),
    Case("core_cut_in_half", "a core file cut in half",
         lambda t, d: ["pystack -a", "pyinfo", "pyopstack"],
         [(i, lambda o, t: None if re.search(r"^#0 File ", o, re.M) else
           one_line(o, r"^cpydbg: (cannot read the process's memory \(.*\): has the process "
                       r"exited, or is the core file truncated\?|no Python runtime in this "
                       r"process: .*)$")) for i in (0, 1, 2)],
         core="half-core"),
    Case("exits_between_commands", "the process runs to its end between two commands",
         lambda t, d: ["pystack", "continue" if d == "gdb" else "process continue", "pystack"],
         [(0, lambda o, t: contains(o, r"^#1 File .*, in work$")),
          # gdb still reads libpython's static data from the file, LLDB even
          # more of it: either the sanity checks or the walk finds memory gone.
          (2, lambda o, t: one_line(o, r"^cpydbg: (cannot read the process's memory \(.*\): has "
                                       r"the process exited, or is the core file truncated\?|no "
                                       r"Python threads: cannot read the interpreter list "
                                       r"\(runtime memory unreadable\))$"))]),
    Case("killed_between_commands", "the process is killed (SIGKILL) between two commands",
         lambda t, d: ["pystack", _shell(d, "kill -9 %d" % t["pid"]), "pystack", "pyobj 0x10",
                       "pyobj %s" % t["obj"]],
         # The debugger has not seen the death yet: what it shows is the stop
         # it knows (the same stack) or one line saying the memory is gone.
         [(0, lambda o, t: contains(o, r"^#1 File .*, in work$")),
          (2, lambda o, t: None if o == t["_outputs"][0] else one_line(o, r"^cpydbg: ")),
          (3, lambda o, t: one_line(o, r"^cpydbg: ")),
          (4, lambda o, t: contains(o, r"\Atuple at 0x[0-9a-f]+, refcnt \d+, len 3\n"
                                       r"\(1, 'two', 3\.0\)\n\Z") and one_line(o, r"^cpydbg: "))],
         script="keep_object"),
    Case("not_an_object", "pyobj of 0x1 and of a pointer into the stack",
         lambda t, d: ["pyobj 0x1", "pyobj $sp", "pyobj --max-items 3 $sp + 8"],
         [(i, lambda o, t: one_line(o, r"^cpydbg: pyobj: no Python object at 0x[0-9a-f]+ \(its "
                                       r"memory or its type is unreadable\)$")) for i in (0, 1, 2)]),
    Case("thread_without_python", "the selected thread is a C thread with no Python state",
         lambda t, d: ["thread 2" if d == "gdb" else "thread select 2", "pystack", "pystack -a"],
         [(1, lambda o, t: one_line(_no_thread_status(o), r"^cpydbg: the selected thread \(tid \d+\) runs no Python "
                                       r"code; pystack -a shows every Python thread$")),
          (2, lambda o, t: contains(o, r"\[holds the GIL\]:\n#0 File .*, in stop\n(?:.*\n)*"
                                       r"#1 File .*, in <module>\n"))],
         script="native_thread"),
    Case("plain_c_program", "a C program: no Python in the process",
         lambda t, d: ["pystack", "pyinfo", "pyobj 0x1000"],
         [(i, lambda o, t: one_line(o, r"^cpydbg: no Python runtime in this process: none of "
                                       r"_PyRuntime, PyType_Type, _PyThreadState_Current"))
          for i in (0, 1, 2)],
         c_program="plain"),
    Case("python_never_initialised", "a C program with libpython3.12 loaded, never initialised",
         lambda t, d: ["pystack", "pystack -a"],
         [(i, lambda o, t: one_line(o, r"^cpydbg: .*not initialised")) for i in (0, 1)],
         c_program="uninitialised"),
    Case("huge_list", "pyobj of a 10^7-element list prints fast and short",
         lambda t, d: ["pyobj %s" % t["big"], "pyobj --max-items 3 %s" % t["big"]],
         [(0, lambda o, t: contains(o, r"\Alist at 0x[0-9a-f]+, refcnt \d+, len 10000000\n"
                                       r"\[0, 1, 2, .*, 49, \.\.\.\]\n\Z")
           or (None if len(o) < 600 else "%d characters" % len(o))),
          (1, lambda o, t: contains(o, r"\n\[0, 1, 2, \.\.\.\]\n\Z"))],
         script="huge_list"),
    Case("device_source_files", "frames whose source 'file' is /dev/zero or a FIFO",
         lambda t, d: ["pystack", "pyup", "pylist", "pyup", "pylist"],
         [(0, lambda o, t: contains(o, r"^#1 File \".*/fifo\", line 2, in f\n"
                                       r"#2 File \"/dev/zero\", line 1, in <module>\n#3 File ")),
          (2, lambda o, t: one_line(o, r"^cpydbg: cannot read source file /tmp/.*/fifo$")),
          (4, lambda o, t: one_line(o, r"^cpydbg: cannot read source file /dev/zero$"))],
         script="device_files", extra_args=("FIFO",)),
]


def _compile_c(name, tmp):
    src, exe = os.path.join(tmp, name + ".c"), os.path.join(tmp, name)
    with open(src, "w") as f:
        f.write(C_PROGRAMS[name])
    argv = ["cc", "-g", "-O0", "-o", exe, src]
    if name == "uninitialised":
        prefix = os.path.dirname(os.path.dirname(interpreters.resolve("3.12.1").exe))
        argv += ["-L" + os.path.join(prefix, "lib"), "-lpython3.12",
                 "-Wl,-rpath," + os.path.join(prefix, "lib")]
    subprocess.check_call(argv)
    return exe


def emit_main(argv):
    """hostile.py --emit CASE TRUTH DEBUGGER MARKER PATH: write the command file."""
    name, truth_path, debugger, marker, path = argv
    case = next(c for c in CASES if c.name == name)
    truth = {}
    if os.path.getsize(truth_path):
        with open(truth_path) as f:
            truth = json.load(f)
    BACKENDS[debugger].write_command_file(marker, case.commands(truth, debugger), path)


def run_case(case, opts, tmp):
    """{debugger label: outputs} for gdb and each LLDB."""
    shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    truth_path = os.path.join(tmp, "truth.json")
    open(truth_path, "w").close()
    if case.layouts:
        os.environ["CPYDBG_LAYOUTS"] = case.layouts(tmp)  # the debugger's own environment
    if case.c_program:
        program, args, env, common = _compile_c(case.c_program, tmp), [], {}, {}
    else:
        interp = interpreters.resolve(case.python)
        script = os.path.join(tmp, case.script + ".py")
        with open(script, "w") as f:
            f.write(SCRIPT_PRELUDE + SCRIPTS[case.script])
        extra = [os.path.join(tmp, a.lower()) for a in case.extra_args]
        program, args, env = interp.exe, [script, truth_path] + extra, interp.env
        common = dict(no_separate_debug=interp.no_separate_debug)

    def emit(debugger):
        return [sys.executable, os.path.abspath(__file__), "--emit", case.name, truth_path, debugger]

    outputs = {}
    if case.core == "live":
        if opts.gdb:
            outputs["gdb"] = gdb_backend.run_gdb(program, shim, args=args, env=env,
                                                 emit=emit("gdb"), timeout=90, **common)
        for lldb in opts.lldb:
            outputs[lldb] = lldb_backend.run_lldb(lldb, plugin, program, args=args, env=env,
                                                  emit=emit("lldb"), timeout=90, **common)
        return outputs
    core = os.path.join(tmp, "core")
    gdb_backend.run_gdb(program, shim, args=args, env=env, gcore=core, timeout=120, **common)
    size = os.path.getsize(core)
    with open(core, "r+b") as f:
        f.truncate(size // 2)
    if opts.gdb:
        outputs["gdb"] = gdb_backend.run_gdb(program, shim, core=core, emit=emit("gdb"),
                                             timeout=90, **common)
    for lldb in opts.lldb:
        outputs[lldb] = lldb_backend.run_lldb(lldb, plugin, program, core=core, emit=emit("lldb"),
                                              timeout=90, **common)
    return outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", help="cpydbg install prefix")
    parser.add_argument("--case", help="one of --list")
    parser.add_argument("--gdb", action="store_true", help="run the case in gdb")
    parser.add_argument("--lldb", action="append", default=[], help="run the case in this LLDB")
    parser.add_argument("--list", action="store_true")
    opts = parser.parse_args()
    if opts.list:
        for c in CASES:
            print("%-26s %s" % (c.name, c.doc))
        return
    case = next((c for c in CASES if c.name == opts.case), None)
    if case is None or not opts.install:
        parser.error("give --install and a --case from --list")
    if not opts.gdb and not opts.lldb:
        parser.error("give --gdb and/or --lldb LLDB")
    failures = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-hostile-") as tmp:
        for debugger, outputs in run_case(case, opts, tmp).items():
            with open(os.path.join(tmp, "truth.json")) as f:
                text = f.read()
            truth = json.loads(text) if text else {}
            label = "gdb" if debugger == "gdb" else "lldb"
            expected = len(case.commands(truth, label))
            if len(outputs) != expected:
                failures.append("%s: %d outputs for %d commands:\n%s"
                                % (debugger, len(outputs), expected, "".join(outputs)))
                continue
            truth["_outputs"] = outputs  # for checks that compare two outputs
            for index, check in case.checks:
                problem = check(outputs[index], truth)
                if problem:
                    failures.append("%s: `%s`: %s" % (debugger, case.commands(truth, label)[index],
                                                      problem))
            for command, output in zip(case.commands(truth, label), outputs):
                print("[%s] (%s) %s\n%s" % (case.name, debugger, command, output), end="")
    for f in failures:
        print("FAIL " + f)
    print("%s: %d failures" % (case.name, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--emit"]:
        emit_main(sys.argv[2:])
    else:
        main()
