"""Load the cpydbg plugin in one LLDB and check it against a real Python.

  lldb_smoke.py --lldb LLDB --plugin SO --python PY [--core]

The Python program writes down its own version and stack, then stops itself
with SIGTRAP (or, with --core, gdb's gcore dumps it there). The truth comes
from the interpreter, never from cpydbg. Checks: every command of the design
is registered, `help pystack` shows the full help, `pyinfo` names the right
version, and `pystack` lists the program's frames with their lines.

Run with /usr/bin/python3; the target Python may be any version, 2.7 on.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lldb_backend import run_lldb  # noqa: E402

# Written to stay valid Python 2.7 as well as 3.x.
SCENARIO = """\
import json, os, signal, sys, traceback

def inner(a, b):
    stack = [(f[2], f[1]) for f in traceback.extract_stack()]
    stack[-1] = ("inner", stack[-1][1] + 4)  # the os.kill line below
    with open(sys.argv[1], "w") as out:
        json.dump({"version": sys.version.split()[0], "stack": stack}, out)
    os.kill(os.getpid(), signal.SIGTRAP)

def outer():
    inner(6, 4)

outer()
"""

# The command names DESIGN.md promises in both debuggers.
COMMANDS = ["pystack", "pyobj", "pyopstack", "opcode-stack", "pyframe", "pyup", "pydown",
            "pylocals", "pylist", "pyinfo", "py-bt", "py-bt-full", "py-print", "py-locals",
            "py-list", "py-up", "py-down"]


def dump_core(python, script, truth, core):
    """Run the scenario under gdb and gcore it at the SIGTRAP."""
    subprocess.run(["gdb", "-batch", "-nx", "-ex", "run", "-ex", f"gcore {core}", "-ex", "kill",
                    "--args", python, script, truth],
                   check=True, capture_output=True, timeout=120)
    if not os.path.exists(core):
        sys.exit("gdb did not write the core file")


def check(failures, ok, what, output):
    if not ok:
        failures.append(f"{what}; output was:\n{output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--lldb", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--core", action="store_true", help="test a gcore'd core file")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cpydbg-lldb-smoke-") as tmp:
        script = os.path.join(tmp, "scenario.py")
        truth_path = os.path.join(tmp, "truth.json")
        with open(script, "w") as f:
            f.write(SCENARIO)
        commands = ["help pystack", "pyinfo", "pystack"] + [f"help {c}" for c in COMMANDS]
        if opts.core:
            core = os.path.join(tmp, "scenario.core")
            dump_core(opts.python, script, truth_path, core)
            outputs = run_lldb(opts.lldb, opts.plugin, opts.python, core=core, commands=commands)
        else:
            outputs = run_lldb(opts.lldb, opts.plugin, opts.python, args=[script, truth_path],
                               commands=commands)
        with open(truth_path) as f:
            truth = json.load(f)

    help_text, pyinfo, pystack = outputs[:3]
    failures = []
    check(failures, "error:" not in help_text and "Syntax: pystack" in help_text
          and len(help_text.strip().splitlines()) >= 4,
          "`help pystack` should show the syntax and the full help", help_text)
    for name, out in zip(COMMANDS, outputs[3:]):
        check(failures, "error:" not in out and name in out, f"`{name}` is not registered", out)
    check(failures, re.search(rf"\b{re.escape(truth['version'])}\b", pyinfo),
          f"`pyinfo` should report version {truth['version']}", pyinfo)

    # Innermost first, like `bt`: each frame as `line N, in NAME`.
    pos = 0
    for name, line in reversed(truth["stack"]):
        found = re.compile(rf"line {line}, in {re.escape(name)}(?!\w)").search(pystack, pos)
        check(failures, found, f"`pystack` should show {name} at line {line} (in order)", pystack)
        pos = found.end() if found else pos

    if failures:
        sys.exit("FAILED:\n" + "\n\n".join(failures))
    print(f"ok: {opts.lldb} with {opts.python} ({truth['version']}, "
          f"{'core' if opts.core else 'live'}): {len(commands)} commands checked")


if __name__ == "__main__":
    main()
