# Ground truth for the bytecode unit tests, from the interpreter running this:
# prints one JSON object with many code objects (all functions of a few stdlib
# modules plus synthetic snippets), each with its raw bytes and what the
# interpreter itself says about them (dis, line starts / co_lines /
# co_positions, co_stacksize), and dis.stack_effect samples.
# Runs under 2.7 and 3.6 ... 3.13.
import dis
import json
import opcode
import sys

V = sys.version_info[:2]

SNIPPETS = [
    # everyone
    "def f(a, b, c):\n    return a * b + c\n",
    "def f(x):\n    try:\n        x()\n    except ValueError as e:\n        return e\n"
    "    except (KeyError, TypeError):\n        pass\n    else:\n        x = 2\n    finally:\n        x = 3\n    return x\n",
    "def f(m, n):\n    with m as a, n as b:\n        return a + b\n",
    "def f(seq):\n    t = 0\n    for i in seq:\n        if i: continue\n        for j in range(i):\n"
    "            t += j\n            if j > 3: break\n        else:\n            t -= 1\n    while t:\n        t -= 1\n    return t\n",
    "def f(s):\n    return [x for x in s if x], {x: y for x, y in s}, set(x for x in s), lambda q: q\n",
    "def f():\n    yield 1\n    x = yield\n    return\n",
    "def f(a, *b, **c):\n    return f(a, *b, **c), a if b else c, a and b or c, a[1:2], a[::3]\n",
    "def f(x):\n    def g():\n        return x\n    return g\n",
    "def f(a):\n    try:\n        try:\n            return a\n        finally:\n            a.close()\n    except Exception:\n        raise\n",
    "def f(a):\n    del a[0]\n    a.b, (c, d) = 1, (2, 3)\n    assert a, 'no'\n    return not a\n",
    "x = 1\nif x:\n    y = 2\nelse:\n    y = 3\nimport os.path\nfrom os import sep as s\n",
    "def f(x):\n    return (x +\n        1 +\n\n\n" + "\n" * 300 + "        2)\n",
]
if V < (3, 0):
    # 2.7's own statements and operators, so that its stack effects (which
    # no dis.stack_effect can check) are exercised through co_stacksize.
    SNIPPETS += [
        "def f(a, b):\n    global g\n    print >>a, b,\n    print >>a\n    exec b in a\n"
        "    del a[1:], a[:2], a[:], a[1:2], g\n    a[1:2] += b\n"
        "    a **= b; a //= b; a /= b; a %= b; a *= b; a >>= b; a &= b; a ^= b\n"
        "    c = +a, ~a, `a`, a ** b, a ^ b, {x for x in b}, {1, 2}\n    del c\n",
        "from __future__ import division\ndef f(a, b):\n    a /= b\n    return a / b\n",
    ]
if V >= (3, 0):
    SNIPPETS += [
        "def f(*a, k=1, **kw):\n    nonlocal_test = [*a, *kw]\n    return {**kw, 'k': k}, nonlocal_test\n",
        "def f(x):\n    def g():\n        nonlocal x\n        x += 1\n    yield from g()\n",
        "def f(a):\n    a, *b, c = a\n    return b\n",
    ]
if V >= (3, 5):
    SNIPPETS += [
        "async def f(a):\n    async with a as b:\n        await b\n    async for i in a:\n        pass\n    return [i async for i in a]\n",
    ]
if V >= (3, 6):
    SNIPPETS += ["def f(a, b):\n    return f'{a!r:>{b}} {b}'\n"]
if V >= (3, 8):
    SNIPPETS += ["def f(a):\n    if (n := len(a)) > 1:\n        return n\n"]
if V >= (3, 10):
    SNIPPETS += ["def f(p):\n    match p:\n        case [x, y, *r]:\n            return x\n"
                 "        case {'k': v}:\n            return v\n        case P(a=1) | None:\n            return 0\n"
                 "        case _:\n            return -1\n"]
if V >= (3, 11):
    SNIPPETS += ["def f(a):\n    try:\n        a()\n    except* ValueError:\n        pass\n    except* TypeError as e:\n        x = e\n    return x\n"]

MODULES = ["posixpath", "textwrap", "difflib", "tokenize", "contextlib", "argparse",
           "_pyio", "json.decoder", "string", "inspect", "threading"]


def hexs(b):
    if isinstance(b, str):  # 2.7
        return b.encode("hex")
    return b.hex() if hasattr(b, "hex") else "".join("%02x" % c for c in b)


def instructions(co):
    if V < (3, 4):
        # 2.7 has no get_instructions: read dis.disassemble's own output.
        import StringIO
        buf = StringIO.StringIO()
        old, sys.stdout = sys.stdout, buf
        try:
            dis.disassemble(co)
        finally:
            sys.stdout = old
        out = []
        for line in buf.getvalue().splitlines():
            parts = line[16:].split() if len(line) > 16 else []
            head = line[:16].split()
            # columns: [line] [-->] [>>] offset OPNAME [arg (repr)]
            toks = line.replace("-->", " ").replace(">>", " ").split()
            if not toks:
                continue
            if len(toks) >= 2 and toks[0].isdigit() and toks[1].isdigit():
                toks = toks[1:]
            if not toks[0].isdigit():
                continue
            off, name = int(toks[0]), toks[1]
            arg = int(toks[2]) if len(toks) > 2 and toks[2].isdigit() else None
            out.append([off, name, arg])
        return out
    return [[i.offset, i.opname, i.arg, meaning(i)] for i in dis.get_instructions(co)]


