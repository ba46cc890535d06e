#!/usr/bin/env python3
"""Python breakpoints and stepping in gdb and each LLDB, on one interpreter.

  breakpoints.py --install PREFIX --python SPEC [--stripped] [--attach] [--lldb LLDB ...]

The target (scenarios/breakpoints.py) writes what it does to its log before
doing it. After every stop the session copies the log aside (a snapshot),
and the stop is checked against that snapshot, never against what cpydbg
says elsewhere: the breakpoint and line the program is at, its loop
variable, the value a function returned, the thread. One debugger session
per path runs all of its checks:
  launch    pybreak --main and pybreak before `run` (a line in a loop: hit
            1, then hit 2 after continue; a function with a condition; a
            line in another thread), pynext over a call, pystep into one,
            pyfinish with the value returned, pystack/pylocals/py-print/
            pyopstack in the stopped frame, pybreak's list with hit counts,
            a native stop (the program's SIGTRAP, as Ctrl-C) and pystep from
            it, pydelete and the program's own output; then the core gdb
            wrote at the first stop refuses pybreak and pystep with one line.
  --attach  a running process attached to (gdb -p, process attach -p): a
            breakpoint set then, its hit, pydelete, detach, and the program
            running on to its end.
gdb runs first (it writes the core the LLDBs open).

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gdb_backend  # noqa: E402
import interpreters  # noqa: E402
import lldb_backend  # noqa: E402

SCRIPT = os.path.join(HERE, "scenarios", "breakpoints.py")
STOP = re.compile(r'^(Temporary )?Python breakpoint (\d+), File "([^"]+)", line (\d+), in (\S+)$', re.M)
STEP = re.compile(r'^File "([^"]+)", line (\d+), in (\S+)$', re.M)
VERBOSE = False  # --verbose: print every command's output
REFUSAL = "Python breakpoints and stepping need a live process; this is a core file"


def marks():
    """MARK name -> line number, from the scenario's comments."""
    found = {}
    with open(SCRIPT) as f:
        for number, line in enumerate(f, 1):
            m = re.search(r"# MARK: (\w+)", line)
            if m:
                found[m.group(1)] = number
    return found


def records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def last(path, event):
    for r in reversed(records(path)):
        if r["event"] == event:
            return r
    return None


def local_values(text):
    """pylocals' `name = repr` lines."""
    return dict(m.groups() for m in re.finditer(r"^  (\w+) = (.*)$", text, re.M))


class Session:
    """The steps of one debugger session: abstract commands, each with a
    check of its output run after the session (snapshots are there by then)."""

    def __init__(self, log):
        self.log = log
        self.steps = []  # (command, check(output, fail) or None)
        self.snapshots = 0
        self.finale = None  # the step after which the program has ended

    def add(self, command, check=None):
        self.steps.append((command, check))

    def snapshot(self):
        """Copy the log as it is at this stop; returns the copy's path."""
        self.snapshots += 1
        path = "%s.%d" % (self.log, self.snapshots)
        self.add(("shell", "cp %s %s" % (self.log, path)))
        return path


def expect_stop(what, bp, line, function, temporary=False):
    def check(out, fail):
        m = STOP.search(out)
        if not m:
            fail("%s: no Python breakpoint stop in:\n%s" % (what, out))
        elif (bool(m.group(1)), int(m.group(2)), int(m.group(4)), m.group(5)) != (temporary, bp, line, function) or \
                not m.group(3).endswith("breakpoints.py"):
            fail("%s: stopped at %s, expected breakpoint %d at line %d in %s" % (what, m.group(0), bp, line, function))
    return check


def expect_step(what, line, function, then=None):
    def check(out, fail):
        m = STEP.search(out)
        if not m or (int(m.group(2)), m.group(3)) != (line, function):
            fail("%s: expected a stop at line %d in %s, got:\n%s" % (what, line, function, out))
        elif then:
            then(out, fail)
    return check


def expect_locals(what, snapshot, expected):
    """`expected(snapshot) -> {name: repr}` from the target's own record."""
    def check(out, fail):
        want = expected(snapshot)
        got = local_values(out)
        for name, value in want.items():
            if got.get(name) != value:
                fail("%s: %s = %s, the target recorded %s\n%s" % (what, name, got.get(name), value, out))
    return check


def expect_in(what, *texts):
    def check(out, fail):
        for t in texts:
            if t not in out:
                fail("%s: %r not in:\n%s" % (what, t, out))
    return check


