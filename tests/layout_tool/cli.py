#!/usr/bin/env python3
"""cpydbg-layout command line behaviour: list, diff, check, missing DWARF,
usage errors. Expected values are read from the committed tables and from
the builds themselves, never from the tool.

usage: cli.py TOOL LAYOUTS_DIR SCENARIO
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOOL, LAYOUTS, SCENARIO = sys.argv[1:4]
PY312 = os.path.join(os.environ["PYENV_ROOT"], "versions/3.12.1/lib/libpython3.12.so.1.0")
failures = []


def run(*args, env=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, env=env)


def expect(cond, what):
    if not cond:
        failures.append(what)


def table(name):
    return json.load(open(os.path.join(LAYOUTS, name + ".json")))


def scenario_list():
    r = run("list")
    expect(r.returncode == 0, f"list exited {r.returncode}: {r.stderr}")
    for f in sorted(os.listdir(LAYOUTS)):
        if f.endswith(".json"):
            t = json.load(open(os.path.join(LAYOUTS, f)))
            line = next((l for l in r.stdout.splitlines() if l.split()[:1] == [f[:-5]]), None)
            expect(line is not None, f"list does not show {f[:-5]}")
            if line:
                expect(t["python"]["version"] in line.split(), f"list line lacks the version: {line}")
                expect("built-in" in line, f"list line lacks the origin: {line}")
    # $CPYDBG_LAYOUTS adds tables and says where they came from.
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(os.path.join(LAYOUTS, "cpython-3.12-x86_64.json"),
                    os.path.join(d, "cpython-3.12-custom-x86_64.json"))
        r = run("list", env={**os.environ, "CPYDBG_LAYOUTS": d})
        line = next((l for l in r.stdout.splitlines() if l.startswith("cpython-3.12-custom-x86_64")), "")
        expect(d in line, f"override table not listed with its path: {r.stdout}")


def scenario_diff():
    a, b = table("cpython-3.11-x86_64"), table("cpython-3.12-x86_64")
    r = run("diff", "cpython-3.11-x86_64", os.path.join(LAYOUTS, "cpython-3.12-x86_64.json"))
    expect(r.returncode == 1, f"diff of different tables should exit 1, got {r.returncode}")
    out = r.stdout
    added = sorted(set(b["structs"]) - set(a["structs"]))
    removed = sorted(set(a["structs"]) - set(b["structs"]))
    if added:
        expect(f"structs added: {', '.join(added)}" in out, f"added structs not listed: {added}")
    if removed:
        expect(f"structs removed: {', '.join(removed)}" in out, f"removed structs not listed")
    # A top-level field that moved, one that was added, one removed, a size change.
    ca, cb = a["structs"]["PyCodeObject"], b["structs"]["PyCodeObject"]
    moved = [f for f in ca["fields"] if f in cb["fields"] and "." not in f
             and ca["fields"][f]["offset"] != cb["fields"][f]["offset"]]
    expect(moved, "fixture assumption: some PyCodeObject field moved 3.11 -> 3.12")
    for f in moved:
        line = f"  ~ {f} moved {ca['fields'][f]['offset']} -> {cb['fields'][f]['offset']}"
        expect(line in out, f"missing line: {line!r}")
    for f in set(cb["fields"]) - set(ca["fields"]):
        if "." not in f:
            expect(f"  + {f} @{cb['fields'][f]['offset']} " in out, f"added field {f} not shown")
    for f in set(ca["fields"]) - set(cb["fields"]):
        if "." not in f:
            expect(f"  - {f} @{ca['fields'][f]['offset']} " in out, f"removed field {f} not shown")
    expect(f"  size {ca['size']} -> {cb['size']}" in out, "PyCodeObject size change not shown")
    r = run("diff", "cpython-3.12-x86_64", "cpython-3.12-x86_64")
    expect(r.returncode == 0 and "no layout differences" in r.stdout, "self-diff is not empty")
    r = run("diff", "cpython-3.12-x86_64", "no-such-table")
    expect(r.returncode != 0 and "no-such-table" in r.stderr, "unknown table not reported")


def scenario_check_bad():
    t = table("cpython-3.12-x86_64")
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "cpython-3.12-x86_64.json")
        broken = json.loads(json.dumps(t))
        broken["structs"]["PyObject"]["fields"]["ob_type"]["offset"] = 4096
        json.dump(broken, open(bad, "w"))
        r = run("check", bad)
        expect(r.returncode == 1 and r.stdout.startswith("FAIL") and "PyObject" in r.stdout
               and "ob_type" in r.stdout and "4096" in r.stdout, f"out of bounds: {r.stdout}")
        incomplete = json.loads(json.dumps(t))
        del incomplete["structs"]["_PyInterpreterFrame"]
        del incomplete["structs"]["PyTupleObject"]["fields"]["ob_item"]
        json.dump(incomplete, open(bad, "w"))
        r = run("check", bad)
        expect(r.returncode == 1 and r.stdout.startswith("FAIL") and "_PyInterpreterFrame" in r.stdout
               and "PyTupleObject.ob_item" in r.stdout, f"missing struct/field: {r.stdout}")
        open(bad, "w").write('{"schema": 1, "python": ')
        r = run("check", bad)
        expect(r.returncode == 1 and len(r.stdout.splitlines()) == 1, f"truncated: {r.stdout}")
        wrong = os.path.join(d, "cpython-3.9-x86_64.json")
        shutil.copy(os.path.join(LAYOUTS, "cpython-3.12-x86_64.json"), wrong)
        r = run("check", wrong)
        expect(r.returncode == 1 and "does not match" in r.stdout, f"misnamed: {r.stdout}")


def scenario_missing_dwarf():
    if not os.path.exists(PY312):
        sys.exit(f"FAIL: {PY312} is not on this machine")
    with tempfile.TemporaryDirectory() as d:
        stripped = os.path.join(d, "libpython3.12.so.1.0")
        subprocess.run(["objcopy", "--strip-debug", PY312, stripped], check=True)
        r = run("generate", stripped, "-o", os.path.join(d, "t.json"))
        expect(r.returncode == 1, f"generate on a stripped copy exited {r.returncode}")
        msg = r.stderr.strip()
        expect(len(msg.splitlines()) == 1, f"not one line: {msg}")
        build_id = subprocess.run(["readelf", "-n", stripped], capture_output=True,
                                  text=True).stdout.split("Build ID: ")[1].split()[0]
        for part in ("no DWARF", stripped, f"/usr/lib/debug/.build-id/{build_id[:2]}/{build_id[2:]}.debug",
                     "apt install python3.12-dbg"):
            expect(part in msg, f"message lacks {part!r}: {msg}")
        expect(not os.path.exists(os.path.join(d, "t.json")), "a table was written anyway")


def scenario_usage():
    r = run()
    expect(r.returncode == 2 and "usage" in r.stderr, "no args: usage + exit 2")
    r = run("frobnicate")
    expect(r.returncode == 2 and "unknown command" in r.stderr, "unknown command")
    r = run("generate")
    expect(r.returncode == 2 and "usage" in r.stderr, "generate without a file")
    r = run("generate", "/nonexistent/libpython.so")
    expect(r.returncode == 1 and "/nonexistent/libpython.so" in r.stderr, "missing file")
    r = run("--help")
    expect(r.returncode == 0 and "generate" in r.stdout, "--help")


{"list": scenario_list, "diff": scenario_diff, "check-bad": scenario_check_bad,
 "missing-dwarf": scenario_missing_dwarf, "usage": scenario_usage}[SCENARIO]()
if failures:
    print(f"FAIL {SCENARIO}:")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print(f"ok {SCENARIO}")
