"""What a user checks in the `navigation` scenario: frame selection moves
through the stack the target wrote down (and stops at its ends with an
error), the selected frame drives the locals, the source listing and the
value stack, and the libpython aliases print what their cpydbg commands do."""
import re

FRAME = re.compile(r'^(\* )?#(\d+) File "(.*)", line (\d+), in (\S+)$', re.M)
LOCAL = re.compile(r"^ +(\w+) = (.*)$", re.M)

# (command, the frame selected after it, what it must print):
#   "frame": that frame's line; "stack"/"full": the whole stack (+ locals);
#   "locals": the selected frame's locals; "list": its source around its line;
#   "print NAME": py-print's line for that local; "opstack": its value stack;
#   "older"/"newer": the error at either end.
# Frames: 0 inner, 1 middle, 2 outer, 3 the class body, 4 <module>.
STEPS = [
    ("py-bt", 0, "stack"),
    ("py-bt-full", 0, "full"),
    ("pyup", 1, "frame"),
    ("py-locals", 1, "locals"),
    ("py-up", 2, "frame"),
    ("pylist", 2, "list"),
    ("pyup 5", 4, "frame"),
    ("pyup", 4, "older"),
    ("pydown 3", 1, "frame"),
    ("py-down", 0, "frame"),
    ("pydown", 0, "newer"),
    ("pyframe 3", 3, "frame"),
    ("py-locals", 3, "locals"),
    ("py-print kind", 3, "print kind"),
    ("pyframe 2", 2, "frame"),
    ("pystack", 2, "stack"),
    ("py-list", 2, "list"),
    ("pystack -l", 2, "full"),
    ("pyframe 0", 0, "frame"),
    ("pylocals", 0, "locals"),
    ("opcode-stack", 0, "opstack"),
    ("pyopstack 1", 0, "opstack 1"),
]


# pyobj's argument as an address or an expression both debuggers evaluate
# without DWARF: (expression, the repr it must print).
EXPRESSIONS = [("&_Py_NoneStruct", "None"), ("(char*)&_Py_TrueStruct + 0", "True")]


def commands(truth):
    return ([step[0] for step in STEPS] + ["pyobj " + truth["object"]["id"]]
            + ["pyobj " + e for e, _ in EXPRESSIONS])


def _frames(text):
    return [(bool(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4)), m.group(5))
            for m in FRAME.finditer(text)]


def _want(truth, i, selected=False):
    f = truth["stack"][i]
    return (selected, i, f["file"], f["line"], f["name"])


def _locals_after(text, start, end):
    return dict(LOCAL.findall(text[start:end]))


def _check_stack(text, truth, selected, with_locals, failures, what):
    want = [_want(truth, i, i == selected) for i in range(len(truth["stack"]))]
    got = _frames(text)
    if got != want:
        failures.append("%s: want frames %s (selected #%d marked '* '):\n%s"
                        % (what, want, selected, text))
        return
    if not with_locals:
        return
    marks = list(FRAME.finditer(text)) + [None]
    for i, f in enumerate(truth["stack"]):
        end = marks[i + 1].start() if marks[i + 1] else len(text)
        shown = _locals_after(text, marks[i].end(), end)
        for name, rep in sorted(f["locals"].items()):
            if shown.get(name) != rep:
                failures.append("%s: frame #%d lacks %s = %s:\n%s" % (what, i, name, rep, text))


def _check_list(text, truth, n, failures, what):
    f = truth["stack"][n]
    with open(f["file"]) as src:
        lines = src.read().splitlines()
    first = max(1, f["line"] - 5)
    want = "".join("%s%5d    %s\n" % (">" if i == f["line"] else " ", i, lines[i - 1])
                   for i in range(first, min(f["line"] + 5, len(lines)) + 1))
    if text != want:
        failures.append("%s: want lines %d-%d of %s, '>' on %d:\n%s--- got ---\n%s"
                        % (what, first, f["line"] + 5, f["file"], f["line"], want, text))


def _check_pyobj(out, truth, failures):
    """The list by its address, then the objects the expressions name."""
    obj = truth["object"]
    want = [(obj["id"], "list at %s, " % obj["id"], obj["repr"])]
    want += [(e, "", rep) for e, rep in EXPRESSIONS]
    for (arg, header, rep), text in zip(want, out):
        lines = text.splitlines()
        if len(lines) < 2 or not lines[0].startswith(header) or lines[1] != rep:
            failures.append("`pyobj %s`: want a header then %s:\n%s" % (arg, rep, text))


def check(out, truth, failures):
    _check_pyobj(out[len(STEPS):], truth, failures)
    for (command, selected, kind), text in zip(STEPS, out):
        what = "`%s`" % command
        if kind == "frame":
            got = _frames(text)
            if got != [_want(truth, selected)]:
                failures.append("%s: want frame %s:\n%s" % (what, _want(truth, selected), text))
        elif kind in ("stack", "full"):
            _check_stack(text, truth, selected, kind == "full", failures, what)
        elif kind == "locals":
            f = truth["stack"][selected]
            if _frames(text) != [_want(truth, selected)] or \
                    _locals_after(text, 0, len(text)) != f["locals"]:
                failures.append("%s: want frame #%d and exactly its locals %s:\n%s"
                                % (what, selected, f["locals"], text))
        elif kind == "list":
            _check_list(text, truth, selected, failures, what)
        elif kind.startswith("print "):
            name = kind.split()[1]
            want = "local '%s' = %s\n" % (name, truth["stack"][selected]["locals"][name])
            if text != want:
                failures.append("%s: want %r, got:\n%s" % (what, want, text))
        elif kind in ("older", "newer"):
            if "unable to find a%s %s Python frame" % ("n" if kind == "older" else "", kind) \
                    not in text:
                failures.append("%s: want the 'no %s frame' error:\n%s" % (what, kind, text))
        else:  # opstack [N]: frame N (default: the selected one) and its stack depth
            n = int(kind.split()[1]) if " " in kind else selected
            got = [f[1:] for f in _frames(text)]
            if got[:1] != [_want(truth, n)[1:]] or not re.search(r"^  stack depth \d+", text, re.M):
                failures.append("%s: want frame #%d's value stack:\n%s" % (what, n, text))
