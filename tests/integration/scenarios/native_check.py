"""What a user checks in the `native` scenario: `pystack -n` (each thread's
native frames with the Python frames each eval loop activation runs),
pyframe following into the native frames, and in gdb the frame filter that
puts the Python frames into `bt`."""
import re

NATIVE = re.compile(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\S+) \(\)(?: from (\S+))?$")
PYTHON = re.compile(r'^    (?:\* )?#(\d+) File "(.*)", line (\d+), in (\S+)$')
HEADER = re.compile(r'^Thread (?:0x[0-9a-f]+ \(tid (\d+)\)(?: "(.*)")?.*|\(tid (\d+)\), no Python thread state):$')
LIMIT = 3
# Run from the core with cpydbg's own native walk and with gdb's (matrix.py):
# the frames and their variables must be gdb's. The second field: the own
# walk alone answers. It leaves to gdb the copy of pyenv's 3.6 stripped of
# .symtab, whose executable exports main: gdb cannot tell main's frame there
# (the stale section indices of its .dynsym), so whether its walk stops at
# main is gdb's to say.
# py-bt-full starts at the selected frame, whose level the own walk tells
# from its pc and sp (gdb's level costs frame 0's identity): after each
# `frame N` of these, gdb's answer (=gdb mode) is the truth.
SELECTED_LEVELS = range(16)


def own_walk_commands(truth, context):
    alone = not (context["stripped"] and truth["version_info"][:2] == [3, 6])
    commands = ["pystack -n -a", "thread apply all bt -no-filters", "bt", "py-bt", "py-bt-full",
                "pyopstack -a"]
    for level in SELECTED_LEVELS:
        commands += ["frame %d" % level, "py-bt-full"]
    return [(command, alone) for command in commands]
# Where the C functions the main thread calls leave their names among the
# native frames with DWARF or .symtab (without them only exported names are
# known: PyObject_Hash stays).
C_NAMES = {"sorted": "sort", "map": "map", "dict.get": "hash"}
UNWINDER_STOPPED = "the debugger's unwinder stopped early"


def _main(truth):
    return [t for t in truth["threads"] if t["main"]][0]


def _eval_name(truth):
    return "PyEval_EvalFrameEx" if truth["version_info"][0] == 2 else "_PyEval_EvalFrameDefault"


def commands(truth, debugger):
    by_map = [f[2] for f in _main(truth)["stack"]].index("by_map")
    cmds = ["pystack -n -a", "pystack -n --limit %d" % LIMIT, "pystack -n -l",
            "pyframe %d" % by_map, "f", "pyframe 0"]
    if debugger == "gdb":
        cmds += ["bt", "bt full", "disable frame-filter global cpydbg", "bt",
                 "enable frame-filter global cpydbg", "thread apply all bt -no-filters"]
    return cmds


def parse(text):
    """{thread key: {"header", "native": [(level, function, module)],
    "python": [(index, file, line, name, native level)], "body"}}; the key
    is the thread's name, or "tid N" for a thread with no Python state."""
    threads, current = {}, None
    for line in text.split("\n"):
        h = HEADER.match(line)
        if h:
            key = h.group(2) if h.group(1) else "tid " + h.group(3)
            current = threads.setdefault(key, {"header": line, "native": [], "python": [], "body": "",
                                               "tid": int(h.group(1) or h.group(3))})
            continue
        if current is None:
            continue
        current["body"] += line + "\n"
        n, p = NATIVE.match(line), PYTHON.match(line)
        if n:
            current["native"].append((int(n.group(1)), n.group(2), n.group(3)))
        elif p and current["native"]:
            current["python"].append((int(p.group(1)), p.group(2), int(p.group(3)), p.group(4),
                                      current["native"][-1][0]))
    return threads


def _known_stop(truth, context):
    """LLDB 19.1.7's unwinder stops early in some frames of the pyenv builds
    with DWARF (at PyObject_Vectorcall on 3.11 and 3.12, at call_function on
    3.7; LLDB 14 and gdb go on; README, "pystack -n"): where it does, the
    output must say so and place what it has."""
    return (context.get("lldb") and "llvm-19" in context["lldb"] and not context["stripped"]
            and not context["installed"])


