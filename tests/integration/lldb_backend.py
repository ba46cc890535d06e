"""Run cpydbg commands under LLDB in batch mode and return each one's output.

The integration harness calls run_lldb() with the same scenario it gives the
gdb backend and compares the texts. Everything about driving LLDB lives here:
the command file, the markers that cut its output into one piece per command,
filtering LLDB's own noise, and never leaving an inferior behind.

Standard library only: it runs under /usr/bin/python3.
"""

import os
import re
import secrets
import shlex
import signal
import subprocess
import tempfile

import sanitizer_env

__all__ = ["run_lldb", "run_lldb_commands", "LldbError"]


class LldbError(RuntimeError):
    """LLDB could not set the scenario up (load, launch, plugin) or timed out."""


# Debian's LLDB builds carry a broken embedded Python; each attempt to use it
# prints a traceback like this, even in the middle of `process launch`:
#   Traceback (most recent call last):
#     File "<string>", line 1, in <module>
#   ModuleNotFoundError: No module named 'lldb.embedded_interpreter'
# It is written asynchronously, so other lines (a command's echo, its
# output) can come between its lines: drop them one by one, from a header
# whose next traceback line is a "<string>" frame to the error line that
# ends it. A real traceback in a command's output (pyobj of an exception)
# names real files and is kept.
_NOISE_HEAD = "Traceback (most recent call last):"
_NOISE_FRAME = re.compile(r'^  File "<string>", line \d+, in <module>$')
# The error line that ends it; the output written at the same moment may
# follow on the same line ("…is not definedThread 0x7fff… [holds the GIL]:").
_NOISE_END = re.compile(r"^(?:ModuleNotFoundError: No module named 'lldb[.\w]*'"
                        r"|NameError: name '\w+' is not defined)")


def _is_noise_head(lines, i):
    for line in lines[i + 1:]:
        if _NOISE_FRAME.match(line):
            return True
        if line == _NOISE_HEAD or line.startswith('  File "'):
            return False
    return False


def _without_python_noise(text):
    lines = text.split("\n")
    kept, in_noise, owes_newline = [], False, False
    for i, line in enumerate(lines):
        if line == _NOISE_HEAD and _is_noise_head(lines, i):
            in_noise = True
        elif in_noise and _NOISE_FRAME.match(line):
            pass
        elif in_noise and _NOISE_END.match(line):
            in_noise = False
            # Output that came in before the error's own newline: keep it,
            # and drop the blank line that newline then makes.
            rest = line[_NOISE_END.match(line).end():]
            if rest:
                kept.append(rest)
                owes_newline = True
        elif owes_newline and line == "":
            owes_newline = False
        else:
            owes_newline = False
            kept.append(line)
    return "\n".join(kept)


# LLDB's complaints about other libraries' DWARF, printed whenever an
# expression makes it parse them: "error: libm.so.6 0x00036cb2: DW_TAG_...".
_DWARF_NOISE = re.compile(r"^(?:error|warning): \S+ 0x[0-9a-fA-F]+: .*\n", re.M)


