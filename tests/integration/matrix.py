#!/usr/bin/env python3
"""One interpreter, one scenario, every debugger and every path.

  matrix.py --install PREFIX --python SPEC [--stripped] [--scenario NAME]
            [--lldb LLDB ...]

The scenario (scenarios/NAME.py) runs under the interpreter, writes down its
own truth and stops itself. It is run live under gdb, which also gcore's it,
then the core is opened in gdb; then live and from the same core in each
LLDB. scenarios/NAME_check.py says which commands to run (they may depend on
the truth, e.g. addresses) and what their output must contain. The outputs
of gdb and of each LLDB from the same core must be identical.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "scenarios"))
import gdb_backend  # noqa: E402
import interpreters  # noqa: E402
import lldb_backend  # noqa: E402

BACKENDS = {"gdb": gdb_backend, "lldb": lldb_backend}
# For stripped runs: a command that shows the source line of a function only
# the interpreter itself (executable or libpython) defines if the debugger
# found its DWARF anyway (e.g. Debian's in /usr/lib/debug). Extension
# modules keep their own DWARF; a type such as PyObject would be found there.
DWARF_PROBES = {"gdb": "info line PyList_New", "lldb": "image lookup -n PyList_New"}


def emit_main(argv):
    """matrix.py --emit SCENARIO TRUTH gdb|lldb PROBE MARKER PATH: write the command file
    (PROBE "1": the DWARF probe first)."""
    scenario, truth_path, debugger, probe, marker, path = argv
    with open(truth_path) as f:
        truth = json.load(f)
    commands = importlib.import_module(scenario + "_check").commands(truth)
    if probe == "1":
        commands.insert(0, DWARF_PROBES[debugger])
    BACKENDS[debugger].write_command_file(marker, commands, path)


def _plain(text):
    """A command's text without the debugger's error prefix (lldb adds one)."""
    return text.replace("error: ", "", 1) if text.startswith("error: ") else text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", required=True, help="interpreter spec, e.g. 3.12.1 or debian-3.11")
    parser.add_argument("--stripped", action="store_true", help="use copies with no DWARF")
    parser.add_argument("--scenario", default="stack")
    parser.add_argument("--lldb", action="append", default=[], help="an LLDB to test too")
    opts = parser.parse_args()

    shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    check = importlib.import_module(opts.scenario + "_check")
    failures = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-matrix-") as tmp:
        interp = interpreters.resolve(opts.python)
        if opts.stripped:
            interp = interpreters.stripped_copy(interp, tmp)
        script = os.path.join(HERE, "scenarios", opts.scenario + ".py")
        truth_path = os.path.join(tmp, "truth.json")
        core = os.path.join(tmp, "core")
        # Each live run rewrites truth.json (thread ids, addresses differ
        # between runs); the core keeps the truth of the run that made it.
        core_truth = os.path.join(tmp, "core-truth.json")

        def emit(debugger, truth=truth_path):
            return [sys.executable, os.path.abspath(__file__), "--emit", opts.scenario,
                    truth, debugger, "1" if opts.stripped else "0"]

        def without_dwarf(what, outputs):
            """The outputs after the DWARF probe's, which must show no DWARF."""
            if not opts.stripped or not outputs:
                return outputs
            if "listobject.c" in outputs[0]:
                failures.append("%s found DWARF for the stripped interpreter:\n%s"
                                % (what, outputs[0]))
            return outputs[1:]

        def verify(what, outputs, truth_file=truth_path):
            with open(truth_file) as f:
                truth = json.load(f)
            expected = len(check.commands(truth))
            if len(outputs) != expected:
                failures.append("%s: %d outputs for %d commands" % (what, len(outputs), expected))
                return
            found = []
            check.check(outputs, truth, found)
            failures.extend("%s: %s" % (what, f) for f in found)

        common = dict(no_separate_debug=interp.no_separate_debug)
        live = without_dwarf("gdb live", gdb_backend.run_gdb(
            interp.exe, shim, args=[script, truth_path], env=interp.env, emit=emit("gdb"),
            gcore=core, **common))
        verify("gdb live", live)
        shutil.copyfile(truth_path, core_truth)
        from_core = without_dwarf("gdb core", gdb_backend.run_gdb(
            interp.exe, shim, core=core, emit=emit("gdb", core_truth), **common))
        verify("gdb core", from_core, core_truth)
        for lldb in opts.lldb:
            name = "lldb %s" % lldb
            verify(name + " live", without_dwarf(name + " live", lldb_backend.run_lldb(
                lldb, plugin, interp.exe, args=[script, truth_path], env=interp.env,
                emit=emit("lldb"), **common)))
            lldb_core = without_dwarf(name + " core", lldb_backend.run_lldb(
                lldb, plugin, interp.exe, core=core, emit=emit("lldb", core_truth), **common))
            verify(name + " core", lldb_core, core_truth)
            with open(core_truth) as f:
                commands = check.commands(json.load(f))
            for command, g, l in zip(commands, from_core, lldb_core):
                if _plain(g) != _plain(l):
                    failures.append("%s core: `%s` differs from gdb's\n--- gdb ---\n%s--- lldb ---\n%s"
                                    % (name, command, g, l))
    for f in failures:
        print("FAIL " + f)
    print("%s %s (%s): %d failures" % (opts.python, "stripped" if opts.stripped else "with DWARF",
                                       opts.scenario, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--emit"]:
        emit_main(sys.argv[2:])
    else:
        main()