def expected_groups(truth):
    """The main thread's frames (innermost-first indices) grouped by the eval
    loop activation that runs them: up to 3.10 one each; from 3.11 a frame
    called from bytecode runs in its caller's activation, one called through
    C in an activation of its own."""
    called_by = truth["called_by"]
    if truth["version_info"] < [3, 11]:
        return [[i] for i in range(len(called_by))]
    groups, group = [], []
    for i, how in enumerate(called_by):
        group.append(i)
        if how != "python":  # the outermost frame of its activation
            groups.append(group)
            group = []
    return groups + ([group] if group else [])


def _levels(thread, name):
    return [level for level, function, _ in thread["native"] if function == name]


def check_stacks(text, truth, context, failures):
    threads = parse(text)
    eval_name = _eval_name(truth)
    main = _main(truth)
    python_threads = [k for k in threads if not k.startswith("tid ")]
    if sorted(python_threads) != sorted(t["name"] for t in truth["threads"]):
        failures.append("pystack -n -a shows Python threads %s, the process has %s:\n%s"
                        % (python_threads, [t["name"] for t in truth["threads"]], text[:4000]))
    if not any(k.startswith("tid ") and threads[k]["native"] for k in threads):
        failures.append("pystack -n -a shows no native-only thread (the one started from C):\n%s"
                        % text[:4000])
    for t in truth["threads"]:
        got = threads.get(t["name"])
        if got is None:
            continue
        stopped = UNWINDER_STOPPED in got["body"]
        if stopped and not _known_stop(truth, context):
            failures.append("thread %s: the native stack ends early:\n%s" % (t["name"], got["body"][:4000]))
        frames = [[f, line, name] for _, f, line, name, _ in got["python"]]
        want = t["stack"]
        if stopped:
            want = want[:len(frames)]  # what the unwinder reached, innermost first
        if frames != want:
            failures.append("thread %s: Python frames %s, want %s:\n%s"
                            % (t["name"], frames, want, got["body"][:4000]))
        if [p[0] for p in got["python"]] != list(range(len(frames))):
            failures.append("thread %s: Python frames not numbered 0..%d" % (t["name"], len(frames) - 1))
        for index, _, _, name, level in got["python"]:
            if got["native"][level][1] != eval_name:
                failures.append("thread %s: %s (#%d) is under native #%d %s, not %s"
                                % (t["name"], name, index, level, got["native"][level][1], eval_name))
        if not t["main"]:
            # Where it blocks: in libc's sleep (select up to 3.10, clock_nanosleep
            # after) or in the lock's acquire, before any eval loop frame.
            first_eval = (_levels(got, eval_name) or [len(got["native"])])[0]
            inner = [function for _, function, _ in got["native"][:first_eval]]
            wanted = ("sleep", "select") if t["name"] == "sleeper" else ("acquire",)
            if not stopped and not any(w in f for f in inner for w in wanted):
                failures.append("thread %s: no native frame named like %s before its eval loop: %s"
                                % (t["name"], " or ".join(wanted), inner))
            continue
        groups = {}
        for index, _, _, _, level in got["python"]:
            groups.setdefault(level, []).append(index)
        got_groups = [groups[level] for level in sorted(groups)]
        want_groups = [g for g in expected_groups(truth) if g[0] < len(frames)]
        if got_groups != want_groups:
            failures.append("main thread: activations run frames %s, want %s:\n%s"
                            % (got_groups, want_groups, got["body"][:4000]))
            continue
        # Between an activation and its caller's: the C function that called.
        levels = sorted(groups)
        for k in range(len(levels) - 1):
            callee_outermost = groups[levels[k]][-1]
            how = truth["called_by"][callee_outermost]
            between = [function for level, function, _ in got["native"] if levels[k] < level < levels[k + 1]]
            if not between:
                failures.append("main thread: no native frame between the activations at #%d and #%d"
                                % (levels[k], levels[k + 1]))
            elif how in C_NAMES and not context["stripped"] and not context["installed"] and \
                    not any(C_NAMES[how] in f for f in between):
                failures.append("main thread: %s calls %s, but no native frame between #%d and #%d "
                                "is named like '%s': %s" % (main["stack"][callee_outermost + 1][2],
                                                            how, levels[k], levels[k + 1], C_NAMES[how], between))


