#!/usr/bin/env python3
"""Time cpydbg's commands beside libpython's on the same core files (a benchmark, not a test).

  bench.py --install PREFIX [--python SPEC ...] [--spot SPEC ...] [--lldb LLDB ...]
           [--runs N] [--cases NAME,...] [--results FILE]

For each shape of process (1,000 and 10,000 frames deep, 100 threads, a
10^6-element list, a 10^5-key dict) it runs bench/target.py under the
interpreter, gcore's it in gdb, then opens the core in fresh debugger
processes, `--runs` times each: once with nothing to do (the base), and once
per command, so every command is the first of its session (attaching
included). Each of our commands runs in gdb and in each LLDB given; where
libpython has a counterpart, it runs in gdb with the interpreter's own
libpython script (bin/pythonX.Y-gdb.py) sourced instead of ours, on the same
core, in the same run.

Columns (medians over the runs; CPU time, which stays put when other jobs
share the machine, unlike wall time):
  cmd ms      the command's own CPU time inside the debugger: in gdb measured
              by gdb's Python around gdb.execute (ours and libpython's alike;
              gdb's DWARF-indexing worker threads excluded); in LLDB by the
              core itself (CPYDBG_STATS)
  process ms  CPU time of the whole debugger process (user + system, all
              threads) with the command
  adds ms     process ms minus the base's
  reads       target memory reads the command made (after cpydbg's page cache)
  trips       calls into the debugger (gdb: callbacks into its Python; LLDB:
              SB API requests); both from CPYDBG_STATS, ours only
  peak MB     the debugger's peak resident memory with the command
  lines       lines the timed commands printed (LLDB: with its echo of them)
  vs libpython  libpython's cmd ms / ours, on our gdb rows

Prints the table and writes it (Markdown, with the date, machine and
commit) to --results (default: bench/results.md next to this script).
Standard library only: runs under /usr/bin/python3.
"""

import argparse
import collections
import ctypes
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import interpreters  # noqa: E402

# One row each: `ours` runs in gdb and every LLDB, `libpython` (or None) in
# gdb with libpython's script instead; `setup` runs first in all, untimed.
# Each is a list of commands (the timed ones: as one block), or a dict of
# them by debugger kind. {addr} is what the target wrote.
Row = collections.namedtuple("Row", "ours libpython setup")


def row_of(ours, libpython=None, setup=()):
    return Row(ours, libpython, setup)


# The debugger's own backtrace.
BT = {"gdb": ["bt -no-filters"], "lldb": ["bt"]}


# name -> (target arguments, rows).
CASES = [
    ("deep1000", ["deep", "1000"], [
        row_of(["pyinfo"]),
        row_of(["pystack"], ["py-bt"]),
        row_of(["py-bt"], ["py-bt"]),
        row_of(["py-bt-full"], ["py-bt-full"]),
        row_of(["pystack -l"]),
        row_of(["pystack -n"]),
        # The debugger's own backtrace, first thing in the session: what its
        # unwinder costs, which pystack -n (and pyopstack, pyup, pyframe,
        # through the eval loop's frame) pays too.
        row_of(BT),
        row_of(["pyopstack -a"]),
        # The same after the debugger has unwound the stack once.
        row_of(["pystack -n"], setup=BT),
        row_of(["pyopstack -a"], setup=BT),
        # libpython cannot read the innermost eval frame of an -O3 build
        # ("Unable to read information on python frame"): both go up first.
        row_of(["py-print shape"], ["py-print shape"], setup=["py-up"]),
    ]),
    ("deep10000", ["deep", "10000"], [
        row_of(["pystack"], ["py-bt"]),
    ]),
    ("threads100", ["threads", "100"], [
        row_of(["pystack -a"], ["thread apply all py-bt"]),
    ]),
    ("list1e6", ["list", "1000000"], [
        row_of(["pyobj {addr}"], ["print (PyObject *) {addr}"]),
        row_of(["py-print big"], ["py-print big"], setup=["py-up"]),
    ]),
    ("dict1e5", ["dict", "100000"], [
        row_of(["pyobj {addr}"], ["print (PyObject *) {addr}"]),
    ]),
]

SPOT_CASE = "deep1000"

