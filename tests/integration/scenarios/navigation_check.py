"""What a user checks in the `navigation` scenario: frame selection moves
through the stack the target wrote down (and stops at its ends with an
error), the selected frame drives the locals, the source listing and the
value stack; libpython's commands print libpython's own text and move as
libpython does: over the native frames it shows, each eval loop activation
with its Python frames (from 3.11 every frame down to one that C called:
here the class body and the module), and the native frames it names (a
built-in being called), from the debugger's selected frame."""
import re

FRAME = re.compile(r'^(\* )?#(\d+) File "(.*)", line (\d+), in (\S+)$', re.M)
LOCAL = re.compile(r"^ +(\w+) = (.*)$", re.M)
TRACEBACK_FILE = re.compile(r'^  File "(.*)", line (\d+), in (\S+)$')

# Frames: 0 inner, 1 middle, 2 outer, 3 the class body, 4 <module>. The
# expected output of each command follows from the selection before it
# (Selection below models both families of commands). The first py-bt, at
# the stop, shows which native frames libpython names around the Python
# ones (they depend on the build: a stripped 3.8+ names none).
STEPS = [
    "py-bt", "py-bt-full", "py-down",
    "pyup", "py-locals", "py-up", "py-bt", "pylist",
    "pyup 5", "pyup", "pydown 3", "py-down", "pydown", "py-down",
    "pyframe 3", "py-locals", "py-print kind", "py-print __name__", "py-print len",
    "py-print nothing_here",
    "pyframe 2", "pystack", "py-list", "py-list 3", "py-list 2, 4", "pystack -l",
    "pyframe 0", "pylocals", "py-up", "py-up", "py-up", "py-up", "py-up", "py-up",
    "pyframe 0", "opcode-stack", "pyopstack 1",
]

# pyobj's argument as an address or an expression both debuggers evaluate
# without DWARF: (expression, the repr it must print).
EXPRESSIONS = [("&_Py_NoneStruct", "None"), ("(char*)&_Py_TrueStruct + 0", "True")]


def commands(truth):
    return STEPS + ["pyobj " + truth["object"]["id"]] + ["pyobj " + e for e, _ in EXPRESSIONS]


def _activations(truth):
    """The Python frames of each eval loop activation, innermost first: up
    to 3.10 one each; from 3.11 every frame down to one C called."""
    inlines = tuple(truth["version_info"]) >= (3, 11)
    groups = [[]]
    for i, f in enumerate(truth["stack"]):
        groups[-1].append(i)
        if not inlines or f["called_from_c"]:
            groups.append([])
    return [g for g in groups if g]


def entries_from(first_py_bt, truth, failures):
    """libpython's entries, innermost first: ("python", [frames]) or
    ("named", line), from py-bt at the stop, its Python frames checked
    against the truth."""
    lines = first_py_bt.split("\n")
    if lines[0] != "Traceback (most recent call first):":
        failures.append("`py-bt` at the stop: no traceback:\n" + first_py_bt)
        return [("python", g) for g in _activations(truth)]
    named, shown = {}, []  # named: Python frames seen before each named line
    for line in lines[1:]:
        m = TRACEBACK_FILE.match(line)
        if m:
            shown.append(m.groups())
        elif line.startswith("  ") and not line.startswith("    "):
            named.setdefault(len(shown), []).append(line[2:])
    want = [(f["file"], str(f["line"]), f["co_name"]) for f in truth["stack"]]
    if shown != want:
        failures.append("`py-bt` at the stop: want frames %s:\n%s" % (want, first_py_bt))
    entries = []
    for group in _activations(truth):
        entries += [("named", line) for line in named.get(group[0], [])]
        entries.append(("python", group))
    entries += [("named", line) for line in named.get(len(truth["stack"]), [])]
    for kind, line in entries:
        if kind == "named" and not re.match(r"^(<.*>|Waiting for the GIL|Garbage-collecting|"
                                            r"PyCFunction invocation \(unable to read \w+\))$", line):
            failures.append("`py-bt` names a native frame oddly: %r" % line)
    return entries


