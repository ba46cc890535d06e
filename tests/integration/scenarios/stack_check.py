"""What the `stack` scenario's truth says the commands must show."""
import re


def commands(truth):
    return ["pystack", "pylocals", "pyinfo"]


def check(out, truth, failures):
    stack, locals_, info = out
    pos = 0
    for name, line in reversed(truth["stack"]):
        m = re.compile(r"line %d, in %s(?!\w)" % (line, re.escape(name))).search(stack, pos)
        if not m:
            failures.append("pystack lacks %s at line %d in order:\n%s" % (name, line, stack))
            return
        pos = m.end()
    for name, rep in truth["locals"].items():
        if "%s = %s\n" % (name, rep) not in locals_:
            failures.append("pylocals lacks %s = %s:\n%s" % (name, rep, locals_))
    if truth["version"] not in info or "FAILED" in info:
        failures.append("pyinfo wrong:\n%s" % info)
