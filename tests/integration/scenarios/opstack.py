# Runs under the interpreter being tested (2.7, 3.6+). One thread descends
# through frames that are each suspended in the middle of an expression; every
# level writes down, before it goes deeper, the values its value stack holds
# beneath the call that continues the descent. The last level stops the
# process with SIGTRAP. A generator is left suspended at `x = 1 + (yield)`.
# The descent starts in a finally block (path-dependent depth up to 3.8).
# On 3.7+ the descent ends in the seed question's own setting: a trace
# function with f_trace_opcodes, called for the `+` of `a * b + c`.
import json, os, signal, sys, traceback

V = sys.version_info[:2]
TRUTH = {"version": sys.version.split()[0], "frames": []}


def text(v):
    """What a stack slot holding v must show: its repr, or its address for
    objects whose repr carries one."""
    r = repr(v)
    return {"addr": "0x%x" % id(v)} if " at 0x" in r else {"repr": r}


def note(name, *values, **extra):
    entry = {"name": name, "values": [text(v) for v in values]}
    entry.update(extra)
    TRUTH["frames"].append(entry)


def stop():
    # Python frames of this thread, this one included: pyopstack -a must show each.
    TRUTH["depth"] = len(traceback.extract_stack())
    with open(sys.argv[1], "w") as f:
        json.dump(TRUTH, f)
    os.kill(os.getpid(), signal.SIGTRAP)


def gen():
    x = 1 + (yield)
    yield x


def seed():
    # The seed question: stopped in the trace function on the opcode event
    # of the `+` in `a * b + c`, its operands are 6 and 4.
    def f(a, b, c):
        return a * b + c

    import dis
    adds = [i.offset for i in dis.get_instructions(f)
            if i.opname in ("BINARY_ADD", "BINARY_OP") and i.argrepr in ("", "+")][-1:]

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode" and frame.f_code is f.__code__ and frame.f_lasti in adds:
            note("f", 6, 4, traced=True)
            stop()
        return tracer

    # 3.12+ turns opcode events on in settrace only if some frame already
    # asked for them.
    sys._getframe().f_trace_opcodes = True
    sys.settrace(tracer)
    f(2, 3, 4)
    sys.settrace(None)


class Radd(object):
    def __radd__(self, other):
        note("arith", other, self)
        if V >= (3, 7):
            return seed()
        return stop()


def arith():
    a, b, c = 2, 3, Radd()
    return a * b + c


def target(*args, **kwargs):
    return args


def call_args():
    three = [3]
    note("call_args", target, 1, "two", three)
    return target(1, "two", k=three, z=arith())


def comprehension():
    it = iter((1, 2))
    # The list so far holds 10 when the second element's evaluation descends.
    note("comprehension", [10], it)
    return [x * 10 if x < 2 else call_args() for x in it]


def handler():
    try:
        raise KeyError("outer")
    except KeyError:
        outer = sys.exc_info()
        try:
            raise ValueError("inner")
        except ValueError as e:
            note("handler", *outer, inner=repr(e))
            return comprehension()


class Ctx(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def with_block():
    ctx = Ctx()
    with ctx as c:
        note("with_block", ctx)
        return handler()


def loop():
    it = iter([7])
    for item in it:
        note("loop", it)
        with_block()


def finally_block():
    # Up to 3.8 a finally block is shared by the normal and the exception
    # path, which leave different numbers of values under it: the bytecode
    # cannot tell which one ran, and pyopstack must say so.
    try:
        note("finally_block")
    finally:
        loop()


g = gen()
next(g)
TRUTH["generator"] = {"addr": "0x%x" % id(g), "values": [text(1)]}
finally_block()
