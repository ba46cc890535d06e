"""The cpydbg plugin in one LLDB, loaded the two ways lldb-plugin/README.md
tells users to load it at start-up, with no target at all:

  lldb_smoke.py --lldb LLDB --plugin SO

1. a `plugin load` line in ~/.lldbinit (HOME is a temporary directory);
2. a link in LLDB's user plug-in directory, $XDG_DATA_HOME/lldb.

Each time: every command DESIGN.md promises is registered with its help,
`help pystack` shows the syntax and the full help, and a command without a
target says so cleanly. What the commands print on real processes and cores
is the integration matrix's job (matrix.py), not this test's.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import sanitizer_env

# The command names DESIGN.md promises in both debuggers.
COMMANDS = ["pystack", "pyobj", "pyopstack", "opcode-stack", "pyframe", "pyup", "pydown",
            "pylocals", "pylist", "pyinfo", "py-bt", "py-bt-full", "py-print", "py-locals",
            "py-list", "py-up", "py-down"]


def outputs(lldb, env, commands):
    """{command: its output} from one batch LLDB run that reads ~/.lldbinit."""
    argv = [lldb, "--no-use-colors", "--batch",
            "-o", "settings set interpreter.stop-command-source-on-error false"]
    for c in commands:
        argv += ["-o", c]
    text = subprocess.run(argv, env=sanitizer_env.debugger_env(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120).stdout.decode(errors="replace")
    # LLDB echoes each command as "(lldb) command"; its output follows.
    pieces = re.split(r"^\(lldb\) (.*)$", text, flags=re.M)
    return dict(zip(pieces[1::2], (p.lstrip("\n") for p in pieces[2::2])))


def check(failures, how, out):
    for name in COMMANDS:
        text = out.get("help " + name, "")
        if "error:" in text or name not in text:
            failures.append("%s: `%s` is not registered:\n%s" % (how, name, text))
    text = out.get("help pystack", "")
    if "Syntax: pystack" not in text or len(text.strip().splitlines()) < 4:
        failures.append("%s: `help pystack` lacks the syntax or the full help:\n%s" % (how, text))
    text = out.get("pystack", "")
    if not text.startswith("error: no target"):
        failures.append("%s: `pystack` without a target should say so:\n%s" % (how, text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lldb", required=True)
    parser.add_argument("--plugin", required=True)
    opts = parser.parse_args()
    plugin = os.path.abspath(opts.plugin)
    commands = ["help " + c for c in COMMANDS] + ["pystack"]
    failures = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-lldb-smoke-") as home:
        env = dict(os.environ, HOME=home)
        env.pop("XDG_DATA_HOME", None)
        with open(os.path.join(home, ".lldbinit"), "w") as f:
            f.write("plugin load %s\n" % plugin)
        check(failures, "~/.lldbinit", outputs(opts.lldb, env, commands))

        os.remove(os.path.join(home, ".lldbinit"))
        data = os.path.join(home, "data")
        os.makedirs(os.path.join(data, "lldb"))
        os.symlink(plugin, os.path.join(data, "lldb", os.path.basename(plugin)))
        env["XDG_DATA_HOME"] = data
        check(failures, "$XDG_DATA_HOME/lldb", outputs(opts.lldb, env, commands))
    if failures:
        sys.exit("FAILED:\n" + "\n\n".join(failures))
    print("ok: %s loads the plugin from ~/.lldbinit and $XDG_DATA_HOME/lldb; %d commands "
          "registered with help" % (opts.lldb, len(COMMANDS)))


if __name__ == "__main__":
    main()