# What the gdb helper prints before the timed block and after it (with its time).
START_MARK = "CPYDBG_BENCH_START"
MARK = "CPYDBG_BENCH "

# Sourced into every gdb run: times a block of commands on gdb's main thread.
GDB_HELPER = """
import time
def _bench_run(setup, commands):
    ok = True
    try:
        for command in setup:
            gdb.execute(command, to_string=True)
        print("CPYDBG_BENCH_START")
        start = time.thread_time()
        for command in commands:
            gdb.execute(command)
    except gdb.error as e:
        ok = False
        print("error: %s" % e)
    print("CPYDBG_BENCH %s %.3f" % ("ok" if ok else "failed", (time.thread_time() - start) * 1000))
"""


def timed_output_lines(out, kind, commands):
    """The lines the timed commands printed: in gdb between the helper's
    marks, in LLDB from the echo of the first timed command on (the setup's
    output and the debugger's own startup lines not counted)."""
    lines = out.splitlines()
    if kind == "gdb":
        start = lines.index(START_MARK) + 1 if START_MARK in lines else 0
        end = next((i for i in range(start, len(lines)) if lines[i].startswith(MARK)), len(lines))
        return end - start
    echo = "(lldb) " + commands[0]
    start = len(lines) - lines[::-1].index(echo) if echo in lines else 0
    return len(lines) - start


def make_core(interp, args, tmp):
    """Run the target under gdb until it stops itself; gcore it. Returns (core, addr)."""
    core = os.path.join(tmp, "core-%s-%s" % (interp.spec, "-".join(args)))
    addr_file = os.path.join(tmp, "addr")
    env_cmds = []
    for k, v in interp.env.items():
        env_cmds += ["-ex", "set environment %s %s" % (k, v)]
    subprocess.run(["gdb", "-nx", "-q", "-batch", "-ex", "set debuginfod enabled off"] + env_cmds +
                   ["-ex", "run", "-ex", "gcore " + core, "-ex", "kill", "--args", interp.exe,
                    os.path.join(HERE, "target.py")] + args + [addr_file],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=600)
    if not os.path.exists(core):
        raise RuntimeError("gdb wrote no core for " + " ".join(args))
    addr = open(addr_file).read().strip() if os.path.exists(addr_file) else ""
    return core, addr


def libpython_script(interp):
    """The interpreter's own libpython gdb script, or None."""
    exe = os.path.realpath(interp.exe)
    found = sorted(glob.glob(os.path.join(os.path.dirname(exe), "python*-gdb.py")))
    debian = "/usr/share/gdb/auto-load" + exe + "-gdb.py"
    if found:
        return found[0]
    return debian if os.path.exists(debian) else None


class Debugger:
    """One way of opening a core: argv(setup, commands) runs the commands
    (None: nothing, the base) after the untimed setup."""

    def __init__(self, name, kind, argv, stats):
        self.name, self.kind, self.argv, self.stats = name, kind, argv, stats


def gdb_debugger(name, script, helper, exe, core, stats):
    def argv(setup, commands):
        a = ["gdb", "-nx", "-q", "-batch", "-iex", "set debuginfod enabled off",
             "-iex", "set auto-load python-scripts off", "-ex", "source " + script,
             "-ex", "source " + helper]
        if commands:
            a += ["-ex", "python _bench_run(%r, %r)" % (setup, commands)]
        return a + [exe, core]
    return Debugger(name, "gdb", argv, stats)


def lldb_debugger(lldb, install, exe, core):
    plugin = os.path.join(install, "lib", "cpydbg", "libcpydbg-lldb.so")

    def argv(setup, commands):
        a = [lldb, "--no-lldbinit", "--batch", "-o", "target create %s --core %s" % (exe, core),
             "-o", "plugin load " + plugin]
        for c in (setup + commands) if commands else []:
            a += ["-o", c]
        return a
    return Debugger("lldb " + lldb_version(lldb), "lldb", argv, True)


