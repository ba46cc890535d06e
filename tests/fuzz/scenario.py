# The process image the fuzz seeds are taken from (2.7 and 3.6+): two Python
# threads, a few frames with locals of many types, a suspended generator and
# an operand on the value stack. Writes {name: hex(id(obj))} to argv[1] and
# stops itself with SIGSTOP inside `a * b + stop(...)`.
import json, os, signal, sys, threading


class Plain(object):
    def __init__(self):
        self.name = u"caf\u00e9"
        self.items = [1, 2.5, None]


class Slotted(object):
    __slots__ = ("x", "y")


def gen():
    yield 1
    yield 2


def waiter(event):
    event.wait()


def stop(objects):
    with open(sys.argv[1], "w") as f:
        json.dump(dict((k, hex(id(v)).rstrip("L")) for k, v in objects.items()), f)
    os.kill(os.getpid(), signal.SIGSTOP)
    return 0


def inner(a, b, objects):
    text = u"h\u00e9llo \u4e16\u754c"
    return a * b + stop(objects)


def outer(n):
    cycle = [1, 2]
    cycle.append(cycle)
    slotted = Slotted()
    slotted.x = (1, "two", b"three")
    g = gen()
    next(g)
    try:
        {}["missing"]
    except KeyError as e:
        error = e
    objects = {
        "list": [1, 2, 3], "cycle": cycle, "dict": {"a": 1, "b": [2, 3], 4: {"c": None}},
        "str": u"h\u00e9llo \u4e16\u754c \U0001f600", "bytes": b"\x00ab\xff",
        "bigint": 3 ** 100, "float": 1.5, "set": set([1, 2, 3]), "frozenset": frozenset([4]),
        "tuple": (1, (2, 3)), "function": inner, "code": inner.__code__,
        "frame": sys._getframe(), "module": sys, "type": Plain, "instance": Plain(),
        "slotted": slotted, "exception": error, "generator": g, "none": None, "true": True,
    }
    return inner(6, n, objects)


event = threading.Event()
thread = threading.Thread(target=waiter, args=(event,))
thread.start()
outer(7)
