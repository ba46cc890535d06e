#!/usr/bin/env python3
"""Time `cpydbg-layout generate` on each interpreter's build (a benchmark, not
a test; the target is under 2 s and 200 MB per table, DESIGN section 7).

  generate.py --install PREFIX [--runs N]

Prints, per build, the median CPU time (user + system) and wall time of N
runs and the largest resident set. Standard library only.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import interpreters  # noqa: E402

# The file each table is generated from, per interpreter spec.
PYENV = ["2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"]


def builds():
    root = os.path.join(interpreters.pyenv_root(), "versions")
    for version in PYENV:
        libdir = os.path.join(root, version, "lib")
        libs = [n for n in os.listdir(libdir) if n.startswith("libpython") and n.endswith(".so.1.0")]
        yield version, os.path.join(libdir, libs[0]), []
    yield "debian-3.11", "/usr/bin/python3.11", ["--variant", "debian"]
    yield "debian-3.11d", "/usr/bin/python3.11d", []


# Run in a fresh Python so RUSAGE_CHILDREN covers this one generation only
# (its ru_maxrss is the largest child so far, not the last one's).
_MEASURE = """import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime, wall, r.ru_maxrss / 1024)
"""


def one_run(tool, source, extra, out):
    """(cpu seconds, wall seconds, max RSS in MB) of one generation."""
    line = subprocess.run([sys.executable, "-c", _MEASURE, tool, "generate", source, "-o", out] + extra,
                          check=True, capture_output=True, text=True).stdout
    return tuple(float(x) for x in line.split())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    tool = os.path.join(opts.install, "bin", "cpydbg-layout")
    print("%-14s %10s %10s %12s" % ("build", "cpu (s)", "wall (s)", "max RSS (MB)"))
    with tempfile.TemporaryDirectory(prefix="cpydbg-bench-gen-") as tmp:
        for name, source, extra in builds():
            runs = [one_run(tool, source, extra, os.path.join(tmp, "t.json")) for _ in range(opts.runs)]
            print("%-14s %10.2f %10.2f %12.0f" % (
                name, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
                max(r[2] for r in runs)))


if __name__ == "__main__":
    main()
