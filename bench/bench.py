#!/usr/bin/env python3
"""Time cpydbg's commands on core files in gdb and LLDB (a benchmark, not a test).

  bench.py --install PREFIX [--python SPEC] [--lldb LLDB ...] [--runs N]

For each shape of process (1,000 and 10,000 frames deep, 100 threads, a
1,000,000-element list; `pyopstack -a` and `pystack -n` over 1,000 frames) it runs bench/target.py under the interpreter,
gcore's it in gdb, then opens the core in each debugger with cpydbg loaded,
once with nothing to do and once running the command, several times each.
The table shows the median CPU time (user + system, of the debugger and
what it waits for) without the command and how much the command adds
(median with - median without); CPU time, unlike wall time, stays put when
other jobs share the machine. For gdb also the command's own CPU time on
gdb's main thread, measured from inside gdb (gdb's DWARF-indexing worker
threads excluded; its first command, so attaching to the runtime is
included).

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import interpreters  # noqa: E402

# (label, target arguments, command); {addr} is filled from the target's output.
CASES = [
    ("pystack, 1,000 frames", ["deep", "1000"], "pystack"),
    ("pystack, 10,000 frames", ["deep", "10000"], "pystack"),
    ("pystack -a, 100 threads", ["threads", "100"], "pystack -a"),
    ("pyobj, 1,000,000-element list", ["list", "1000000"], "pyobj {addr}"),
    # Every frame's value stack: where the C-local depth source is usable
    # (Debian's 3.11d) the front end walks the thread's native frames for it.
    ("pyopstack -a, 1,000 frames", ["deep", "1000"], "pyopstack -a"),
    # The debugger unwinds the native stack; the core pairs it with the frames.
    ("pystack -n, 1,000 frames", ["deep", "1000"], "pystack -n"),
]


def make_core(interp, args, tmp):
    """Run the target under gdb until it stops itself; gcore it. Returns (core, addr)."""
    core = os.path.join(tmp, "core-" + "-".join(args))
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


def gdb_argv(install, exe, core, command):
    """gdb on the core with the shim; the command also timed from inside gdb."""
    shim = os.path.join(install, "share", "cpydbg", "gdb", "cpydbg.py")
    argv = ["gdb", "-nx", "-q", "-batch", "-ex", "set debuginfod enabled off",
            "-ex", "source " + shim]
    if command:
        argv += ["-ex", "python import time; _t = time.thread_time(); gdb.execute(%r); "
                 "print('%s%%.1f' %% ((time.thread_time() - _t) * 1000))" % (command, INSIDE)]
    return argv + [exe, core]


INSIDE = "CPYDBG_BENCH_MS "


def lldb_argv(lldb, install, exe, core, command):
    plugin = os.path.join(install, "lib", "cpydbg", "libcpydbg-lldb.so")
    argv = [lldb, "--no-lldbinit", "--batch", "-o", "target create %s --core %s" % (exe, core),
            "-o", "plugin load " + plugin]
    if command:
        argv += ["-o", command]
    return argv


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv, runs):
    """Median CPU time (s) of `runs` runs, median CPU time gdb measured inside
    (ms, None for LLDB) and the last run's output."""
    times, inside = [], []
    for _ in range(runs):
        start = cpu_of_children()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=600)
        times.append(cpu_of_children() - start)
        out = proc.stdout.decode(errors="replace")
        inside += [float(line[len(INSIDE):]) for line in out.splitlines() if line.startswith(INSIDE)]
    return statistics.median(times), statistics.median(inside) if inside else None, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", default="3.12.1", help="interpreter spec (tests/integration/interpreters.py)")
    parser.add_argument("--lldb", action="append", default=[], help="an LLDB to time too")
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    interp = interpreters.resolve(opts.python)
    print("cpydbg on cores of Python %s; median of %d runs; 'adds' = with the command - without"
          % (opts.python, opts.runs))
    print("CPU ms; 'in gdb' = the command alone, timed by gdb's Python (attach included)")
    print("%-32s %-8s %8s %8s %8s  %s" % ("case", "debugger", "base", "adds", "in gdb", "output"))
    with tempfile.TemporaryDirectory(prefix="cpydbg-bench-") as tmp:
        for label, args, command in CASES:
            core, addr = make_core(interp, args, tmp)
            command = command.format(addr=addr)
            debuggers = [("gdb", lambda c: gdb_argv(opts.install, interp.exe, core, c))]
            for lldb in opts.lldb:
                debuggers.append(("lldb " + lldb_version(lldb),
                                  lambda c, l=lldb: lldb_argv(l, opts.install, interp.exe, core, c)))
            for name, argv in debuggers:
                base, _, _ = timed(argv(None), opts.runs)
                with_cmd, inside, out = timed(argv(command), opts.runs)
                print("%-32s %-8s %8.0f %8.0f %8s  %d lines" % (
                    label, name, base * 1000, (with_cmd - base) * 1000,
                    "%.0f" % inside if inside is not None else "-", out.count("\n")), flush=True)


def lldb_version(lldb):
    out = subprocess.run([lldb, "--version"], capture_output=True, text=True).stdout
    return out.split()[2].split(".")[0] if out.startswith("lldb version") else "?"


if __name__ == "__main__":
    main()
