"""What a user checks in the `debug_offsets` scenario (built-in tables off),
against the truth the process wrote."""
import re

FRAME = re.compile(r'^\*? ?#(\d+) File "(.*)", line (\d+), in (\S+)$', re.M)
HEADER = re.compile(r'^Thread 0x([0-9a-f]+)(?: \(tid (\d+)\))?(?: "([^"]*)")?(?: \[(.*)\])?:$', re.M)
# Commands that need what the block does not give, and the feature each names.
UNCOVERED_NAMES = {"mapping": "dict objects", "members": "set objects",
                   "function": "function objects", "instance": "instances of this type"}
COVERS_THEM = ("; a table made by `cpydbg-layout generate` from a build of Python %s with debug "
               "info covers them")


def commands(truth):
    cmds = ["pyinfo", "pystack -a -l", "pystack", "pylocals", "py-print " + truth["local"][0],
            "py-print " + truth["global"], "pyopstack"]
    cmds += ["pyobj " + truth["covered"][k][0] for k in sorted(truth["covered"])]
    cmds += ["pyobj " + truth["uncovered"][k] for k in sorted(truth["uncovered"])]
    return cmds


def _plain(text):
    return re.sub(r"^error: ", "", text, flags=re.M)


def _refusal(text, what, truth, failures, label):
    """One line: the block does not cover `what`, naming what is missing."""
    lines = [l for l in _plain(text).split("\n") if l.strip()]
    want = "cpydbg: %s_Py_DebugOffsets does not cover %s (missing: " % (
        "pyobj: " if label.startswith("pyobj") else "", what)
    if len(lines) != 1 or not lines[0].startswith(want) or not lines[0].endswith(
            COVERS_THEM % truth["version"]):
        failures.append("%s: want one line '%s...)%s', got:\n%s"
                        % (label, want, COVERS_THEM % truth["version"], text))


def _frames(text):
    return [[f, int(line), name] for _, f, line, name in FRAME.findall(text)]


def _check_frames(body, stack, indent, failures, label):
    """The frames of one thread, and under each its locals exactly."""
    got = _frames(body)
    want = [[f["file"], f["line"], f["name"]] for f in stack]
    if got != want:
        failures.append("%s: frames %s, want %s:\n%s" % (label, got, want, body[:3000]))
        return
    blocks = FRAME.split(body)
    # FRAME.split gives [head, n, file, line, name, rest, n, ...]: 5 per frame.
    for i, f in enumerate(stack):
        rest = blocks[1 + 5 * i + 4]
        shown = sorted(l[len(indent):] for l in rest.split("\n") if l.startswith(indent))
        want_locals = sorted("%s = %s" % (k, v) for k, v in f["locals"].items())
        if shown != want_locals:
            failures.append("%s, frame #%d (%s): locals\n  %s\nwant\n  %s"
                            % (label, i, f["name"], "\n  ".join(shown), "\n  ".join(want_locals)))


def check(out, truth, failures):
    out = list(out)
    info = out.pop(0)
    for want in ("Python %s, detected from _Py_DebugOffsets in _PyRuntime\n" % truth["version"],
                 "layout table: partial, from the process's _Py_DebugOffsets (no table for Python "
                 "%s; CPYDBG_BUILTIN_LAYOUTS=0 switched the built-in tables off)\n" % truth["version"],
                 "\n_Py_DebugOffsets at 0x"):
        if want not in info:
            failures.append("pyinfo lacks %r:\n%s" % (want, info))
    if "FAILED" in info:
        failures.append("pyinfo has a failed sanity check:\n%s" % info)

    text = out.pop(0)
    headers = list(HEADER.finditer(text))
    if len(headers) != len(truth["threads"]):
        failures.append("pystack -a -l shows %d threads, the process has %d:\n%s"
                        % (len(headers), len(truth["threads"]), text[:3000]))
    for i, h in enumerate(headers):
        body = text[h.end():headers[i + 1].start() if i + 1 < len(headers) else len(text)]
        t = [t for t in truth["threads"] if t["ident"] == int(h.group(1), 16)]
        if not t:
            failures.append("pystack -a -l: no thread 0x%s in the process" % h.group(1))
            continue
        t = t[0]
        holds_gil = "holds the GIL" in (h.group(4) or "").split(", ")
        if h.group(2) != str(t["native_id"]) or holds_gil != t["main"]:
            failures.append("thread header %r: want tid %s, GIL holder %s"
                            % (h.group(0), t["native_id"], t["main"]))
        if h.group(3) is not None:  # threading's names live in dicts: not covered
            failures.append("thread header %r names the thread without its dict" % h.group(0))
        _check_frames(body, t["stack"], "        ", failures, "pystack -a -l thread 0x" + h.group(1))

    main = [t for t in truth["threads"] if t["main"]][0]
    selected = out.pop(0)
    if _frames(selected) != [[f["file"], f["line"], f["name"]] for f in main["stack"]]:
        failures.append("pystack: not the main thread's stack:\n%s" % selected)
    locals_ = out.pop(0)
    _check_frames(locals_, main["stack"][:1], "  ", failures, "pylocals")

    name, rep = truth["local"]
    got = _plain(out.pop(0))
    if got != "local '%s' = %s\n" % (name, rep):
        failures.append("py-print %s: want local '%s' = %s, got %r" % (name, name, rep, got))
    _refusal(out.pop(0), "names beyond the frame's locals", truth, failures, "py-print " + truth["global"])
    _refusal(out.pop(0), "pyopstack", truth, failures, "pyopstack")

    for key in sorted(truth["covered"]):
        addr, rep = truth["covered"][key]
        text = out.pop(0)
        lines = text.split("\n")
        if not re.match(r"^\S+ at %s, refcnt (\d+|immortal)(, len \d+)?$" % addr, lines[0]) or \
                lines[1:] != [rep, ""]:
            failures.append("pyobj %s (%s): want its header and %s, got:\n%s" % (addr, key, rep, text))
    for key in sorted(truth["uncovered"]):
        _refusal(out.pop(0), UNCOVERED_NAMES[key], truth, failures, "pyobj %s (%s)" % (truth["uncovered"][key], key))
