#!/usr/bin/env python3
"""cpydbg-layout generate --from-debug-offsets on a live pyenv 3.13.0 and on a
gdb core of it: the partial table it writes is marked partial, has the
version the interpreter reports of itself, and every field and size in it is
what the committed table (generated from that build's DWARF) says; `check`
accepts it and names what it does not cover; `diff` against the full table
finds no difference in what both have. A 3.12 process and a file that is no
core each give one line.

usage: from_debug_offsets.py TOOL LAYOUTS_DIR PYENV_VERSIONS_DIR
Standard library only: runs under /usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

TOOL, LAYOUTS, VERSIONS = sys.argv[1:4]
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def run(*args, cwd=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def start(python, tmp):
    """A process of `python` blocked in a sleep, once it is running Python code."""
    ready = os.path.join(tmp, "ready-%d" % len(os.listdir(tmp)))
    proc = subprocess.Popen([python, "-c", "import sys, time; open(sys.argv[1], 'w').close(); "
                             "time.sleep(600)", ready])
    for _ in range(500):
        if os.path.exists(ready):
            return proc
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError("%s did not start" % python)


def one_line(r, text):
    lines = [l for l in (r.stdout + r.stderr).split("\n") if l.strip()]
    return r.returncode == 1 and len(lines) == 1 and text in lines[0]


def compare_with_table(partial, full, where):
    """Every size and field of the partial table as the DWARF table has it."""
    compared = 0
    for sname, s in partial["structs"].items():
        fs = full["structs"].get(sname)
        if fs is None:
            failures.append("%s: struct %s is not in the DWARF table" % (where, sname))
            continue
        if s["size"] and s["size"] != fs["size"]:
            failures.append("%s: sizeof(%s) %d, DWARF %d" % (where, sname, s["size"], fs["size"]))
        for fname, f in s["fields"].items():
            ff = fs["fields"].get(fname)
            if ff is None or f["offset"] != ff["offset"] or f.get("bit_offset") != ff.get("bit_offset"):
                failures.append("%s: %s.%s is %s, DWARF %s" % (where, sname, fname, f, ff))
            compared += 1
    expect(compared >= 60, "%s: only %d fields" % (where, compared))


def main():
    py313 = os.path.join(VERSIONS, "3.13.0", "bin", "python3.13")
    py312 = os.path.join(VERSIONS, "3.12.1", "bin", "python3.12")
    with open(os.path.join(LAYOUTS, "cpython-3.13-x86_64.json")) as f:
        full = json.load(f)
    version = subprocess.run([py313, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="cpydbg-from-debug-offsets-") as tmp:
        proc = start(py313, tmp)
        try:
            # Live, with the default name.
            r = run("generate", "--from-debug-offsets", str(proc.pid), cwd=tmp)
            expect(r.returncode == 0, "generate from pid %d: exit %d: %s%s"
                   % (proc.pid, r.returncode, r.stdout, r.stderr))
            out = os.path.join(tmp, "cpython-3.13-partial-x86_64.json")
            expect(os.path.exists(out), "no %s (stdout: %s)" % (out, r.stdout))
            expect("partial" in r.stdout and "not covered" in r.stdout,
                   "generate does not say the table is partial and what it leaves out: %s" % r.stdout)
            live = json.load(open(out)) if os.path.exists(out) else {}
            if live:
                expect(live["source"].get("partial_from") == "_Py_DebugOffsets",
                       "not marked partial: %s" % live["source"])
                expect(live["python"]["version"] == version,
                       "version %s, the interpreter says %s" % (live["python"]["version"], version))
                expect(not live["opcodes"]["names"], "a partial table with opcodes")
                compare_with_table(live, full, "live")
                c = run("check", out)
                expect(c.returncode == 0 and "note: partial (from _Py_DebugOffsets): does not "
                       "cover pyopstack" in c.stdout, "check of the partial table: %s%s"
                       % (c.stdout, c.stderr))
                d = run("diff", "cpython-3.13-x86_64", out)
                expect(d.returncode == 0 and "no differences in what both have" in d.stdout,
                       "diff against the DWARF table: exit %d\n%s%s" % (d.returncode, d.stdout, d.stderr))
            # A core of the same process: the same table but for where it came from.
            core = os.path.join(tmp, "core")
            g = subprocess.run(["gdb", "-batch", "-p", str(proc.pid), "-ex", "gcore " + core],
                               capture_output=True, text=True, timeout=120)
            expect(os.path.exists(core), "gcore failed: %s" % g.stderr[-2000:])
            from_core = os.path.join(tmp, "from-core.json")
            r = run("generate", "--from-debug-offsets", core, "-o", from_core)
            expect(r.returncode == 0, "generate from the core: %s%s" % (r.stdout, r.stderr))
            if live and os.path.exists(from_core):
                cored = json.load(open(from_core))
                expect(cored["source"]["file"] == "_Py_DebugOffsets of core file " + core,
                       "source of the core's table: %s" % cored["source"])
                for t in (live, cored):
                    del t["source"]["file"]
                expect(cored == live, "the core's table differs from the live process's")
        finally:
            proc.kill()
            proc.wait()
        # Before 3.13 there is no block: one line saying so.
        old = start(py312, tmp)
        try:
            r = run("generate", "--from-debug-offsets", str(old.pid), "-o", os.path.join(tmp, "x.json"))
            expect(one_line(r, "runs Python 3.12, which has no _Py_DebugOffsets (3.13 and later "
                               "have them)"), "3.12: %s%s" % (r.stdout, r.stderr))
        finally:
            old.kill()
            old.wait()
        r = run("generate", "--from-debug-offsets", py313, "-o", os.path.join(tmp, "y.json"))
        expect(one_line(r, "is not a core file (it has no NT_FILE note)"),
               "a non-core: %s%s" % (r.stdout, r.stderr))
    for f in failures:
        print("FAIL " + f)
    print("generate --from-debug-offsets: %d failures" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