def launch_session(log, core, m):
    s = Session(log)
    s.add(("cmd", "pybreak --main"),
          expect_in("pybreak --main", "Temporary Python breakpoint 1 at the main script's first line (pending"))
    s.add(("cmd", "pybreak breakpoints.py:%d" % m["LOOP_CALL"]),
          expect_in("pybreak before run", "Python breakpoint 2 at breakpoints.py:%d (pending" % m["LOOP_CALL"]))
    s.add(("cmd", "pybreak triple_plus_one if x == 4"),
          expect_in("function breakpoint", "Python breakpoint 3 at triple_plus_one if x == 4"))
    s.add(("cmd", "pybreak breakpoints.py:%d" % m["WORKER_LINE"]), expect_in("thread breakpoint", "Python breakpoint 4 at"))
    s.add(("run",), expect_stop("run", 1, m["FIRST_LINE"], "<module>", temporary=True))
    at_main = s.snapshot()  # nothing is logged before the first line has run
    s.add(("cmd", "pystack"), lambda out, fail: records(at_main) and fail("the program ran before --main stopped it"))
    s.add(("cmd", "pybreak"), lambda out, fail: "main script" in out and fail("--main is once only:\n" + out))
    s.add(("continue",), expect_stop("continue", 2, m["LOOP_CALL"], "compute"))
    first = s.snapshot()
    s.add(("gcore", core))
    loop = lambda snap: {"i": str(last(snap, "loop")["i"]), "total": str(last(snap, "loop")["total"])}  # noqa: E731
    s.add(("cmd", "pylocals"), expect_locals("hit 1", first, loop))
    s.add(("cmd", "py-print i"), expect_in("py-print", "local 'i' = %d" % 0))
    s.add(("cmd", "pystack"), expect_in("pystack at the stop", "#0 File", "line %d, in compute" % m["LOOP_CALL"], "in launch"))
    s.add(("cmd", "pyopstack"), expect_in("pyopstack at the stop", "line %d" % m["LOOP_CALL"]))
    s.add(("continue",), expect_stop("continue", 2, m["LOOP_CALL"], "compute"))
    second = s.snapshot()
    s.add(("cmd", "pylocals"), expect_locals("hit 2", second, loop))

    # pynext over triple_plus_one(i): back at the loop's head, it has run (its
    # record is there) and total has its value added.
    s.add(("cmd", "pynext"), expect_step("pynext over a call", m["LOOP_HEAD"], "compute"))
    over = s.snapshot()

    def total_after_call(snap):
        before, called = last(snap, "loop"), last(snap, "triple_plus_one")
        if called["x"] != before["i"]:
            return {"x of the call": "%d, not %d" % (called["x"], before["i"])}
        return {"total": str(before["total"] + int(called["returns"]))}
    s.add(("cmd", "pylocals"), expect_locals("pynext", over, total_after_call))

    # pystep into triple_plus_one(i) from the next hit, then pyfinish out of it (the
    # value it returns is in the log once it has stopped there).
    s.add(("continue",), expect_stop("continue to hit 3", 2, m["LOOP_CALL"], "compute"))
    third = s.snapshot()
    s.add(("cmd", "pystep"), expect_step("pystep into a call", m["HELPER_FIRST"], "triple_plus_one"))
    s.add(("cmd", "pylocals"), expect_locals("pystep", third, lambda snap: {"x": str(last(snap, "loop")["i"])}))

    def finished(out, fail):
        expect_in("pyfinish", "Run till exit from #0 File")(out, fail)
        expect_step("pyfinish", m["HELPER_RETURN"], "triple_plus_one")(out, fail)
        expect_in("pyfinish's value", "Value returned: %s" % last(returned, "triple_plus_one")["returns"])(out, fail)
    s.add(("cmd", "pyfinish"), finished)
    returned = s.snapshot()

    s.add(("cmd", "pydelete 2"), expect_in("pydelete 2", "Deleted Python breakpoint 2."))
    s.add(("continue",), expect_stop("the conditional function breakpoint", 3, m["HELPER_FIRST"], "triple_plus_one"))
    cond = s.snapshot()
    s.add(("cmd", "pylocals"), expect_locals("condition", cond, lambda snap: {"x": str(last(snap, "loop")["i"])}))
    s.add(("cmd", "py-print x"), expect_in("condition held", "local 'x' = 4"))
    s.add(("cmd", "pybreak"), lambda out, fail: [
        fail("pybreak list: no line %r in:\n%s" % (pattern, out))
        for pattern in (r"^3\s+triple_plus_one\s+1\s+x == 4$", r"^4\s+breakpoints\.py:%d\s+0\s*$" % m["WORKER_LINE"])
        if not re.search(pattern, out, re.M)])
    s.add(("continue",))  # the program's own SIGTRAP: a native stop
    s.add(("cmd", "pywhere"), expect_in("a native stop", "The program is not stopped at a Python breakpoint or step."))
    s.add(("cmd", "pystep"), expect_step("pystep from a native stop", m["AFTER_SIGNAL"], "launch"))
    stepped = s.snapshot()
    s.add(("cmd", "pylocals"), lambda out, fail: last(stepped, "after-signal") and fail(
        "pystep stopped after its line had run"))
    s.add(("continue",), expect_stop("the breakpoint in another thread", 4, m["WORKER_LINE"], "worker"))
    in_thread = s.snapshot()
    s.add(("cmd", "pystack"), lambda out, fail: expect_in(
        "the other thread's stack", '"%s"' % last(in_thread, "worker")["thread"], "in worker")(out, fail))
    s.add(("cmd", "pylocals"), expect_locals("the other thread", in_thread,
                                             lambda snap: {"item": str(last(snap, "worker")["item"])}))
    s.add(("cmd", "pydelete"), expect_in("pydelete", "Deleted 2 Python breakpoints."))
    s.finale = len(s.steps)
    s.add(("continue",))  # to the end: the program's output is checked by the caller
    s.add(("core", core))
    s.add(("cmd", "pybreak breakpoints.py:%d" % m["LOOP_CALL"]), expect_in("core", REFUSAL))
    s.add(("cmd", "pystep"), expect_in("core", REFUSAL))
    return s


