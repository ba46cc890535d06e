#!/usr/bin/env python3
"""`cpydbg-layout generate` on a build must reproduce the committed table
(structs, enums, constants, version, flavour) within 200 MB, so a
committed table can never silently go stale. An ASan build of the tool
passes --rss-limit-mb=600: ASan's shadow memory and quarantine cost about
three times the memory, and the 200 MB figure is the release build's. Its time is printed, not
asserted: the 2 s target is measured by bench/, not by a test that a loaded
machine would fail.

The interpreter of the build is the independent witness for the version
and the Py_DEBUG flavour: sys.hexversion, and sys.gettotalrefcount which
only Py_DEBUG (Py_REF_DEBUG) builds have.

usage: reproduce.py [--rss-limit-mb=N] TOOL SOURCE TABLE.json INTERPRETER [generate options...]
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def main():
    args = sys.argv[1:]
    rss_limit_mb = 200
    if args and args[0].startswith("--rss-limit-mb="):
        rss_limit_mb = int(args.pop(0).split("=", 1)[1])
    tool, source, table, python, *extra = args
    if not os.path.exists(source):
        print(f"FAIL: {source} is not on this machine; every table's build must be")
        return 1
    want = json.load(open(table))
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "t.json")
        start = time.monotonic()
        r = subprocess.run([tool, "generate", source, "-o", out, *extra],
                           capture_output=True, text=True)
        secs = time.monotonic() - start
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if r.returncode != 0:
            print(f"FAIL: generate exited {r.returncode}: {r.stderr.strip()}")
            return 1
        got = json.load(open(out))
    problems = []
    for key in ("structs", "enums", "constants"):
        if got[key] != want[key]:
            a, b = set(want[key]), set(got[key])
            changed = sorted(k for k in a & b if want[key][k] != got[key][k])
            problems.append(f"{key} differ: only in table {sorted(a - b)}, only in build "
                            f"{sorted(b - a)}, changed {changed[:10]}")
    # Opcodes come from running the interpreter (another component); compare
    # them when this generator produced any.
    if got["opcodes"]["names"]:
        for key in ("names", "deopt", "cache_entries", "have_argument", "line_table"):
            if got["opcodes"].get(key) != want["opcodes"].get(key):
                problems.append(f"opcodes.{key} differ")
    for key in ("version", "hex", "flavour"):
        if got["python"][key] != want["python"][key]:
            problems.append(f"python.{key}: table {want['python'][key]}, build {got['python'][key]}")
    if os.path.exists(python):
        r = subprocess.run([python, "-c", "import sys; sys.stdout.write('%d %s' % "
                            "(sys.hexversion, hasattr(sys, 'gettotalrefcount')))"],
                           capture_output=True, text=True)
        hexversion, debug = r.stdout.split()
        if int(hexversion) != want["python"]["hex"]:
            problems.append(f"{python} says hexversion {int(hexversion):#x}, table "
                            f"{want['python']['hex']:#x}")
        if (debug == "True") != want["python"]["flavour"]["debug"]:
            problems.append(f"{python} says Py_DEBUG={debug}, table "
                            f"{want['python']['flavour']['debug']}")
    else:
        problems.append(f"no interpreter {python} to confirm the version and flavour")
    if rss_mb >= rss_limit_mb:
        problems.append(f"generation used {rss_mb:.0f} MB (limit {rss_limit_mb} MB)")
    name = os.path.basename(table)
    if problems:
        print(f"FAIL {name} is stale or too big to generate (regenerate with layouts/regenerate.sh):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"ok {name}: reproduced from {source} in {secs:.2f} s, {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