def meaning(i):
    """What pyopstack must resolve an argument to, as dis does: a jump's
    target offset, or a COMPARE_OP / BINARY_OP operator."""
    if i.opcode in opcode.hasjrel or i.opcode in opcode.hasjabs:
        return ["jump", i.argval]
    if i.opcode in opcode.hascompare or i.opname == "BINARY_OP":
        return ["operator", i.argrepr]
    return None


def lines(co):
    if V >= (3, 10):
        return [list(t) for t in co.co_lines()]
    return [list(t) for t in dis.findlinestarts(co)]


def positions(co):
    if V < (3, 11):
        return None
    return [list(p) for p in co.co_positions()]


def walk(co, out, origin):
    rec = {
        "origin": origin,
        "name": co.co_name,
        "firstlineno": co.co_firstlineno,
        "stacksize": co.co_stacksize,
        "flags": co.co_flags,
        "code": hexs(co.co_code),
        "linetable": hexs(co.co_linetable if V >= (3, 10) else co.co_lnotab),
        "exceptiontable": hexs(co.co_exceptiontable) if V >= (3, 11) else "",
        "instructions": instructions(co),
        "lines": lines(co),
        "positions": positions(co),
        "exception_entries": exception_entries(co),
        # <=3.9 fold constant tuples after co_stacksize was computed.
        "tuple_consts": any(isinstance(c, (tuple, frozenset)) for c in co.co_consts),
    }
    out.append(rec)
    for c in co.co_consts:
        if hasattr(c, "co_code"):
            walk(c, out, origin)


def source_of(modname):
    import importlib
    mod = importlib.import_module(modname)
    path = mod.__file__
    if path.endswith((".pyc", ".pyo")):
        path = path[:-1]
    with open(path) as f:
        return f.read(), path


def stack_effects():
    """dis.stack_effect samples [op, arg, jump, effect], and the opcodes for
    which dis refused every sample (it knows no effect for them)."""
    out, refused = [], []
    if V < (3, 4):
        return out, refused
    for op in range(256):
        name = opcode.opname[op]
        if name.startswith("<"):
            continue
        hasarg = op >= opcode.HAVE_ARGUMENT
        if V >= (3, 13):
            import _opcode
            hasarg = _opcode.has_arg(op)
        before = len(out)
        for arg in ([0, 1, 2, 3, 4, 7, 255, 256, 257, 300, 513, 1023] if hasarg else [None]):
            for jump in ([None, False, True] if V >= (3, 8) else [None]):
                try:
                    if jump is None:
                        e = dis.stack_effect(op, arg)
                    else:
                        e = dis.stack_effect(op, arg, jump=jump)
                except ValueError:
                    continue
                out.append([op, arg if arg is not None else 0, jump, e])
        if len(out) == before:
            refused.append(op)
    return out, refused


def exception_entries(co):
    if V < (3, 11):
        return []
    return [[e.start, e.end, e.target, e.depth, bool(e.lasti)]
            for e in dis._parse_exception_table(co)]


def adaptive():
    """3.11+: quickened code of warmed-up functions, as dis shows it."""
    if V < (3, 11):
        return []
    ns = {}
    exec(compile("def f(a, b, c):\n    return a * b + c\n"
                 "def g(xs):\n    t = 0\n    for x in xs:\n        t += x.real\n    return t\n"
                 "def h(d, k):\n    try:\n        return d[k]\n    except KeyError:\n        return len(d)\n",
                 "<adaptive>", "exec"), ns)
    for _ in range(2000):
        ns["f"](2, 3, 4)
        ns["g"]([1, 2, 3])
        ns["h"]({1: 2}, 1)
        ns["h"]({1: 2}, 5)
    out = []
    for name in "fgh":
        co = ns[name].__code__
        out.append({
            "name": name,
            "code": hexs(co._co_code_adaptive),
            "instructions": [[i.offset, i.opname, i.arg]
                             for i in dis.get_instructions(ns[name], adaptive=True)],
        })
    return out


def main():
    codes = []
    for i, src in enumerate(SNIPPETS):
        walk(compile(src, "<snippet%d>" % i, "exec"), codes, "snippet%d" % i)
    for m in MODULES:
        try:
            src, path = source_of(m)
        except Exception:
            continue
        walk(compile(src, path, "exec"), codes, m)
    effects, refused = stack_effects()
    json.dump({"version": "%d.%d.%d" % sys.version_info[:3], "codes": codes,
               "stack_effects": effects, "stack_effect_refused": refused,
               "adaptive": adaptive()}, sys.stdout)


main()
