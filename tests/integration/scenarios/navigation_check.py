"""What a user checks in the `navigation` scenario: frame selection moves
through the stack the target wrote down (and stops at its ends with an
error), the selected frame drives the locals, the source listing and the
value stack; libpython's commands print libpython's own text, moving by
eval-loop activations as libpython does (from 3.11 one activation runs
every frame up to one that C called: here the class body and the module)."""
import re

FRAME = re.compile(r'^(\* )?#(\d+) File "(.*)", line (\d+), in (\S+)$', re.M)
LOCAL = re.compile(r"^ +(\w+) = (.*)$", re.M)

# Frames: 0 inner, 1 middle, 2 outer, 3 the class body, 4 <module>. The
# expected output of each command follows from the selection before it
# (Selection below models both families of commands).
STEPS = [
    "py-bt", "py-bt-full", "py-down",  # a fresh stop: libpython starts below every frame
    "pyup", "py-locals", "py-up", "py-bt", "pylist",
    "pyup 5", "pyup", "pydown 3", "py-down", "pydown", "py-down",
    "pyframe 3", "py-locals", "py-print kind", "py-print __name__", "py-print len",
    "py-print nothing_here",
    "pyframe 2", "pystack", "py-list", "py-list 3", "py-list 2, 4", "pystack -l",
    "pyframe 0", "pylocals", "py-up", "py-up", "py-up", "py-up", "py-up",
    "pyframe 0", "opcode-stack", "pyopstack 1",
]

# pyobj's argument as an address or an expression both debuggers evaluate
# without DWARF: (expression, the repr it must print).
EXPRESSIONS = [("&_Py_NoneStruct", "None"), ("(char*)&_Py_TrueStruct + 0", "True")]


def commands(truth):
    return STEPS + ["pyobj " + truth["object"]["id"]] + ["pyobj " + e for e, _ in EXPRESSIONS]


class Selection(object):
    """The selected Python frame, as our commands and libpython's move it."""

    def __init__(self, truth):
        stack = truth["stack"]
        self.n = len(stack)
        self.sel, self.chosen = 0, False
        # ≤3.10 every frame is its own eval-loop activation.
        inlines = tuple(truth["version_info"]) >= (3, 11)
        self.ends = [not inlines or f["called_from_c"] or i == self.n - 1
                     for i, f in enumerate(stack)]

    def first(self, i):
        while i > 0 and not self.ends[i - 1]:
            i -= 1
        return i

    def last(self, i):
        while i + 1 < self.n and not self.ends[i]:
            i += 1
        return i

    def move(self, command):
        """Apply a selection command; the error it prints, or None."""
        words = command.split()
        step = int(words[1]) if len(words) > 1 else 1
        if words[0] == "pyframe":
            self.sel = int(words[1])
        elif words[0] == "pyup":
            if self.sel + 1 >= self.n:
                return "cpydbg: unable to find an older Python frame"
            self.sel = min(self.sel + step, self.n - 1)
        elif words[0] == "pydown":
            if self.sel == 0:
                return "cpydbg: unable to find a newer Python frame"
            self.sel -= min(step, self.sel)
        elif words[0] == "py-up":
            target = self.last(self.sel) + 1 if self.chosen else 0
            if target >= self.n:
                return "Unable to find an older python frame"
            self.sel = target
        else:  # py-down
            if not self.chosen or self.first(self.sel) == 0:
                return "Unable to find a newer python frame"
            self.sel = self.first(self.first(self.sel) - 1)
        self.chosen = True
        return None


def _frames(text):
    return [(bool(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4)), m.group(5))
            for m in FRAME.finditer(text)]


def _want(truth, i, selected=False):
    f = truth["stack"][i]
    return (selected, i, f["file"], f["line"], f["name"])


def _locals_after(text, start, end):
    return dict(LOCAL.findall(text[start:end]))


def _source(f, line=None):
    with open(f["file"]) as src:
        lines = src.read().splitlines()
    return lines if line is None else lines[line - 1]


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
    lines = _source(f)
    first = max(1, f["line"] - 5)
    want = "".join("%s%5d    %s\n" % (">" if i == f["line"] else " ", i, lines[i - 1])
                   for i in range(first, min(f["line"] + 5, len(lines)) + 1))
    if text != want:
        failures.append("%s: want lines %d-%d of %s, '>' on %d:\n%s--- got ---\n%s"
                        % (what, first, f["line"] + 5, f["file"], f["line"], want, text))


def _libpython_list(truth, n, command):
    """py-list [START | START, END] as libpython prints it."""
    f = truth["stack"][n]
    lines = _source(f)
    args = command.split(None, 1)[1] if " " in command else ""
    if "," in args:
        start, end = [int(a) for a in args.split(",")]
    elif args:
        start, end = int(args), int(args) + 10
    else:
        start, end = f["line"] - 5, f["line"] + 5
    start = max(start, 1)
    return "".join("%4s    %s\n" % ((">" if i == f["line"] else "") + str(i), lines[i - 1])
                   for i in range(start, min(end, len(lines)) + 1))