def attach_session(log, m):
    s = Session(log)
    s.add(("cmd", "pybreak breakpoints.py:%d" % m["TICK_LINE"]),
          expect_in("pybreak on an attached process", "Python breakpoint 1 at breakpoints.py:%d (set when the process continues"
                    % m["TICK_LINE"]))
    s.add(("continue",), expect_stop("attached", 1, m["TICK_LINE"], "attach"))
    hit = s.snapshot()
    s.add(("cmd", "pylocals"), expect_locals("attached", hit, lambda snap: {"n": str(last(snap, "tick")["n"])}))
    # No pydelete: detaching must take the agent out of the way all the same
    # (the line is run again at once; a breakpoint instruction nobody catches
    # would kill the program).
    s.add(("detach",))
    return s, hit


def gdb_command(command):
    kind, arg = command[0], command[1] if len(command) > 1 else None
    return {"cmd": arg, "run": "run", "continue": "continue", "detach": "detach",
            "shell": "shell %s" % arg, "gcore": "gcore %s" % arg, "core": "core-file %s" % arg}[kind]


def lldb_command(command, interp, program_args, program_out):
    kind, arg = command[0], command[1] if len(command) > 1 else None
    if kind == "run":
        words = " ".join(lldb_backend._quote(a) for a in program_args)
        return "process launch -i /dev/null -o %s -e %s -- %s" % (program_out, program_out, words)
    return {"cmd": arg, "continue": "process continue", "detach": "process detach",
            "shell": "platform shell %s" % arg,
            "gcore": "platform shell true",  # the LLDBs open the core gdb wrote
            "core": "target create %s --core %s" % (lldb_backend._quote(interp.exe), arg)}[kind]


def check_session(what, session, outputs, failures):
    if VERBOSE:
        for (command, _), out in zip(session.steps, outputs):
            print("### %s: %s\n%s" % (what, " ".join(command), out), end="")
    if len(outputs) != len(session.steps):
        failures.append("%s: %d outputs for %d commands" % (what, len(outputs), len(session.steps)))
        return
    for (command, check), out in zip(session.steps, outputs):
        if check:
            check(out, lambda msg: failures.append("%s: %s" % (what, msg)))


def check_finished(what, log, output, failures):
    done = last(log, "finished")
    main = last(log, "main")
    if not done:
        failures.append("%s: the program did not finish (log: %s)" % (what, records(log)[-3:]))
        return
    if "result %d expected %d" % (done["expected"], done["expected"]) not in output:
        failures.append("%s: the program printed the wrong result (expected %d):\n%s"
                        % (what, done["expected"], output[-2000:]))
    if done["thread_hook"] != "None":
        failures.append("%s: threading's trace hook is still %s after pydelete" % (what, done["thread_hook"]))
    if main and main["preload"] not in (None, ""):
        failures.append("%s: the program saw LD_PRELOAD=%s (the agent should leave it)" % (what, main["preload"]))