def same_output(ours, gdbs):
    """The same text, but that a native frame no ELF table names may carry
    another alias of its function (gdb picks among a function's names by
    rules of its own: __GI___futex_abstimed_wait_cancelable64 where the DWARF
    says __futex_abstimed_wait_cancelable64, clone3 for __clone3)."""
    a, b = ours.split("\n"), gdbs.split("\n")
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        mx, my = NATIVE.match(x), NATIVE.match(y)
        # Everything but the name the same: the name's span cut out of each.
        if not (mx and my and _same_function(mx.group(2), my.group(2)) and
                x[:mx.start(2)] + x[mx.end(2):] == y[:my.start(2)] + y[my.end(2):]):
            return False
    return True


def _skeleton(text):
    """The Python frames, each with the eval loop frame they are under: what
    two debuggers must agree on even where their unwinders differ on native
    frames (DWARF inline chains)."""
    out = []
    for key, thread in sorted(parse(text).items()):
        if key.startswith("tid "):
            continue
        out.append(thread["header"])
        native = dict((level, function) for level, function, _ in thread["native"])
        out += ["%s under %s" % (p[:4], native[p[4]]) for p in thread["python"]]
    return out


def compare(commands, gdb_out, lldb_out, truth, context, failures):
    """gdb's and an LLDB's text for the same core."""
    for command, g, l in zip(commands, gdb_out, lldb_out):
        if command == "f":
            continue  # each debugger's own frame format
        native = command.startswith("pystack -n")
        if native and _known_stop(truth, context):
            continue
        if native and not context["stripped"] and not context["installed"]:
            # With DWARF the two unwinders disagree on which inlined calls
            # they show; the Python frames and their activations must agree.
            if _skeleton(g) != _skeleton(l):
                failures.append("`%s`: Python frames or activations differ from gdb's\n--- gdb ---\n%s--- lldb ---\n%s"
                                % (command, g, l))
        elif g != l:
            failures.append("`%s` differs from gdb's\n--- gdb ---\n%s--- lldb ---\n%s" % (command, g, l))


def check(out, truth, failures, context):
    out = list(out)
    main = _main(truth)
    all_text = out.pop(0)
    check_stacks(all_text, truth, context, failures)
    main_all = parse(all_text).get("MainThread", {"native": [], "python": []})

    limited = out.pop(0)
    shown = [l for l in limited.split("\n") if NATIVE.match(l)]
    more = len(main_all["native"]) - LIMIT
    if len(shown) != LIMIT or "(%d more native frames)" % more not in limited:
        failures.append("pystack -n --limit %d: want %d native frames and '(%d more native frames)':\n%s"
                        % (LIMIT, LIMIT, more, limited))

    with_locals = out.pop(0)
    lookup = "lookup" in [p[3] for p in main_all["python"]]
    for name, rep in truth["lookup"]["args"] + truth["lookup"]["locals"]:
        if lookup and "\n            %s = %s\n" % (name, rep) not in with_locals:
            failures.append("pystack -n -l: lookup's %s = %s missing:\n%s" % (name, rep, with_locals))

    selected, frame, back = out.pop(0), out.pop(0), out.pop(0)
    by_map = [f[2] for f in main["stack"]].index("by_map")
    levels = [p[4] for p in main_all["python"] if p[0] == by_map]
    if not re.match(r'#%d File ".*", line \d+, in by_map\n' % by_map, selected):
        failures.append("pyframe %d: %s" % (by_map, selected))
    m = re.search(r"#(\d+)", frame)
    if levels and (not m or int(m.group(1)) != levels[0]):
        failures.append("after pyframe %d the debugger's frame is %s, want #%d (by_map's activation):\n%s"
                        % (by_map, m.group(1) if m else "unknown", levels[0], frame))
    if not levels and not _known_stop(truth, context):
        failures.append("pystack -n -a does not show by_map")
    if not back.startswith("#0 File "):
        failures.append("pyframe 0: %s" % back)
    if context["debugger"] == "gdb":
        # gdb's own `frame` goes on with the Python frames the frame runs.
        if levels and not any(f == "by_map" for f, _, _, _ in _python_bt(frame, main["stack"][0][0])):
            failures.append("gdb's frame after pyframe %d does not show by_map:\n%s" % (by_map, frame))
        check_gdb_views(out, truth, failures, all_text)


