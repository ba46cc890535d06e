#!/usr/bin/env python3
"""One interpreter under gdb: live, from a gcore'd core, and with stripped
copies of the executable and libpython. Compares pystack/pylocals/pyinfo
with the truth the scenario wrote about itself.
Usage: gdb_matrix.py <install prefix> <python prefix> [--stripped]"""
import json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def gdb(args, commands, env_cmds=(), run=False):
    cmd = ["gdb", "-nx", "-q", "-batch", "-ex", "set debuginfod enabled off",
           "-ex", "set pagination off"]
    for c in env_cmds:
        cmd += ["-ex", c]
    if run:
        cmd += ["-ex", "run"]
    for c in commands:
        cmd += ["-ex", "echo @@MARK@@\\n", "-ex", c]
    out = subprocess.run(cmd + args, capture_output=True, text=True, timeout=180).stdout
    return out.split("@@MARK@@\n")[1:]


def check(out, truth, what, failures):
    stack, locals_, info = out[-3], out[-2], out[-1]
    pos = 0
    for name, line in reversed(truth["stack"]):
        m = re.compile(r"line %d, in %s(?!\w)" % (line, re.escape(name))).search(stack, pos)
        if not m:
            failures.append("%s: pystack lacks %s at line %d in order:\n%s" % (what, name, line, stack))
            return
        pos = m.end()
    for name, rep in truth["locals"].items():
        if "%s = %s\n" % (name, rep) not in locals_:
            failures.append("%s: pylocals lacks %s = %s:\n%s" % (what, name, rep, locals_))
    if truth["version"] not in info or "FAILED" in info:
        failures.append("%s: pyinfo wrong:\n%s" % (what, info))


def main():
    install, prefix = sys.argv[1], sys.argv[2]
    stripped = "--stripped" in sys.argv
    shim = os.path.join(install, "share", "cpydbg", "gdb", "cpydbg.py")
    tmp = tempfile.mkdtemp(prefix="cpydbg-gdb-")
    exe = os.path.join(prefix, "bin", "python")
    env_cmds = []
    if stripped:  # copies with no DWARF; the originals stay untouched
        libdir = os.path.join(tmp, "lib")
        os.makedirs(libdir)
        for lib in os.listdir(os.path.join(prefix, "lib")):
            if lib.startswith("libpython") and ".so" in lib and not os.path.islink(os.path.join(prefix, "lib", lib)):
                subprocess.check_call(["objcopy", "--strip-debug", os.path.join(prefix, "lib", lib), os.path.join(libdir, lib)])
                for link in os.listdir(os.path.join(prefix, "lib")):
                    if os.path.islink(os.path.join(prefix, "lib", link)) and link.startswith("libpython"):
                        if not os.path.exists(os.path.join(libdir, link)):
                            os.symlink(os.readlink(os.path.join(prefix, "lib", link)), os.path.join(libdir, link))
        exe_copy = os.path.join(tmp, "python")
        subprocess.check_call(["objcopy", "--strip-debug", exe, exe_copy])
        exe = exe_copy
        env_cmds = ["set environment LD_LIBRARY_PATH %s" % libdir, "set environment PYTHONHOME %s" % prefix]
    truth_path = os.path.join(tmp, "truth.json")
    core = os.path.join(tmp, "core")
    commands = ["source " + shim, "pystack", "pylocals", "pyinfo"]
    failures = []
    live = gdb(["--args", exe, os.path.join(HERE, "gdb_scenario.py"), truth_path],
               commands + ["gcore " + core], env_cmds, run=True)
    truth = json.load(open(truth_path))
    check(live[:-1], truth, "live", failures)
    if stripped:
        info = subprocess.run(["readelf", "-S", exe], capture_output=True, text=True).stdout
        if ".debug_info" in info:
            failures.append("the stripped copy still has DWARF")
    from_core = gdb([exe, core], commands, env_cmds + ["set solib-search-path %s" % os.path.join(tmp, "lib")] if stripped else [])
    check(from_core, truth, "core", failures)
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("%s %s: %d failures" % (prefix, "stripped" if stripped else "with DWARF", len(failures)))
    sys.exit(1 if failures else 0)


main()