def run_launch(opts, interp, debugger, tmp, m, failures):
    log = os.path.join(tmp, "log")
    core = os.path.join(os.path.dirname(tmp), "core")  # gdb's, for every debugger
    program_out = os.path.join(tmp, "out")
    session = launch_session(log, core, m)
    args = [SCRIPT, log, "launch"]
    common = dict(no_separate_debug=interp.no_separate_debug)
    if debugger == "gdb":
        outputs = gdb_backend.run_gdb_commands(
            opts.shim, ["--args", interp.exe] + args, [gdb_command(c) for c, _ in session.steps],
            env=interp.env, **common)
        printed = outputs[session.finale] if len(outputs) > session.finale else ""
    else:
        pre = ["target create %s" % lldb_backend._quote(interp.exe)]
        if interp.env:
            pre.append("settings set target.env-vars " +
                       " ".join(lldb_backend._quote("%s=%s" % kv) for kv in interp.env.items()))
        commands = [lldb_command(c, interp, args, program_out) for c, _ in session.steps]
        outputs = lldb_backend.run_lldb_commands(debugger, opts.plugin, pre + commands, **common)[len(pre):]
        printed = open(program_out).read() if os.path.exists(program_out) else ""
    what = "%s launch" % debugger
    check_session(what, session, outputs, failures)
    check_finished(what, log, printed, failures)


def run_attach(opts, interp, debugger, tmp, m, failures):
    log = os.path.join(tmp, "log")
    env = dict(os.environ, **interp.env)
    env.pop("LD_PRELOAD", None)
    proc = subprocess.Popen([interp.exe, SCRIPT, log, "attach"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    what = "%s attach" % debugger
    try:
        deadline = time.time() + 30
        while not last(log, "ready") and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        if not last(log, "ready"):
            failures.append("%s: the program did not start" % what)
            return
        session, hit = attach_session(log, m)
        common = dict(no_separate_debug=interp.no_separate_debug, timeout=120)
        if debugger == "gdb":
            outputs = gdb_backend.run_gdb_commands(opts.shim, ["-p", str(proc.pid)],
                                                   [gdb_command(c) for c, _ in session.steps], **common)
        else:
            pre = ["process attach -p %d" % proc.pid]
            commands = [lldb_command(c, interp, [], None) for c, _ in session.steps]
            outputs = lldb_backend.run_lldb_commands(debugger, opts.plugin, pre + commands, **common)[len(pre):]
        check_session(what, session, outputs, failures)
        open(log + ".release", "w").close()
        printed, _ = proc.communicate(timeout=30)
        done, stopped_at = last(log, "finished"), last(hit, "tick")
        if not done:
            failures.append("%s: the program did not run on to its end after detach" % what)
        elif "ticks %d handled %d" % (done["ticks"], 2 * done["ticks"]) not in printed.decode(errors="replace"):
            failures.append("%s: the program printed %r" % (what, printed[-500:]))
        elif stopped_at and done["ticks"] <= stopped_at["n"]:
            failures.append("%s: the program made no progress after detach" % what)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--stripped", action="store_true")
    parser.add_argument("--attach", action="store_true")
    parser.add_argument("--lldb", action="append", default=[])
    parser.add_argument("--verbose", action="store_true", help="print every command's output")
    opts = parser.parse_args()
    global VERBOSE
    VERBOSE = opts.verbose
    opts.shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    opts.plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    failures = []
    m = marks()
    with tempfile.TemporaryDirectory(prefix="cpydbg-breakpoints-") as tmp:
        interp = interpreters.resolve(opts.python)
        if opts.stripped:
            interp = interpreters.stripped_copy(interp, tmp)
        for index, debugger in enumerate(["gdb"] + opts.lldb):
            work = os.path.join(tmp, "session%d" % index)
            os.mkdir(work)
            try:
                (run_attach if opts.attach else run_launch)(opts, interp, debugger, work, m, failures)
            except (gdb_backend.GdbError, lldb_backend.LldbError, subprocess.TimeoutExpired) as e:
                failures.append("%s: %s" % (debugger, e))
    for f in failures:
        print("FAIL " + f)
    print("%s %s (%s): %d failures" % (opts.python, "stripped" if opts.stripped else "with DWARF",
                                       "attach" if opts.attach else "launch", len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
