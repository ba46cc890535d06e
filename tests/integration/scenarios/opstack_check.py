"""What the `opstack` scenario's truth says pyopstack must show.

Each frame the scenario noted must hold, bottom to top, exactly the values it
wrote down, framed by what that version's compiler keeps on the stack around
them (the exception state of enclosing handlers, a with block's __exit__,
NULL slots, keyword names) and followed by the call in progress that
continues the descent. A value the current instruction has already taken off
the stack (3.11+ hands a call's callable and arguments to the callee) is
still shown, marked "(taken by OPNAME)"; only the in-progress part of a
frame may be marked so.
"""
import re

FRAME = re.compile(r"^#(\d+) File \"[^\"]*\", line \d+, in (\S+)$", re.M)
SLOT = re.compile(r"^  \[(\d+)\] (.*?)( \(taken by [A-Z_]+\))?$")
DEPTH = re.compile(r"^  stack depth (\d+) \((.*)\)$", re.M)


def commands(truth):
    return ["pyopstack -a", "pyopstack -g %s" % truth["generator"]["addr"]]


def own_walk_commands(truth):
    """From the core, the eval loops' `stack_pointer` and frames as cpydbg's
    own native walk reads them must be what gdb reads (matrix.py)."""
    return [("pyopstack -a", True)]


def version(truth):
    return tuple(int(x) for x in truth["version"].split(".")[:2])


def parse(text):
    """pyopstack output -> [(index, name, body)] per frame."""
    heads = list(FRAME.finditer(text))
    return [(int(h.group(1)), h.group(2), text[h.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)])
            for i, h in enumerate(heads)]


def slots(body):
    out = []
    for line in body.splitlines():
        m = SLOT.match(line)
        if m:
            out.append((m.group(2), bool(m.group(3))))
    return out


def value(v):
    """A matcher for a value the scenario wrote down."""
    return ("addr", v["addr"]) if "addr" in v else ("repr", v["repr"])


def matches(matcher, text):
    kind, want = matcher
    if kind == "repr":
        return text == want
    if kind == "any":
        return text in want
    return want in text  # "addr"/"contains": the slot's repr names the object


def call(v, callee):
    """The zero-argument call in progress that continues the descent."""
    fn = ("contains", "<function %s at 0x" % callee)
    if v >= (3, 13):
        return [fn, ("repr", "NULL")], True
    if v >= (3, 11):
        return [("repr", "NULL"), fn], True
    return [fn], False


def expected(name, entry, v):
    """(framing + values, in-progress call, call taken?) for a noted frame."""
    vals = [value(x) for x in entry["values"]]
    null = ("repr", "NULL")
    nothing = ("any", ("NULL", "None"))  # no exception was being handled
    if name == "finally_block":
        # The normal path entered it: 2.7-3.7 push None, 3.8 NULL, 3.9+ nothing.
        if v < (3, 8):
            return [("repr", "None")], call(v, "loop")
        if v < (3, 9):
            return [null], call(v, "loop")
        return [], call(v, "loop")
    if name == "loop":
        return vals, call(v, "with_block")
    if name == "with_block":
        return vals, call(v, "handler")  # the context manager's bound __exit__
    if name == "handler":
        typ, val, tb = vals
        if v < (3, 0):
            return [], call(v, "comprehension")
        if v < (3, 11):  # previous exception state (none), then the outer one
            return [nothing, nothing, nothing, tb, val, typ], call(v, "comprehension")
        return [("repr", "None"), val], call(v, "comprehension")
    if name == "comprehension":
        lst, it = vals
        if v >= (3, 12):  # inlined: the comprehension variable's old value (unbound) first
            return [null, lst, it], call(v, "call_args")
        return [lst, it], call(v, "call_args")
    if name == "call_args":
        fn, one, two, three = vals
        if v < (3, 0):
            return [fn, one, two, ("repr", "'k'"), three, ("repr", "'z'")], call(v, "arith")
        if v < (3, 11):
            return [fn, one, two, three], call(v, "arith")
        if v < (3, 13):
            return [null, fn, one, two, three], call(v, "arith")
        return [fn, null, one, two, three], call(v, "arith")
    if name == "arith":
        # Read from the eval loop's C local stack_pointer, the `+` may
        # already have taken its right operand off (<=3.11 pop it first).
        return vals[:1], (vals[1:], True)
    if name == "f":
        return vals, ([], False)
    raise KeyError(name)


