"""What a user checks in the `objects` scenario: pyobj of a tuple of every
kind of object prints exactly the target's own repr() of it; pyobj of single
objects prints type, address, refcount and len, then the repr, then an
exception's traceback and the attributes of instances of Python classes; the
cut-offs work."""
import re

LIMITED = "ten"  # a list of 0..9, printed again with --max-items 3
# Enough for the tuple of everything: its items, the nested list, the repr.
WHOLE = "pyobj --depth 8 --max-items 1000 "


def _by_name(truth, name):
    return [o for o in truth["objects"] if o["name"] == name][0]


def _alone(truth):
    return [o for o in truth["objects"] if o["alone"]]


def commands(truth):
    cmds = [WHOLE + truth["all"]["id"]]
    cmds += ["pyobj " + o["id"] for o in _alone(truth)]
    ten = _by_name(truth, LIMITED)["id"]
    return cmds + ["pyobj --max-items 3 " + ten, "pyobj --depth 0 " + _by_name(truth, "list")["id"]]


def _first_difference(want, got):
    i = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    return "at character %d: want ...%s..., got ...%s..." % (i, want[max(0, i - 60):i + 60],
                                                             got[max(0, i - 60):i + 60])


def check(out, truth, failures):
    out = list(out)
    whole = out.pop(0).split("\n")
    want = truth["all"]["repr"]
    if not re.match(r"^tuple at %s, refcnt \d+, len %d$" % (truth["all"]["id"], truth["all"]["len"]),
                    whole[0]):
        failures.append("pyobj of the tuple of everything: header %s" % whole[0])
    if len(whole) < 2 or whole[1] != want:
        failures.append("pyobj of the tuple of everything differs from its repr %s"
                        % _first_difference(want, whole[1] if len(whole) > 1 else ""))
    for o in _alone(truth):
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
            tb = ["Traceback (most recent call last):"] + [
                '  File "%s", line %d, in %s' % tuple(f) for f in o["traceback"]]
            if lines[2:2 + len(tb)] != tb:
                failures.append("pyobj %s (%s): traceback should be %s:\n%s" % (o["id"], o["name"], tb, text))
        for name, rep in o["attributes"] or []:
            line = "  %s = %s" % (name, rep if rep is not None else "<unset>")
            if line not in lines[2:]:
                failures.append("pyobj %s (%s): lacks attribute line %r:\n%s" % (o["id"], o["name"], line, text))
    limited = out.pop(0).split("\n")
    if len(limited) < 2 or not limited[1].startswith("[0, 1, 2") or "3" in limited[1]:
        failures.append("pyobj --max-items 3 of list(range(10)): %s" % limited)
    shallow = out.pop(0).split("\n")
    whole_list = _by_name(truth, "list")["repr"]
    if len(shallow) < 2 or shallow[1] == whole_list or not shallow[1].startswith("["):
        failures.append("pyobj --depth 0 of %s did not cut: %s" % (whole_list, shallow))