GDB_FRAME = re.compile(r"^(?:#\d+ +)?(?:0x[0-9a-f]+ in )?(\S+) \((.*)\) at (\S+):(\d+)$")


def _python_bt(text, script):
    """(function, args, file, line) of the frames at the scenario's file."""
    return [m.groups() for m in map(GDB_FRAME.match, text.split("\n")) if m and m.group(3) == script]


GDB_THREAD = re.compile(r"^Thread \d+ \(.*LWP (\d+)\)")
GDB_BT_FRAME = re.compile(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\S+) \(")
# What a compiler appends to a function's ELF name for a copy it specialised
# or split (gdb names the copy by its DWARF subprogram, pystack by the ELF symbol).
CLONE_SUFFIX = re.compile(r"\.(?:constprop|isra|part|cold|lto_priv)(?:\.\d+)?")


def _same_function(ours, gdbs):
    """pystack names a frame by its ELF symbol where there is one (kill,
    __libc_start_main), gdb by its DWARF (__GI_kill, __libc_start_main_impl)
    or not at all where it has only .dynsym (??): the same function when one
    name holds the other."""
    ours, gdbs = CLONE_SUFFIX.sub("", ours), CLONE_SUFFIX.sub("", gdbs)
    return gdbs == "??" or ours in gdbs or gdbs in ours


def check_native_levels(pystack_all, gdb_bt, failures):
    """Every thread's native frames in `pystack -n -a`, level by level, are the
    frames gdb's own `bt` shows (inlined calls included): `frame N` after
    pystack -n must be the frame it printed as #N."""
    gdb_threads, current = {}, None
    for line in gdb_bt.split("\n"):
        t, f = GDB_THREAD.match(line), GDB_BT_FRAME.match(line)
        if t:
            current = gdb_threads.setdefault(int(t.group(1)), [])
        elif f and current is not None:
            current.append((int(f.group(1)), f.group(2)))
    for key, thread in sorted(parse(pystack_all).items()):
        ours = [(level, function) for level, function, _ in thread["native"]]
        theirs = gdb_threads.get(thread["tid"])
        if theirs is None:
            failures.append("gdb's `thread apply all bt` has no thread %d (%s)" % (thread["tid"], key))
        elif len(ours) != len(theirs) or not all(
                a[0] == b[0] and _same_function(a[1], b[1]) for a, b in zip(ours, theirs)):
            failures.append("thread %s: pystack -n's native frames %s, gdb's bt %s" % (key, ours, theirs))


def check_gdb_views(out, truth, failures, pystack_all):
    main = _main(truth)
    script = main["stack"][0][0]
    want = [(name, path, line) for path, line, name in main["stack"]]
    bt, bt_full, disable, plain, enable, all_bt = out
    check_native_levels(pystack_all, all_bt, failures)
    got = [(name, path, int(line)) for name, _, path, line in _python_bt(bt, script)]
    if got != want:
        failures.append("bt with the frame filter: Python frames %s, want %s:\n%s" % (got, want, bt))
    args = ", ".join("%s=%s" % (n, r) for n, r in truth["lookup"]["args"])
    if not any(f == "lookup" and a == args for f, a, _, _ in _python_bt(bt, script)):
        failures.append("bt: no frame 'lookup (%s)':\n%s" % (args, bt))
    for name, rep in truth["lookup"]["locals"]:
        if "\n        %s = %s\n" % (name, rep) not in bt_full:
            failures.append("bt full: lookup's local %s = %s missing:\n%s" % (name, rep, bt_full))
    if disable.strip() or enable.strip():
        failures.append("enable/disable frame-filter printed: %s %s" % (disable, enable))
    if _python_bt(plain, script):
        failures.append("bt with the frame filter disabled still shows Python frames:\n%s" % plain)
