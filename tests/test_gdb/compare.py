#!/usr/bin/env python3
"""CPython's own test_gdb against cpydbg's gdb bridge and against libpython.

  compare.py --install PREFIX --python SPEC [--keep DIR]

SPEC is a pyenv version that ships test_gdb (3.8 ... 3.13). The suite is
copied out of that install and made to run on an installed (not source-tree)
and optimised build: its is_python_build() and python_is_optimized() skips
are dropped. Then it runs twice in the same run, each time with a `gdb` first
on PATH that turns auto-loading of Python scripts off and sources one file
before anything else (and keeps an index cache of its own, which changes no
output):
  cpydbg     PREFIX/share/cpydbg/gdb/cpydbg.py
  libpython  the install's own bin/pythonX.Y-gdb.py, unmodified
Each test method counts once; a failing subtest fails its method. The test
fails when a method libpython passes does not pass with cpydbg (so also when
cpydbg passes fewer), except the ones OUTSIDE names with the reason, and when
libpython's run is too broken to compare against.

Standard library only: runs under /usr/bin/python3.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import interpreters  # noqa: E402
import sanitizer_env  # noqa: E402

# Test methods that cannot pass with cpydbg for a reason outside the
# project, by the end of their id, with the reason (README says the same).
OUTSIDE = {}

# The skips the recipe drops, each with what replaces it. Every pattern must
# match somewhere in the copied suite, or the suite changed shape.
PATCHES = [
    (re.compile(r"if not sysconfig\.is_python_build\(\):"),
     "if False:  # cpydbg: run on an installed build"),
    (re.compile(r"(?:support\.)?python_is_optimized\(\)"), "False"),
]


def find_suite(prefix):
    """The install's test_gdb package (3.11+) or module (3.8-3.10)."""
    lib = os.path.join(prefix, "lib")
    for name in sorted(os.listdir(lib)):
        test_dir = os.path.join(lib, name, "test")
        if name.startswith("python") and os.path.isdir(test_dir):
            for candidate in ("test_gdb", "test_gdb.py"):
                path = os.path.join(test_dir, candidate)
                if os.path.exists(path):
                    return path
    raise LookupError("no test_gdb under " + lib)


def copy_suite(src, dst_dir):
    """Copy the suite into dst_dir with the skips dropped."""
    if os.path.isdir(src):
        dst = os.path.join(dst_dir, "test_gdb")
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        files = [os.path.join(dst, f) for f in os.listdir(dst) if f.endswith(".py")]
    else:
        files = [shutil.copy(src, os.path.join(dst_dir, "test_gdb.py"))]
    used = [0] * len(PATCHES)
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for i, (pattern, replacement) in enumerate(PATCHES):
            text, n = pattern.subn(replacement, text)
            used[i] += n
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    for (pattern, _), n in zip(PATCHES, used):
        if not n:
            raise RuntimeError("the suite at %s has no %r to drop" % (src, pattern.pattern))


def gdb_wrapper(bin_dir, script):
    """A `gdb` that sources `script` with auto-loading of scripts off."""
    os.makedirs(bin_dir, exist_ok=True)
    real = shutil.which("gdb")
    path = os.path.join(bin_dir, "gdb")
    preload = ""
    if sanitizer_env.preloading():  # the ASan bridge needs its runtime in gdb, not the inferior
        env = sanitizer_env.debugger_env()
        preload = "LD_PRELOAD='%s' ASAN_OPTIONS='%s' UBSAN_OPTIONS='%s' " % (
            env["LD_PRELOAD"], env["ASAN_OPTIONS"], env["UBSAN_OPTIONS"])
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
        # The index cache (one per variant) spares each of the suite's ~120 gdb
        # runs indexing libpython's DWARF again: a third of the suite's time.
        f.write("%sexec '%s' -iex 'set index-cache directory %s' -iex 'set index-cache enabled on' "
                "-iex 'set auto-load python-scripts off' %s-iex 'source %s' \"$@\"\n"
                % (preload, real, os.path.join(os.path.dirname(bin_dir), "index-cache"),
                   "-iex 'unset environment LD_PRELOAD' " if preload else "", script))
    os.chmod(path, 0o755)


def run_variant(exe, suite_dir, bin_dir, out_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    started = time.monotonic()
    proc = subprocess.run([exe, os.path.join(HERE, "run_suite.py"), suite_dir, out_path],
                          env=env, cwd=suite_dir, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
    elapsed = time.monotonic() - started
    if proc.returncode != 0 or not os.path.exists(out_path):
        raise RuntimeError("the suite did not run:\n" + proc.stdout.decode(errors="replace"))
    with open(out_path) as f:
        return json.load(f), elapsed


def outside_reason(test_id):
    for suffix, reason in OUTSIDE.items():
        if test_id.endswith(suffix):
            return reason
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", required=True, help="cpydbg install prefix")
    parser.add_argument("--python", required=True, help="pyenv version, e.g. 3.12.1")
    parser.add_argument("--keep", help="keep the suite copy and results in this directory")
    opts = parser.parse_args()

    interp = interpreters.resolve(opts.python)
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(interp.exe)))
    series = re.match(r"(\d+\.\d+)", opts.python).group(1)
    scripts = {
        "cpydbg": os.path.join(os.path.abspath(opts.install), "share", "cpydbg", "gdb", "cpydbg.py"),
        "libpython": os.path.join(prefix, "bin", "python%s-gdb.py" % series),
    }
    for path in scripts.values():
        if not os.path.exists(path):
            raise SystemExit("missing " + path)
    tmp = opts.keep or tempfile.mkdtemp(prefix="cpydbg-test-gdb-")
    try:
        suite_dir = os.path.join(tmp, "suite")
        os.makedirs(suite_dir, exist_ok=True)
        copy_suite(find_suite(prefix), suite_dir)
        results, seconds = {}, {}
        for variant, script in scripts.items():
            bin_dir = os.path.join(tmp, variant, "bin")
            gdb_wrapper(bin_dir, script)
            results[variant], seconds[variant] = run_variant(
                interp.exe, suite_dir, bin_dir, os.path.join(tmp, variant, "results.json"))
    finally:
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    ours, theirs = results["cpydbg"], results["libpython"]
    ids = sorted(set(ours) | set(theirs))
    passed = {v: sum(1 for t in ids if results[v].get(t, ["absent"])[0] == "pass") for v in results}
    failures = []
    for t in ids:
        mine, lib = ours.get(t, ["absent", ""]), theirs.get(t, ["absent", ""])
        if lib[0] == "pass" and mine[0] != "pass":
            reason = outside_reason(t)
            if reason:
                print("OUTSIDE %s: %s (%s)" % (t, mine[0], reason))
                continue
            failures.append(t)
            print("FAIL %s: libpython passes, cpydbg %s\n    %s"
                  % (t, mine[0], mine[1].strip().replace("\n", "\n    ")))
        elif mine[0] != lib[0]:
            print("note %s: cpydbg %s, libpython %s" % (t, mine[0], lib[0]))
    # Compare against a libpython that works: a broken harness fails both.
    if len(ids) < 20 or passed["libpython"] * 2 < len(ids):
        failures.append("harness")
        print("FAIL libpython passes only %d of %d: the harness is broken"
              % (passed["libpython"], len(ids)))
    print("test_gdb %s: cpydbg passes %d of %d, libpython %d (%.0f s and %.0f s)"
          % (opts.python, passed["cpydbg"], len(ids), passed["libpython"],
             seconds["cpydbg"], seconds["libpython"]))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
