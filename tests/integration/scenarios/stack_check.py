"""What a user checks in the `stack` scenario, against the truth it wrote."""
import re

FRAME = re.compile(r'^\*? ?#(\d+) File "(.*)", line (\d+), in (\S+)$', re.M)
HEADER = re.compile(r'^Thread 0x([0-9a-f]+)(?: \(tid (\d+)\))?(?: "([^"]*)")?(?: \[(.*)\])?:$', re.M)
LIMIT = 5


def _main(truth):
    return [t for t in truth["threads"] if t["main"]][0]


def _frame_index(truth, name):
    """Index of the first frame of the main thread named `name`."""
    return [f[2] for f in _main(truth)["stack"]].index(name)


def commands(truth):
    cmds = ["pystack -a", "pystack --limit %d" % LIMIT, "pylocals"]
    cmds += ["py-print " + name for name in sorted(truth["names"])]
    cmds += ["py-print no_such_name"]
    cmds += ["pyframe %d" % _frame_index(truth, "by_map"), "py-print x", "pyframe 0"]
    cmds += ["pyobj " + s["id"] for s in truth["suspended"]]
    cmds += ["pyinfo"]
    return cmds


def _frames(text):
    return [[f, int(line), name] for _, f, line, name in FRAME.findall(text)]


def _numbered(text):
    return [int(m.group(1)) for m in FRAME.finditer(text)]


def _stack_diff(want, got):
    """The first difference between two stacks, for a readable failure."""
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return "frame #%d: want %s, got %s" % (i, w, g)
    return "%d frames wanted, %d shown" % (len(want), len(got))


# The states read from the system call a thread is in, or from its native frames.
NATIVE_STATES = ("waiting for the GIL", "waiting on a lock", "in sleep", "in select")


def _unwinder_stops_early(truth, context):
    """LLDB 19.1.7's unwinder stops early in some frames of the pyenv builds
    with DWARF (README, "pystack -n"), sometimes inside the C library: the
    states those frames would tell may be missing there, never wrong. The
    frames tell them where the system call cannot: a futex wait in 2.7 and
    3.6, whose GIL lies in static variables."""
    return (context.get("lldb") and "llvm-19" in context["lldb"] and not context.get("stripped")
            and not context.get("installed") and tuple(truth["version_info"]) < (3, 7))


def _without_native_states(text):
    return re.sub(r" \[[^]]*\]:$", lambda m: " [" + ", ".join(
        s for s in m.group(0)[2:-2].split(", ") if s not in NATIVE_STATES) + "]:", text, flags=re.M)


def compare(commands, gdb_out, lldb_out, truth, context, failures):
    """gdb's and an LLDB's text for the same core: the same, but where the
    LLDB's unwinder stops early, for the states of the native frames."""
    for command, g, l in zip(commands, gdb_out, lldb_out):
        if _unwinder_stops_early(truth, context):
            g, l = _without_native_states(g), _without_native_states(l)
        if g != l:
            failures.append("`%s` differs from gdb's\n--- gdb ---\n%s--- lldb ---\n%s" % (command, g, l))