def check_frame(label, body, want, in_call, taken_ok, failures):
    got = slots(body)
    full = want + in_call
    if len(got) != len(full) or not all(matches(m, t) for m, (t, _) in zip(full, got)):
        failures.append("%s: slots should be %s + in-progress %s:\n%s" % (label, want, in_call, body))
        return
    for i, (text, taken) in enumerate(got):
        if taken and (i < len(want) or not taken_ok):
            failures.append("%s: slot %d marked taken:\n%s" % (label, i, body))
    if "disagree" in body or "unknown" in body:
        failures.append("%s: no agreed depth:\n%s" % (label, body))


def check_undecided(label, body, true_slots, failures):
    """<=3.8 finally: the bytecode gives the exception path's (larger)
    depth and must say it could be another; the values the normal path
    really left are the bottom slots."""
    m = DEPTH.search(body)
    got = slots(body)
    if not m or "several depths" not in m.group(2) or int(m.group(1)) < len(true_slots):
        failures.append("%s: the depth should be called undecided:\n%s" % (label, body))
    elif not all(matches(w, t) for w, (t, _) in zip(true_slots, got)):
        failures.append("%s: bottom slots should be %s:\n%s" % (label, true_slots, body))


def frame_for(frames, name, v):
    """The frame a note belongs to: by name (qualified or not)."""
    if name == "comprehension" and (3, 0) <= v < (3, 12):
        name = "<listcomp>"
    for index, fname, body in frames:
        if fname == name or fname.endswith("." + name):
            return index, body
    return None, None


def check(out, truth, failures):
    all_frames, gen = out
    v = version(truth)
    frames = parse(all_frames)
    # -a: every frame of the thread, each with a depth.
    if [f[0] for f in frames] != list(range(truth["depth"])):
        failures.append("pyopstack -a shows frames %s, the thread has %d:\n%s"
                        % ([f[0] for f in frames], truth["depth"], all_frames))
    for index, name, body in frames:
        # Whatever the source (saved, C local, bytecode), they must agree.
        if "disagree" in body:
            failures.append("frame #%d %s: depth sources disagree:\n%s" % (index, name, body))
        if not DEPTH.search(body):
            failures.append("frame #%d %s has no stack depth:\n%s" % (index, name, body))
        if "-->" not in body:
            failures.append("frame #%d %s has no arrow on its instruction:\n%s" % (index, name, body))
    noted = [e["name"] for e in truth["frames"]]
    want_names = ["finally_block", "loop", "with_block", "handler", "comprehension", "call_args", "arith"]
    if v >= (3, 7):
        want_names.append("f")
    if noted != want_names:
        failures.append("the scenario noted %s, expected %s" % (noted, want_names))
    for entry in truth["frames"]:
        name = entry["name"]
        index, body = frame_for(frames, name, v)
        if body is None:
            failures.append("no frame %s in pyopstack -a:\n%s" % (name, all_frames))
            continue
        want, (in_call, taken_ok) = expected(name, entry, v)
        if name == "finally_block" and v < (3, 9):
            check_undecided("frame #%d %s" % (index, name), body, want + in_call, failures)
            continue
        check_frame("frame #%d %s" % (index, name), body, want, in_call, taken_ok, failures)
    # The seed question: 6 and 4 are the operands of the traced `+`.
    if v >= (3, 7):
        index, body = frame_for(frames, "f", v)
        arrow = [l for l in (body or "").splitlines() if " --> " in l]
        if body is not None and not (arrow and ("BINARY_ADD" in arrow[0] or
                                                ("BINARY_OP" in arrow[0] and "(+)" in arrow[0]))):
            failures.append("traced frame f is not at the +:\n%s" % body)
    # Arguments with their meaning: a global's name, a jump target, a local.
    index, body = frame_for(frames, "loop", v)
    if body is not None and not (re.search(r"LOAD_GLOBAL\)? \d+ \((NULL \+ )?with_block( \+ NULL)?\)", body)
                                 and re.search(r"JUMP\w*\)? \d+ \(to \d+\)", body)):
        failures.append("frame loop: no 'LOAD_GLOBAL (with_block)' or jump '(to N)':\n%s" % body)
    if v >= (3, 7):
        index, body = frame_for(frames, "f", v)
        if body is not None and not re.search(r"LOAD_FAST\)? \d+ \(c\)", body):
            failures.append("frame f: no 'LOAD_FAST (c)':\n%s" % body)
    # The suspended generator: 1 waits for the value sent in.
    m = DEPTH.search(gen)
    got = slots(gen)
    if not m or m.group(1) != "1" or not got or got[0] != ("1", False) or \
            any(not taken for _, taken in got[1:]):
        failures.append("pyopstack -g: the generator's stack should be [1]:\n%s" % gen)
