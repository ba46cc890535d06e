#!/usr/bin/env python3
"""One interpreter, one scenario, every debugger and every path.

  matrix.py --install PREFIX --python SPEC [--stripped] [--scenario NAME]
            [--lldb LLDB ...] [--debugger-env K=V ...]

The scenario (scenarios/NAME.py) runs under the interpreter, writes down its
own truth and stops itself. It is run live under gdb, which also gcore's it,
then the core is opened in gdb; then live and from the same core in each
LLDB. scenarios/NAME_check.py says which commands to run (they may depend on
the truth, e.g. addresses, and on the debugger: commands(truth[, debugger]),
the same for every debugger except for more at the end)
and what their output must contain (check(outputs, truth, failures[,
context])). The outputs of gdb and of each LLDB from the same core must be
identical, unless the check module says how they must agree instead
(compare(commands, gdb_outputs, lldb_outputs, truth, context, failures)).

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import importlib
import inspect
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
# Run first in every session: what the debugger itself found of the
# interpreter's symbols. With DWARF, the source line of a function only the
# interpreter (executable or libpython) defines; and a static function only
# .symtab (or DWARF) names (Debian's LTO build calls it list_dealloc.lto_priv.0
# in .symtab). Extension modules keep their own DWARF: a type
# such as PyObject would be found there. Each probe: command, and what its
# output shows when the debugger found it.
PROBES = {
    "gdb": [("info line PyList_New", "listobject.c"),
            ("info address list_dealloc", 'Symbol "list_dealloc" is')],
    "lldb": [("image lookup -n PyList_New", "listobject.c"),
             ("image lookup -r -s ^list_dealloc", "symbols match")],
}


def _call(function, *args):
    """function(*args), passing only as many arguments as it takes (check
    modules written before the debugger and context arguments take fewer)."""
    return function(*args[:len(inspect.signature(function).parameters)])


def emit_main(argv):
    """matrix.py --emit SCENARIO TRUTH gdb|lldb MARKER PATH: write the command file
    (the probes first)."""
    scenario, truth_path, debugger, marker, path = argv
    with open(truth_path) as f:
        truth = json.load(f)
    commands = _call(importlib.import_module(scenario + "_check").commands, truth, debugger)
    BACKENDS[debugger].write_command_file(
        marker, [command for command, _ in PROBES[debugger]] + commands, path)


def _plain(text):
    """A command's text without the debugger's error prefix (lldb adds one)."""
    return text.replace("error: ", "", 1) if text.startswith("error: ") else text


def compare_unwinders(check, interp, shim, core, commands, common):
    """From a core, gdb prints the same for each command whether cpydbg walks
    the native stacks itself (its default), only itself (no falling back to
    gdb's walk: CPYDBG_NATIVE_UNWINDER=cpydbg) or through gdb's unwinder
    (=gdb): the own walk is gdb's frame for frame, inlined and tail calls,
    and their variables. `commands`: (command, whether the own walk alone
    must answer it here); check.same_output, if any, says what "the same" is."""
    outputs = {}
    for mode in ("", "cpydbg", "gdb"):
        os.environ["CPYDBG_NATIVE_UNWINDER"] = mode
        try:
            outputs[mode] = gdb_backend.run_gdb(interp.exe, shim, core=core,
                                                commands=[c for c, _ in commands], **common)
        finally:
            os.environ.pop("CPYDBG_NATIVE_UNWINDER")
    failures = []
    for i, (command, own_alone) in enumerate(commands):
        gdbs = outputs["gdb"][i]
        for mode, label in (("", "default"), ("cpydbg", "own walk alone")):
            if mode == "cpydbg" and not own_alone:
                continue
            same = getattr(check, "same_output", lambda a, b: a == b)
            if not same(outputs[mode][i], gdbs):
                failures.append("gdb core, `%s`: with the %s it prints\n%s--- through gdb's unwinder ---\n%s"
                                % (command, label, outputs[mode][i][:3000], gdbs[:3000]))
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", required=True, help="interpreter spec, e.g. 3.12.1 or debian-3.11")
    variant = parser.add_mutually_exclusive_group()
    variant.add_argument("--stripped", action="store_true",
                         help="use copies stripped as distributions ship them")
    variant.add_argument("--installed", action="store_true",
                         help="the interpreter as installed, its separate debug files hidden")
    parser.add_argument("--scenario", default="stack")
    parser.add_argument("--lldb", action="append", default=[], help="an LLDB to test too")
    parser.add_argument("--debugger-env", action="append", default=[], metavar="K=V",
                        help="set K in the debuggers' own environment, where cpydbg runs (not "
                             "the inferior's); K= removes it")
    opts = parser.parse_args()
    for pair in opts.debugger_env:
        key, value = pair.split("=", 1)
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)

    shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    check = importlib.import_module(opts.scenario + "_check")
    failures = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-matrix-") as tmp:
        interp = interpreters.resolve(opts.python)
        if opts.stripped:
            interp = interpreters.stripped_copy(interp, tmp)
        elif opts.installed:
            interp = interpreters.as_installed(interp)
        # With DWARF the debugger must find the interpreter's DWARF and local
        # symbols (else the probes prove nothing); otherwise neither.
        expect_symbols = not (opts.stripped or opts.installed)
        script = os.path.join(HERE, "scenarios", opts.scenario + ".py")
        truth_path = os.path.join(tmp, "truth.json")
        core = os.path.join(tmp, "core")
        # Each live run rewrites truth.json (thread ids, addresses differ
        # between runs); the core keeps the truth of the run that made it.
        core_truth = os.path.join(tmp, "core-truth.json")

        def emit(debugger, truth=truth_path):
            return [sys.executable, os.path.abspath(__file__), "--emit", opts.scenario,
                    truth, debugger]

        def after_probes(what, debugger, outputs):
            """The outputs after the probes', which must show what the variant has."""
            probes = PROBES[debugger]
            for (command, found_text), output in zip(probes, outputs):
                if (found_text in output) != expect_symbols:
                    failures.append("%s: `%s` %s:\n%s" % (
                        what, command, "found nothing" if expect_symbols else
                        "found debug information or .symtab", output))
            return outputs[len(probes):]

        def context(debugger, lldb=None):
            return {"debugger": debugger, "lldb": lldb, "stripped": opts.stripped,
                    "installed": opts.installed}

        def verify(what, outputs, ctx, truth_file=truth_path):
            with open(truth_file) as f:
                truth = json.load(f)
            expected = len(_call(check.commands, truth, ctx["debugger"]))
            if len(outputs) != expected:
                failures.append("%s: %d outputs for %d commands" % (what, len(outputs), expected))
                return
            found = []
            _call(check.check, outputs, truth, found, ctx)
            failures.extend("%s: %s" % (what, f) for f in found)

        common = dict(no_separate_debug=interp.no_separate_debug)
        live = after_probes("gdb live", "gdb", gdb_backend.run_gdb(
            interp.exe, shim, args=[script, truth_path], env=interp.env, emit=emit("gdb"),
            gcore=core, **common))
        verify("gdb live", live, context("gdb"))
        shutil.copyfile(truth_path, core_truth)
        from_core = after_probes("gdb core", "gdb", gdb_backend.run_gdb(
            interp.exe, shim, core=core, emit=emit("gdb", core_truth), **common))
        verify("gdb core", from_core, context("gdb"), core_truth)
        if hasattr(check, "own_walk_commands"):
            with open(core_truth) as f:
                walk_commands = _call(check.own_walk_commands, json.load(f), context("gdb"))
            failures.extend(compare_unwinders(check, interp, shim, core, walk_commands, common))
        for lldb in opts.lldb:
            name = "lldb %s" % lldb
            verify(name + " live", after_probes(name + " live", "lldb", lldb_backend.run_lldb(
                lldb, plugin, interp.exe, args=[script, truth_path], env=interp.env,
                emit=emit("lldb"), **common)), context("lldb", lldb))
            lldb_core = after_probes(name + " core", "lldb", lldb_backend.run_lldb(
                lldb, plugin, interp.exe, core=core, emit=emit("lldb", core_truth), **common))
            verify(name + " core", lldb_core, context("lldb", lldb), core_truth)
            with open(core_truth) as f:
                truth = json.load(f)
            # Both debuggers run the same commands first; gdb may run more after them.
            commands = _call(check.commands, truth, "lldb")
            gdb_core = from_core[:len(commands)]
            if hasattr(check, "compare"):
                found = []
                check.compare(commands, [_plain(g) for g in gdb_core],
                              [_plain(l) for l in lldb_core], truth, context("lldb", lldb), found)
                failures.extend("%s core: %s" % (name, f) for f in found)
                continue
            for command, g, l in zip(commands, gdb_core, lldb_core):
                if _plain(g) != _plain(l):
                    failures.append("%s core: `%s` differs from gdb's\n--- gdb ---\n%s--- lldb ---\n%s"
                                    % (name, command, g, l))
    for f in failures:
        print("FAIL " + f)
    variant = ("distro-stripped copy" if opts.stripped else
               "as installed, debug files hidden" if opts.installed else "with DWARF")
    print("%s %s (%s): %d failures" % (opts.python, variant, opts.scenario, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--emit"]:
        emit_main(sys.argv[2:])
    else:
        main()
