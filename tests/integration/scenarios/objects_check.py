"""What a user checks in the `objects` scenario: pyobj of each object prints
its type, address, refcount and len, then exactly the target's own repr(),
then an exception's traceback and the attributes of instances of Python
classes; the cut-offs work."""
import re

LIMITED = "ten"  # a list of 0..9, printed again with --max-items 3 and --depth 0


def _by_name(truth, name):
    return [o for o in truth["objects"] if o["name"] == name][0]


def commands(truth):
    cmds = ["pyobj " + o["id"] for o in truth["objects"]]
    ten = _by_name(truth, LIMITED)["id"]
    return cmds + ["pyobj --max-items 3 " + ten, "pyobj --depth 0 " + _by_name(truth, "list")["id"]]


def check(out, truth, failures):
    out = list(out)
    for o in truth["objects"]:
        text = out.pop(0)
        lines = text.split("\n")
        header = r"^(\S+\.)?%s at %s, refcnt (\d+|immortal)%s$" % (
            re.escape(o["type"]), re.escape(o["id"]),
            "" if o["len"] is None else ", len %d" % o["len"])
        if not re.match(header, lines[0]):
            failures.append("pyobj %s (%s): header should match %s:\n%s" % (o["id"], o["name"], header, text))
        if len(lines) < 2 or lines[1] != o["repr"]:
            failures.append("pyobj %s (%s): repr should be %s:\n%s" % (o["id"], o["name"], o["repr"], text))
        if o["traceback"]:
            want = ["Traceback (most recent call last):"] + [
                '  File "%s", line %d, in %s' % tuple(f) for f in o["traceback"]]
            if lines[2:2 + len(want)] != want:
                failures.append("pyobj %s (%s): traceback should be %s:\n%s" % (o["id"], o["name"], want, text))
        for name, rep in o["attributes"] or []:
            line = "  %s = %s" % (name, rep if rep is not None else "<unset>")
            if line not in lines[2:]:
                failures.append("pyobj %s (%s): lacks attribute line %r:\n%s" % (o["id"], o["name"], line, text))
    limited = out.pop(0).split("\n")
    if len(limited) < 2 or not limited[1].startswith("[0, 1, 2") or "3" in limited[1]:
        failures.append("pyobj --max-items 3 of list(range(10)): %s" % limited)
    shallow = out.pop(0).split("\n")
    whole = _by_name(truth, "list")["repr"]
    if len(shallow) < 2 or shallow[1] == whole or not shallow[1].startswith("["):
        failures.append("pyobj --depth 0 of %s did not cut: %s" % (whole, shallow))