def run_once(argv, stats_file):
    """(process CPU ms, peak RSS MB, output, stats lines) of one debugger run."""
    env = dict(os.environ)
    if stats_file:
        env["CPYDBG_STATS"] = stats_file
        if os.path.exists(stats_file):
            os.unlink(stats_file)
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    stats = []
    if stats_file and os.path.exists(stats_file):
        with open(stats_file) as f:
            stats = [dict(kv.split("=", 1) for kv in line.rstrip("\n").split("\t", 1)[1].split())
                     for line in f if "\t" in line]
    return (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024, text, stats


class Measured:
    def __init__(self):
        self.process, self.inside, self.peak = [], [], 0.0
        self.reads = self.trips = None
        self.ok, self.lines = True, 0

    def median(self, values):
        return statistics.median(values) if values else None


def measure(debugger, setup, commands, runs, stats_file):
    m = Measured()
    for _ in range(runs):
        cpu, peak, out, stats = run_once(debugger.argv(setup, commands),
                                         stats_file if debugger.stats else None)
        m.process.append(cpu)
        m.peak = max(m.peak, peak)
        if not commands:
            continue
        stats = stats[sum(1 for c in setup if is_ours(c)):]  # setup is not timed
        marks = [line for line in out.splitlines() if line.startswith(MARK)]
        if marks:  # gdb: the block's own time, measured by gdb's Python
            m.inside.append(float(marks[-1].split()[2]))
            m.ok = m.ok and marks[-1].split()[1] == "ok"
        elif stats:  # LLDB: the core's own time
            m.inside.append(sum(int(s["cpu_us"]) for s in stats) / 1000)
        if stats:
            m.reads = sum(int(s["reads"]) for s in stats)
            m.trips = sum(int(s["round_trips"]) for s in stats)
            m.ok = m.ok and all(s["ok"] == "1" for s in stats)
        m.ok = m.ok and "Python Exception" not in out and "Error occurred in Python" not in out
        m.lines = timed_output_lines(out, debugger.kind, commands)
    return m


def is_ours(command):
    """Whether a command is cpydbg's (and leaves a CPYDBG_STATS line)."""
    return command.split()[0] in OUR_COMMANDS


OUR_COMMANDS = set()  # filled from the library under test (main)


def our_commands(install):
    lib = ctypes.CDLL(os.path.join(install, "lib", "cpydbg", "libcpydbg-gdb.so"))
    lib.cpydbg_commands_json.restype = ctypes.c_void_p
    lib.cpydbg_free.argtypes = [ctypes.c_void_p]
    ptr = lib.cpydbg_commands_json()
    names = {c["name"] for c in json.loads(ctypes.string_at(ptr).decode())}
    lib.cpydbg_free(ptr)
    return names


def fmt(value, digits=0):
    return "-" if value is None else "%.*f" % (digits, value)


COLUMNS = ["case", "command", "debugger", "cmd ms", "process ms", "adds ms", "reads", "trips",
           "peak MB", "lines", "vs libpython"]


def bench_interpreter(opts, spec, tmp, rows, wanted):
    interp = interpreters.resolve(spec)
    shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    helper = os.path.join(tmp, "bench_helper.py")
    with open(helper, "w") as f:
        f.write(GDB_HELPER)
    stats_file = os.path.join(tmp, "stats.txt")
    libpython = libpython_script(interp)
    for case, args, pairs in CASES:
        if wanted and case not in wanted:
            continue
        core, addr = make_core(interp, args, tmp)
        ours = [gdb_debugger("gdb", shim, helper, interp.exe, core, True)]
        ours += [lldb_debugger(lldb, opts.install, interp.exe, core) for lldb in opts.lldb]
        theirs = gdb_debugger("gdb + libpython", libpython, helper, interp.exe, core, False) \
            if libpython else None
        bases = {}
        for d in ours + ([theirs] if theirs else []):
            bases[d.name] = statistics.median(measure(d, [], None, opts.runs, stats_file).process)
        for r in pairs:
            def fill(commands, kind="gdb"):
                if isinstance(commands, dict):
                    commands = commands[kind]
                return [c.format(addr=addr) for c in commands]
            their = None
            if theirs and r.libpython:
                their = measure(theirs, fill(r.setup), fill(r.libpython), opts.runs, stats_file)
            for d in ours:
                setup, our_cmds = fill(r.setup, d.kind), fill(r.ours, d.kind)
                m = measure(d, setup, our_cmds, opts.runs, stats_file)
                ratio = None
                if their and d.kind == "gdb" and m.median(m.inside) and their.median(their.inside):
                    ratio = their.median(their.inside) / m.median(m.inside)
                rows.append(row(spec, case, label(setup, our_cmds), d.name, m, bases[d.name],
                                "%.0f×" % ratio if ratio else ""))
                print_row(rows[-1])
            if their:
                rows.append(row(spec, case, label(fill(r.setup), fill(r.libpython)), theirs.name,
                                their, bases[theirs.name], ""))
                print_row(rows[-1])
        os.unlink(core)


def label(setup, commands):
    return "; ".join(commands) + (" (after %s)" % "; ".join(setup) if setup else "")


def row(spec, case, command, debugger, m, base, ratio):
    process = m.median(m.process)
    return [spec + " " + case, command, debugger, fmt(m.median(m.inside), 1), fmt(process),
            fmt(process - base if process is not None else None), fmt(m.reads), fmt(m.trips),
            fmt(m.peak), str(m.lines) + ("" if m.ok else " FAILED"), ratio]


WIDTHS = [22, 30, 16, 8, 10, 8, 7, 6, 7, 8, 12]


def print_row(r):
    print("  ".join(str(v).ljust(w) if i < 3 else str(v).rjust(w)
                    for i, (v, w) in enumerate(zip(r, WIDTHS))), flush=True)


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        mem = "%.0f GiB" % (int(f.readline().split()[1]) / 2**20)
    return "%s, %d cores (%s), %s; load average %s" % (
        platform.node(), os.cpu_count(), cpu, mem, " ".join("%.1f" % x for x in os.getloadavg()))


def commit():
    def git(*args):
        return subprocess.run(["git", "-C", HERE] + list(args), capture_output=True,
                              text=True).stdout.strip()
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    return git("log", "-1", "--format=%h %s") + dirty


def tool_versions(opts):
    versions = [subprocess.run(["gdb", "--version"], capture_output=True, text=True).stdout.splitlines()[0]]
    for lldb in opts.lldb:
        versions.append(subprocess.run([lldb, "--version"], capture_output=True, text=True).stdout.strip())
    return versions


def write_results(path, opts, rows, started, measured):
    with open(path, "w") as f:
        f.write("# cpydbg benchmark results\n\n")
        f.write("Written by `bench/bench.py` (see its docstring for what each column means).\n\n")
        f.write("- date: %s\n- machine: %s\n- commit: %s\n- debuggers: %s\n- runs: %d per figure (medians)\n\n"
                % (started, machine(), measured, "; ".join(tool_versions(opts)), opts.runs))
        f.write("| " + " | ".join(COLUMNS) + " |\n")
        f.write("|" + "|".join("---" if i < 3 else "---:" for i in range(len(COLUMNS))) + "|\n")
        for r in rows:
            f.write("| " + " | ".join(str(v).replace("|", "\\|") for v in r) + " |\n")


def lldb_version(lldb):
    out = subprocess.run([lldb, "--version"], capture_output=True, text=True).stdout
    return out.split()[2].split(".")[0] if out.startswith("lldb version") else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", action="append", help="interpreter spec (tests/integration/"
                        "interpreters.py), repeatable; default 3.12.1")
    parser.add_argument("--spot", action="append", default=[],
                        help="an interpreter to spot-check (the %s case only), repeatable" % SPOT_CASE)
    parser.add_argument("--lldb", action="append", default=[], help="an LLDB to time too")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", help="comma-separated case names (%s)" %
                        ", ".join(c[0] for c in CASES))
    parser.add_argument("--results", default=os.path.join(HERE, "results.md"))
    opts = parser.parse_args()
    OUR_COMMANDS.update(our_commands(opts.install))
    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    measured = commit()  # before this run rewrites results.md, which would make it look changed
    print("cpydbg beside libpython on core files; median of %d runs; CPU ms" % opts.runs)
    print_row(COLUMNS)
    rows = []
    with tempfile.TemporaryDirectory(prefix="cpydbg-bench-") as tmp:
        for spec in opts.python or ["3.12.1"]:
            bench_interpreter(opts, spec, tmp, rows, opts.cases.split(",") if opts.cases else None)
        for spec in opts.spot:
            bench_interpreter(opts, spec, tmp, rows, [SPOT_CASE])
    write_results(opts.results, opts, rows, started, measured)
    print("written to " + opts.results)


if __name__ == "__main__":
    main()