def _summary(truth, i):
    """libpython's two lines for frame i: its Frame view, its source line."""
    f = truth["stack"][i]
    local = ", ".join("%s=%s" % (name, rep) for name, rep in f["slots"])
    return "#%d Frame 0x[0-9a-f]+, for file %s, line %d, in %s \\(%s\\)\n    %s\n" % (
        i, re.escape(f["file"]), f["line"], re.escape(f["co_name"]), re.escape(local),
        re.escape(_source(f, f["line"]).strip()))


def _traceback(truth, start):
    text = "Traceback (most recent call first):\n"
    for f in truth["stack"][start:]:
        text += '  File "%s", line %d, in %s\n    %s\n' % (f["file"], f["line"], f["co_name"],
                                                          _source(f, f["line"]).strip())
    return text


def _py_locals(truth, sel, last):
    """3.11+: each frame of the activation under 'Locals for NAME'; before,
    the selected frame alone. A class body lists its namespace."""
    headed = tuple(truth["version_info"]) >= (3, 11)
    text = ""
    for f in truth["stack"][sel:(last if headed else sel) + 1]:
        if headed:
            text += "Locals for %s\n" % f["co_name"]
        pairs = f["slots"] if f["slots"] else list(f["locals"].items())
        text += "".join("%s = %s\n" % (name, rep) for name, rep in pairs)
    return text


def _py_print(truth, name, sel):
    f = truth["stack"][sel]
    if name == "kind":
        return "local 'kind' = %s\n" % f["locals"]["kind"]
    if name == "__name__":
        return "global '__name__' = '__main__'\n"
    if name == "len":  # libpython: a built-in with a self (the module) is a method
        module = truth["builtins_module"]
        return "builtin 'len' = %s\n" % ("<built-in function len>" if module is None else
                                         "<built-in method len of module object at remote %s>"
                                         % module)
    return "'%s' not found\n" % name


def _check_pyobj(out, truth, failures):
    """The list by its address, then the objects the expressions name."""
    obj = truth["object"]
    want = [(obj["id"], "list at %s, " % obj["id"], obj["repr"])]
    want += [(e, "", rep) for e, rep in EXPRESSIONS]
    for (arg, header, rep), text in zip(want, out):
        lines = text.splitlines()
        if len(lines) < 2 or not lines[0].startswith(header) or lines[1] != rep:
            failures.append("`pyobj %s`: want a header then %s:\n%s" % (arg, rep, text))


def _check_step(command, text, truth, s, failures):
    what = "`%s` (frame %d selected before)" % (command, s.sel)
    word = command.split()[0]
    if word in ("pyframe", "pyup", "pydown", "py-up", "py-down"):
        error = s.move(command)
        if error is not None:
            if error not in text:
                failures.append("%s: want the error %r:\n%s" % (what, error, text))
        elif word.startswith("py-"):
            want = "".join(_summary(truth, i) for i in range(s.sel, s.last(s.sel) + 1))
            if not re.match("^" + want + "$", text):
                failures.append("%s: want frames %d-%d as libpython shows them:\n%s--- got ---\n%s"
                                % (what, s.sel, s.last(s.sel), want, text))
        elif _frames(text) != [_want(truth, s.sel)]:
            failures.append("%s: want frame %s:\n%s" % (what, _want(truth, s.sel), text))
        return
    if command == "py-bt":
        want = _traceback(truth, s.sel)
    elif command == "py-bt-full":
        want = "".join(_summary(truth, i) for i in range(s.sel, s.n))
        if not re.match("^" + want + "$", text):
            failures.append("%s: want every frame from #%d as libpython shows them:\n%s--- got ---\n%s"
                            % (what, s.sel, want, text))
        return
    elif command == "py-locals":
        want = _py_locals(truth, s.sel, s.last(s.sel))
    elif command.startswith("py-print"):
        want = _py_print(truth, command.split()[1], s.sel)
    elif command.startswith("py-list"):
        want = _libpython_list(truth, s.sel, command)
    elif command in ("pystack", "pystack -l"):
        return _check_stack(text, truth, s.sel, command.endswith("-l"), failures, what)
    elif command == "pylocals":
        f = truth["stack"][s.sel]
        if _frames(text) != [_want(truth, s.sel)] or \
                _locals_after(text, 0, len(text)) != f["locals"]:
            failures.append("%s: want frame #%d and exactly its locals %s:\n%s"
                            % (what, s.sel, f["locals"], text))
        return
    elif command == "pylist":
        return _check_list(text, truth, s.sel, failures, what)
    else:  # opcode-stack / pyopstack [N]: frame N (default: the selected one), its depth
        n = int(command.split()[1]) if " " in command else s.sel
        got = [f[1:] for f in _frames(text)]
        if got[:1] != [_want(truth, n)[1:]] or not re.search(r"^  stack depth \d+", text, re.M):
            failures.append("%s: want frame #%d's value stack:\n%s" % (what, n, text))
        return
    if text != want:
        failures.append("%s: want\n%s--- got ---\n%s" % (what, want, text))


def check(out, truth, failures):
    _check_pyobj(out[len(STEPS):], truth, failures)
    selection = Selection(truth)
    for command, text in zip(STEPS, out):
        _check_step(command, text, truth, selection, failures)