def check_threads(text, truth, failures, context):
    """pystack -a: every thread, its ids and name, the GIL holder, its whole stack."""
    sections = {}
    spinners_waiting = []
    headers = list(HEADER.finditer(text))
    for i, h in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
        sections[int(h.group(1), 16)] = (h, text[h.end():end])
    if len(headers) != len(truth["threads"]):
        failures.append("pystack -a shows %d threads, the process has %d:\n%s"
                        % (len(headers), len(truth["threads"]), text[:3000]))
    for t in truth["threads"]:
        if t["ident"] not in sections:
            failures.append("pystack -a has no thread 0x%x (%s):\n%s" % (t["ident"], t["name"], text[:3000]))
            continue
        header, body = sections[t["ident"]]
        # Every version shows the kernel thread id (3.11+ from the thread state,
        # before from glibc's struct pthread); threading knows it from 3.8 on.
        if not header.group(2) or (t["native_id"] is not None
                                   and header.group(2) != str(t["native_id"])):
            failures.append("thread %s: tid %s, want %s" % (t["name"], header.group(2), t["native_id"]))
        if header.group(3) != t["name"]:
            failures.append("thread %s: named %r in the header: %s"
                            % (t["name"], header.group(3), header.group(0)))
        # The main thread holds the GIL; the blocked ones say in what, and
        # are daemons; a spinner waits for the GIL unless caught on its way.
        states = header.group(4).split(", ") if header.group(4) else []
        blocked = t["blocked"]
        want = (["holds the GIL"] if t["main"] else []) + ([blocked] if blocked else []) \
            + (["daemon"] if t["daemon"] else [])
        if _unwinder_stops_early(truth, context):
            states = [s for s in states if s not in NATIVE_STATES]
            want = [s for s in want if s not in NATIVE_STATES]
            spinners_waiting.append(None)
        if t["spins"] and states == ["waiting for the GIL", "daemon"]:
            spinners_waiting.append(t["name"])
        elif states != want:
            failures.append("thread %s: states %s, want %s: %s"
                            % (t["name"], states, want, header.group(0)))
        got = _frames(body)
        if got != t["stack"]:
            failures.append("thread %s: stack differs (%s):\n%s"
                            % (t["name"], _stack_diff(t["stack"], got), body[:3000]))
        if _numbered(body) != list(range(len(got))):
            failures.append("thread %s: frames not numbered 0..%d" % (t["name"], len(got) - 1))
    if not spinners_waiting:
        failures.append("no spinning thread is shown waiting for the GIL:\n%s" % text[:3000])


def check(out, truth, failures, context):
    out = list(out)
    main = _main(truth)
    check_threads(out.pop(0), truth, failures, context)
    depth = sum(1 for f in main["stack"] if f[2] == "recurse")
    if depth != truth["depth"]:
        failures.append("the truth has %d recursion frames, not %d" % (depth, truth["depth"]))

    limited = out.pop(0)
    if _frames(limited) != main["stack"][:LIMIT]:
        failures.append("pystack --limit %d: want %s:\n%s" % (LIMIT, main["stack"][:LIMIT], limited))
    more = len(main["stack"]) - LIMIT
    if "(%d more frames)" % more not in limited:
        failures.append("pystack --limit %d does not say '(%d more frames)':\n%s" % (LIMIT, more, limited))

    locals_ = out.pop(0)
    for name, rep in sorted(truth["locals"].items()):
        if "%s = %s\n" % (name, rep) not in locals_:
            failures.append("pylocals lacks %s = %s:\n%s" % (name, rep, locals_))

    for name in sorted(truth["names"]):
        scope, rep = truth["names"][name]
        got = out.pop(0)
        if got != "%s '%s' = %s\n" % (scope, name, rep):
            failures.append("py-print %s: want %s '%s' = %s, got:\n%s" % (name, scope, name, rep, got))
    missing = out.pop(0)
    if "'no_such_name' not found" not in missing:
        failures.append("py-print of an unknown name: %s" % missing)

    selected, x, back = out.pop(0), out.pop(0), out.pop(0)
    index = _frame_index(truth, "by_map")
    f = main["stack"][index]
    if not re.search(r'#%d File "%s", line %d, in %s\n' % (index, re.escape(f[0]), f[1], f[2]), selected):
        failures.append("pyframe %d: want by_map at line %d:\n%s" % (index, f[1], selected))
    if x != "local 'x' = 3\n":
        failures.append("py-print x in by_map (sorted's first key): %s" % x)
    if not back.startswith("#0 File "):
        failures.append("pyframe 0: %s" % back)

    for s in truth["suspended"]:
        got = out.pop(0)
        if s["repr"] not in got or not re.search(
                r"suspended at .*line %d, in %s\n" % (s["line"], re.escape(s["name"])), got):
            failures.append("pyobj of %s: want its repr and 'suspended at ... line %d, in %s':\n%s"
                            % (s["repr"], s["line"], s["name"], got))

    info = out.pop(0)
    if truth["version"] not in info or "FAILED" in info:
        failures.append("pyinfo wrong:\n%s" % info)
