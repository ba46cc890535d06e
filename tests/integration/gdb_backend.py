"""Run cpydbg commands under gdb in batch mode and return each one's output.

The counterpart of lldb_backend.run_lldb, with the same contract: launch a
program that stops itself with SIGTRAP (or open a core), run the commands,
return one string per command, gdb's errors included (bare, where lldb
prefixes them with "error: ").

Standard library only: it runs under /usr/bin/python3.
"""

import os
import re
import secrets
import subprocess
import tempfile

import sanitizer_env

__all__ = ["run_gdb", "run_gdb_commands", "GdbError", "write_command_file"]


class GdbError(RuntimeError):
    """gdb could not set the scenario up (load, run, shim) or timed out."""


def _shell_word(word):
    """One word of a `shell` command line (gdb hands the line to /bin/sh)."""
    return "'" + str(word).replace("'", "'\\''") + "'"


def write_command_file(marker, commands, path):
    """The commands, each after a marker line gdb echoes (`echo` is gdb's own).

    An error ends a sourced gdb file, so each command runs through gdb's
    Python, which prints the error bare and goes on (as LLDB does).
    """
    with open(path, "w") as f:
        for i, command in enumerate(commands):
            f.write("echo %s%d\\n\n" % (marker, i))
            f.write("python\ntry:\n    gdb.execute(%r)\nexcept gdb.error as e:\n"
                    "    gdb.write(str(e) + '\\n')\nend\n" % command)
        f.write("echo %sEND\\n\n" % marker)


def _setup(shim, env, no_separate_debug, tmp):
    """gdb's settings before the program loads (-iex) and after (-ex), up to
    the sourced shim; `env` goes to the inferior only."""
    early = ["set debuginfod enabled off"]
    pre = ["set pagination off", "set width 0", "set confirm off"]
    if sanitizer_env.preloading():
        pre.append("unset environment LD_PRELOAD")
    if no_separate_debug:
        early.append("set debug-file-directory " + os.path.join(tmp, "no-debug-files"))
    for k, v in (env or {}).items():
        pre.append("set environment %s %s" % (k, v))
    pre.append("source " + shim)
    return early, pre


def _argv(early, pre):
    argv = ["gdb", "-nx", "-q", "-batch"]
    for c in early:
        argv += ["-iex", c]
    for c in pre:
        argv += ["-ex", c]
    return argv


def _run(argv, timeout):
    try:
        proc = subprocess.run(argv, env=sanitizer_env.debugger_env(),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise GdbError("gdb timed out after %ds: %s" % (timeout, " ".join(argv))) from e
    return proc.stdout.decode(errors="replace")


def run_gdb_commands(shim, target_args, commands, env=None, no_separate_debug=False, timeout=180):
    """Run `commands` in one gdb with the shim sourced and return each one's
    output (the inferior's own output included where it printed it).

    `target_args` says what gdb opens: ["--args", program, ...] or ["-p", pid];
    the commands run it (`run`, `continue`, `detach`, ...). Raises GdbError
    when gdb does not get through them.
    """
    marker = "__CPYDBG_%s_" % secrets.token_hex(6)
    with tempfile.TemporaryDirectory(prefix="cpydbg-gdb-") as tmp:
        cmdfile = os.path.join(tmp, "commands.gdb")
        early, pre = _setup(shim, env, no_separate_debug, tmp)
        write_command_file(marker, commands, cmdfile)
        pre.append("source " + cmdfile)
        text = _run(_argv(early, pre) + list(target_args), timeout)
    if marker + "END" not in text:
        raise GdbError("gdb did not run every command:\n" + text)
    return re.split(re.escape(marker) + r"\d+\n", text.split(marker + "END")[0])[1:]


def run_gdb(program, shim, args=(), env=None, core=None, commands=(), emit=None, gcore=None,
            no_separate_debug=False, timeout=180):
    """Run `commands` in gdb with the cpydbg shim sourced.

    Either runs `program args` (`env` added to the inferior's environment)
    until it stops itself, or opens `core`. `emit`, if given, is an argv that
    writes the command file once the target has stopped (argv + [marker,
    path]), for commands that depend on what the target wrote about itself;
    it replaces `commands`. `gcore` writes a core file at the end. Returns
    one string per command. Raises GdbError when the setup fails.
    """
    marker = "__CPYDBG_%s_" % secrets.token_hex(6)
    with tempfile.TemporaryDirectory(prefix="cpydbg-gdb-") as tmp:
        cmdfile = os.path.join(tmp, "commands.gdb")
        early, pre = _setup(shim, env, no_separate_debug, tmp)
        pre.append("echo %sLOADED\\n" % marker)
        if core is None:
            pre.append("run")
        pre.append("echo %sSTOPPED\\n" % marker)
        pre.append("info program" if core is None else "info target")
        if emit:
            pre.append("shell " + " ".join(_shell_word(w) for w in list(emit) + [marker, cmdfile]))
        else:
            write_command_file(marker, commands, cmdfile)
        pre.append("source " + cmdfile)
        if gcore:
            pre.append("gcore " + gcore)
        if core is None:
            pre.append("kill")
        argv = _argv(early, pre) + ([program, core] if core else ["--args", program] + list(args))
        text = _run(argv, timeout)
    if marker + "LOADED" not in text or marker + "STOPPED" not in text:
        raise GdbError("gdb did not load the shim or the target:\n" + text)
    if not emit and not commands:
        return []
    if marker + "END" not in text:
        raise GdbError("gdb did not run every command:\n" + text)
    body = text.split(marker + "END")[0]
    return re.split(re.escape(marker) + r"\d+\n", body)[1:]
