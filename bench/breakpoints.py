#!/usr/bin/env python3
"""Time Python breakpoints (a benchmark, not a test).

  breakpoints.py --install PREFIX --empty-trace LIB [--python SPEC ...] [--lldb LLDB ...] [--hits N]

For each interpreter, the CPU time of a 10^6-iteration loop (best of 5,
measured by the target itself, bench/breakpoint_target.py), and how many
times the plain time it is:
  plain        no debugger
  in gdb       in gdb with cpydbg, no Python breakpoint (gdb starts programs
               without address randomisation: a layout of its own)
  empty trace  no debugger, a C trace function that does nothing (--empty-trace,
               bench/empty_trace.c): what tracing at all costs in that interpreter
  same code    in gdb, a Python breakpoint on a never-reached line of the
               loop's own function: every line event of the loop is checked
  other code   in gdb, the breakpoint on a line of another function: the
               loop's events stop at the first lookup
  pdb          pdb's breakpoint on the same never-reached line (Python's own
               debugger, for comparison)
  deleted      in gdb, after pydelete at a stop between two timings: the
               agent has removed its trace function
and for hits: the first one's way from the line to gdb's prompt (the
target stamps time.time() just before the line, gdb's Python reads the
clock once the stop is reported), and in each debugger the cost of one hit
with pywhere's report and the `continue` after it: the median interval
between the stamps of consecutive hits.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import gdb_backend  # noqa: E402
import interpreters  # noqa: E402
import lldb_backend  # noqa: E402

TARGET = os.path.join(HERE, "breakpoint_target.py")
INTERPRETERS = ["2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1",
                "3.13.0", "debian-3.11", "debian-3.11d"]


def marks():
    found = {}
    with open(TARGET) as f:
        for number, line in enumerate(f, 1):
            if "# MARK: " in line:
                found[line.split("# MARK: ")[1].strip()] = number
    return found


def results(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def plain(interp, out, *extra):
    env = dict(os.environ, **interp.env)
    subprocess.run([interp.exe, TARGET, out, "loop"] + list(extra), env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    return results(out)[-1]


def in_gdb(opts, interp, out, line, m):
    """The loop with a breakpoint on `line` (None: none), then again after pydelete."""
    commands = ["run"]
    if line:
        commands = ["pybreak breakpoint_target.py:%d" % line, "pybreak breakpoint_target.py:%d" % m["CHECKPOINT"],
                    "run", "pydelete", "continue"]
    gdb_backend.run_gdb_commands(opts.shim, ["--args", interp.exe, TARGET, out, "loop"], commands,
                                 env=interp.env, no_separate_debug=interp.no_separate_debug, timeout=600)
    return results(out)[-1]


def first_hit_gdb(opts, interp, out, m):
    """From the target's stamp just before the line to gdb's prompt, first hit."""
    commands = ["pybreak breakpoint_target.py:%d" % m["HIT_LINE"], "run",
                'python print("CPYDBG_CLOCK %.6f" % __import__("time").time())', "kill"]
    texts = gdb_backend.run_gdb_commands(opts.shim, ["--args", interp.exe, TARGET, out, "hits", "1"], commands,
                                         env=interp.env, no_separate_debug=interp.no_separate_debug)
    clock = [float(t.split()[1]) for t in texts if t.startswith("CPYDBG_CLOCK")][0]
    return (clock - results(out)[0]["stamp"]) * 1000


def round_trip(opts, debugger, interp, out, m):
    """ms per hit: its stop, pywhere's report, the prompt and `continue`: the
    median interval between the target's stamps of consecutive hits."""
    args = [TARGET, out, "hits", str(opts.hits)]
    if debugger == "gdb":
        commands = ["pybreak breakpoint_target.py:%d" % m["HIT_LINE"], "run"] + ["continue"] * opts.hits
        gdb_backend.run_gdb_commands(opts.shim, ["--args", interp.exe] + args, commands, env=interp.env,
                                     no_separate_debug=interp.no_separate_debug)
    else:
        commands = ["target create %s" % interp.exe]
        if interp.env:
            commands.append("settings set target.env-vars " + " ".join("%s=%s" % kv for kv in interp.env.items()))
        commands += ["pybreak breakpoint_target.py:%d" % m["HIT_LINE"],
                     "process launch -o /dev/null -- %s" % " ".join(args)] + ["process continue"] * opts.hits
        lldb_backend.run_lldb_commands(debugger, opts.plugin, commands, no_separate_debug=interp.no_separate_debug)
    stamps = [r["stamp"] for r in results(out)]
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:])) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True)
    parser.add_argument("--empty-trace", required=True, help="bench/empty_trace.c's library")
    parser.add_argument("--python", action="append", default=[])
    parser.add_argument("--lldb", action="append", default=[])
    parser.add_argument("--hits", type=int, default=40)
    opts = parser.parse_args()
    opts.shim = os.path.join(opts.install, "share", "cpydbg", "gdb", "cpydbg.py")
    opts.plugin = os.path.join(opts.install, "lib", "cpydbg", "libcpydbg-lldb.so")
    m = marks()
    lldb_names = [re.sub(r".*llvm-(\d+).*", r"lldb-\1", l) if "llvm-" in l else os.path.basename(l)
                  for l in opts.lldb]
    print("10^6-iteration loop: CPU ms, best of 5 (x plain; in gdb also x in gdb without breakpoints).")
    print("A hit: ms from the line to gdb's prompt (first hit); ms per hit, stop + report + continue")
    print("%-13s %6s %13s %13s %20s %20s %14s %20s %6s  %s" % (
        "python", "plain", "in gdb", "empty trace", "same code", "other code", "pdb", "deleted", "first",
        "per hit: " + ", ".join(["gdb"] + lldb_names)))
    for spec in opts.python or INTERPRETERS:
        with tempfile.TemporaryDirectory(prefix="cpydbg-bench-bp-") as tmp:
            interp = interpreters.resolve(spec)
            path = lambda name: os.path.join(tmp, name)  # noqa: E731
            base = plain(interp, path("plain"))["first"]
            empty = plain(interp, path("empty"), "empty", opts.empty_trace)["first"]
            py = plain(interp, path("pdb"), "pdb")["first"]
            none = in_gdb(opts, interp, path("none"), None, m)["first"]
            same = in_gdb(opts, interp, path("same"), m["NEVER_SAME"], m)
            other = in_gdb(opts, interp, path("other"), m["NEVER_OTHER"], m)
            deleted = min(same["second"], other["second"])
            first = first_hit_gdb(opts, interp, path("first"), m)
            trips = [round_trip(opts, d, interp, path("hits%d" % i), m) for i, d in enumerate(["gdb"] + opts.lldb)]

            def cell(t, width=13, gdb=False):
                text = "%5.0f (x%4.2f" % (t * 1000, t / base)
                # The agent's own share: against the program in gdb without it.
                text += ", x%4.2f)" % (t / none) if gdb else ")"
                return text.rjust(width)
            print("%-13s %6.0f %s %s %s %s %s %s %6.1f  %s" % (
                spec, base * 1000, cell(none), cell(empty), cell(same["first"], 20, True),
                cell(other["first"], 20, True), cell(py, 14), cell(deleted, 20, True), first,
                ", ".join("%.1f" % t for t in trips)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