class Selection(object):
    """The selected Python frame as our commands move it, and the entry
    libpython starts from (the debugger's selected native frame)."""

    def __init__(self, truth, entries):
        self.n = len(truth["stack"])
        self.entries = entries
        self.sel, self.chosen, self.cur = 0, False, 0

    def activation_of(self, frame):
        return [i for i, (kind, group) in enumerate(self.entries)
                if kind == "python" and frame in group][0]

    def activation_at_or_above(self):
        """The entry py-print, py-locals and py-list read: the first
        activation at or above the current entry."""
        return [i for i in range(self.cur, len(self.entries)) if self.entries[i][0] == "python"][0]

    def frame_read(self):
        group = self.entries[self.activation_at_or_above()][1]
        return self.sel if self.chosen and self.sel in group else group[0]

    def move(self, command):
        """Apply a selection command; the error it prints, or None."""
        words = command.split()
        step = int(words[1]) if len(words) > 1 else 1
        if words[0] in ("pyframe", "pyup", "pydown"):
            if words[0] == "pyframe":
                self.sel = int(words[1])
            elif words[0] == "pyup":
                if self.sel + 1 >= self.n:
                    return "cpydbg: unable to find an older Python frame"
                self.sel = min(self.sel + step, self.n - 1)
            else:
                if self.sel == 0:
                    return "cpydbg: unable to find a newer Python frame"
                self.sel -= min(step, self.sel)
            self.cur = self.activation_of(self.sel)  # it selects that activation's eval frame
        elif words[0] == "py-up":
            if self.cur + 1 >= len(self.entries):
                return "Unable to find an older python frame"
            self.cur += 1
        else:  # py-down
            if self.cur == 0:
                return "Unable to find a newer python frame"
            self.cur -= 1
        if words[0].startswith("py-") and self.entries[self.cur][0] == "python":
            self.sel = self.entries[self.cur][1][0]
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


def _summary(truth, entry):
    """py-bt-full's and py-up's lines for an entry: each frame's Frame view
    and source line under its native frame's number, or the named line."""
    kind, what = entry
    if kind == "named":
        return r"#\d+ %s\n" % re.escape(what)
    text = ""
    for i in what:
        f = truth["stack"][i]
        local = ", ".join("%s=%s" % (name, rep) for name, rep in f["slots"])
        text += "#(?P<n%d>\\d+) Frame 0x[0-9a-f]+, for file %s, line %d, in %s \\(%s\\)\n    %s\n" % (
            i, re.escape(f["file"]), f["line"], re.escape(f["co_name"]), re.escape(local),
            re.escape(_source(f, f["line"]).strip()))
    return text


def _check_summaries(text, truth, entries, failures, what):
    """The entries' lines, each activation's frames under one number, the
    numbers growing outwards."""
    m = re.match("^" + "".join(_summary(truth, e) for e in entries) + "$", text)
    if not m:
        failures.append("%s: want %s as libpython shows them:\n%s" % (what, entries, text))
        return
    numbers = [int(n) for n in re.findall(r"^#(\d+) ", text, re.M)]
    groups = [g for kind, g in entries if kind == "python"]
    for g in groups:
        if len(set(int(m.group("n%d" % i)) for i in g)) != 1:
            failures.append("%s: frames %s of one activation numbered differently:\n%s" % (what, g, text))
    if numbers != sorted(numbers):
        failures.append("%s: numbers not growing outwards:\n%s" % (what, text))


def _traceback(truth, entries):
    text = "Traceback (most recent call first):\n"
    for kind, what in entries:
        if kind == "named":
            text += "  %s\n" % what
            continue
        for i in what:
            f = truth["stack"][i]
            text += '  File "%s", line %d, in %s\n    %s\n' % (f["file"], f["line"], f["co_name"],
                                                              _source(f, f["line"]).strip())
    return text


def _py_locals(truth, s):
    """3.11+: each frame of the activation from the one read, under 'Locals
    for NAME'; before, that frame alone. A class body lists its namespace."""
    headed = tuple(truth["version_info"]) >= (3, 11)
    group = s.entries[s.activation_at_or_above()][1]
    first = s.frame_read()
    text = ""
    for i in (group[group.index(first):] if headed else [first]):
        f = truth["stack"][i]
        if headed:
            text += "Locals for %s\n" % f["co_name"]
        pairs = f["slots"] if f["slots"] else list(f["locals"].items())
        text += "".join("%s = %s\n" % (name, rep) for name, rep in pairs)
    return text


def _py_print(truth, name, frame):
    f = truth["stack"][frame]
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
    what = "`%s` (frame %d, libpython's entry %d selected before)" % (command, s.sel, s.cur)
    word = command.split()[0]
    if word in ("pyframe", "pyup", "pydown", "py-up", "py-down"):
        error = s.move(command)
        if error is not None:
            if error not in text:
                failures.append("%s: want the error %r:\n%s" % (what, error, text))
        elif word.startswith("py-"):
            _check_summaries(text, truth, [s.entries[s.cur]], failures, what)
        elif _frames(text) != [_want(truth, s.sel)]:
            failures.append("%s: want frame %s:\n%s" % (what, _want(truth, s.sel), text))
        return
    if command == "py-bt":
        want = _traceback(truth, s.entries[s.cur:])
    elif command == "py-bt-full":
        return _check_summaries(text, truth, s.entries[s.cur:], failures, what)
    elif command == "py-locals":
        want = _py_locals(truth, s)
    elif command.startswith("py-print"):
        want = _py_print(truth, command.split()[1], s.frame_read())
    elif command.startswith("py-list"):
        want = _libpython_list(truth, s.frame_read(), command)
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
    selection = Selection(truth, entries_from(out[0], truth, failures))
    for command, text in zip(STEPS, out):
        _check_step(command, text, truth, selection, failures)