def _quote(word):
    """One LLDB command-line word, whatever it contains."""
    word = str(word)
    if word and not re.search(r"[\s'\"\\`]", word):
        return word
    if "'" not in word and "`" not in word:
        return "'" + word + "'"  # single quotes: LLDB takes the text literally
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _descendants(pid):
    """Every live process below `pid` (lldb-server, the inferior), by /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after it.
        fields = stat[stat.rfind(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(proc):
    """Kill lldb and everything it started; only our own process tree."""
    for pid in _descendants(proc.pid) + [proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def write_command_file(marker, commands, path):
    """The commands, each after a marker line (LLDB has no `echo`; the shell does)."""
    with open(path, "w") as f:
        for i, command in enumerate(commands):
            f.write(f"platform shell echo {marker}{i}\n{command}\n")


def _script(plugin, program, args, env, core, commands, emit, marker, inferior_out, cmdfile):
    lines = []
    if core is not None:
        lines.append(f"target create {_quote(program)} --core {_quote(core)}")
    else:
        lines.append(f"target create {_quote(program)}")
        if env:
            pairs = " ".join(_quote(f"{k}={v}") for k, v in env.items())
            lines.append(f"settings set target.env-vars {pairs}")
    lines.append(f"plugin load {_quote(plugin)}")
    lines.append(f"platform shell echo {marker}LOADED")
    if core is None:
        # The program stops itself with SIGTRAP; LLDB's default for SIGTRAP is
        # stop + notify, so launch returns with the process stopped there.
        # Its stdio goes to a file so it cannot mix into the markers.
        out = _quote(inferior_out)
        arg_words = " ".join(_quote(a) for a in args)
        lines.append(f"process launch -i /dev/null -o {out} -e {out} -- {arg_words}".rstrip())
    body = [f"platform shell echo {marker}LAUNCHED", "process status"]
    if emit:
        words = " ".join(shlex.quote(w) for w in list(emit) + [marker, cmdfile])
        body.append(f"platform shell {words}")
        body.append(f"command source {_quote(cmdfile)}")
    else:
        for i, command in enumerate(commands):
            body.append(f"platform shell echo {marker}{i}")
            body.append(command)
    body.append(f"platform shell echo {marker}END")
    if core is None:
        body.append("process kill")
    return lines + body, body


def _sections(text, marker):
    """{label: text} between `marker<label>` lines; the first occurrence wins."""
    sections, label, current = {}, None, []
    for line in text.split("\n"):
        if line.startswith(marker):
            if label is not None and label not in sections:
                sections[label] = current
            label, current = line[len(marker):].strip(), []
        elif label is not None:
            current.append(line)
    if label is not None and label not in sections:
        sections[label] = current
    return sections


def _command_output(lines, command, marker):
    """Strip LLDB's echo of the command (None: whatever command it is); keep the rest exactly.

    LLDB prints some output (e.g. `thread select`'s status) asynchronously:
    it can land after the echo of the next marker command or even before the
    echo of the next command, so neither is assumed to be at an end.
    """
    echo = f"(lldb) platform shell echo {marker}"
    lines = [line for line in lines if not line.startswith(echo)]
    for i, line in enumerate(lines):
        if line.rstrip() == f"(lldb) {command}".rstrip() or (
                command is None and line.startswith("(lldb) ")):
            lines = lines[:i] + lines[i + 1:]
            break
    return "".join(line + "\n" for line in lines)


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _run_batch(lldb_exe, script_path, crash_path, no_separate_debug, timeout):
    """LLDB's output for a command file (crash_path: what it runs instead
    after a crash), LLDB's noise filtered out; never leaves a process behind."""
    argv = [lldb_exe, "--no-lldbinit", "--no-use-colors", "--batch",
            # One failing command must not end the file in batch mode.
            "-o", "settings set interpreter.stop-command-source-on-error false",
            "-o", "settings set symbols.enable-external-lookup %s"
            % ("false" if no_separate_debug else "true"),
            "-s", script_path, "-K", crash_path]
    if sanitizer_env.preloading():
        argv[1:1] = ["-o", "settings set target.unset-env-vars LD_PRELOAD"]
    proc = subprocess.Popen(argv, env=sanitizer_env.debugger_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raw, _ = proc.communicate()
        tail = raw.decode(errors="replace")[-2000:]
        raise LldbError(f"lldb timed out after {timeout}s ({' '.join(argv)}); "
                        f"output so far:\n{tail}") from None
    finally:
        # Batch LLDB kills its inferior on exit; this catches anything left.
        _kill_tree(proc)
    text = raw.decode(errors="replace").replace("\r\n", "\n")
    return _DWARF_NOISE.sub("", _without_python_noise(text))


def run_lldb_commands(lldb_exe, plugin, commands, no_separate_debug=False, timeout=120):
    """Run `commands` in one LLDB with the plugin loaded and return each one's
    output. The commands open what they debug themselves (`target create`,
    `process launch`, `process attach`, ...). Raises LldbError when LLDB
    does not get through them."""
    marker = f"__CPYDBG_{secrets.token_hex(6)}_"
    with tempfile.TemporaryDirectory(prefix="cpydbg-lldb-") as tmp:
        script_path = os.path.join(tmp, "commands.lldb")
        crash_path = os.path.join(tmp, "after-crash.lldb")
        # The plugin's load is command 0; its output is not the caller's.
        write_command_file(marker, [f"plugin load {_quote(plugin)}"] + list(commands), script_path)
        with open(script_path, "a") as f:
            f.write(f"platform shell echo {marker}END\n")
        with open(crash_path, "w") as f:
            f.write(f"platform shell echo {marker}CRASHED\nprocess kill\n")
        text = _run_batch(lldb_exe, script_path, crash_path, no_separate_debug, timeout)
    sections = _sections(text, marker)
    if "END" not in sections or "CRASHED" in sections:
        raise LldbError(f"lldb did not run every command\n--- lldb output ---\n{text}")
    return [_command_output(sections.get(str(i + 1), []), cmd, marker) for i, cmd in enumerate(commands)]


def run_lldb(lldb_exe, plugin, program, args=(), env=None, core=None, commands=(), emit=None,
             no_separate_debug=False, timeout=120):
    """Run `commands` in LLDB with the cpydbg plugin and return their outputs.

    Either launches `program args` (with `env` added to the inferior's
    environment, not LLDB's own) and lets it stop itself with SIGTRAP, or
    opens `core` for `program`. Returns one string per command: everything
    the command printed (errors included, as "error: ..."), lines ending
    in newlines. `emit`, if given, is an argv that writes the command file
    once the target has stopped (argv + [marker, path]), for commands that
    depend on what the target wrote about itself; it replaces `commands`.
    `no_separate_debug` keeps LLDB from finding DWARF outside the binaries.
    Raises LldbError when the setup fails or on timeout.
    """
    commands = list(commands)
    marker = f"__CPYDBG_{secrets.token_hex(6)}_"
    with tempfile.TemporaryDirectory(prefix="cpydbg-lldb-") as tmp:
        inferior_out = os.path.join(tmp, "inferior.out")
        cmdfile = os.path.join(tmp, "emitted.lldb")
        script, after_crash = _script(plugin, program, args, env, core, commands, emit,
                                      marker, inferior_out, cmdfile)
        script_path = os.path.join(tmp, "commands.lldb")
        crash_path = os.path.join(tmp, "after-crash.lldb")
        with open(script_path, "w") as f:
            f.write("\n".join(script) + "\n")
        # If a batch LLDB decides the SIGTRAP stop was a crash, it abandons the
        # command file and runs -K instead: same commands, same markers.
        with open(crash_path, "w") as f:
            f.write("\n".join(after_crash) + "\n")
        text = _run_batch(lldb_exe, script_path, crash_path, no_separate_debug, timeout)
        inferior = _read(inferior_out)
    sections = _sections(text, marker)

    def fail(what):
        msg = f"lldb: {what}\n--- lldb output ---\n{text}"
        if inferior:
            msg += f"\n--- inferior output ---\n{inferior}"
        raise LldbError(msg)

    before = text.split(f"\n{marker}LOADED")[0] if "LOADED" in sections else text
    if "LOADED" not in sections or re.search(r"^error:", before, re.M):
        fail("creating the target or loading the plugin failed")
    status = "".join(sections.get("LAUNCHED", []))
    if not re.search(r"Process \d+ stopped", status):
        fail("the program did not stop (it should stop itself with SIGTRAP)"
             if core is None else "the core file did not load as a stopped process")
    if "END" not in sections:
        fail("lldb did not run every command")
    if emit:
        count = sum(1 for label in sections if label.isdigit())
        return [_command_output(sections.get(str(i), []), None, marker) for i in range(count)]
    return [_command_output(sections.get(str(i), []), cmd, marker)
            for i, cmd in enumerate(commands)]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run cpydbg commands under lldb.")
    parser.add_argument("--lldb", default="lldb")
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--core")
    parser.add_argument("--env", action="append", default=[], metavar="K=V")
    parser.add_argument("-c", "--command", action="append", default=[])
    parser.add_argument("program")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    outputs = run_lldb(opts.lldb, opts.plugin, opts.program, opts.args,
                       dict(e.split("=", 1) for e in opts.env), opts.core, opts.command)
    for command, output in zip(opts.command, outputs):
        print(f"### {command}\n{output}", end="")
