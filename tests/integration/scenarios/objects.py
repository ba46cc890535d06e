# -*- coding: utf-8 -*-
# The `objects` scenario: one object of every kind pyobj formats, kept alive
# while the process stops itself with SIGTRAP. Before stopping it writes, as
# JSON at argv[1]: the id and repr of a tuple holding them all (one pyobj
# prints every kind), and for each object: hex(id), repr, type name, len
# (where the type has one), for instances of Python classes their
# attributes (__dict__ then __slots__) as repr strings, for exceptions their
# traceback, and whether pyobj is run on it alone (`alone`: the header, the
# details under the repr). An instance of a class defined here is written
# as cpydbg shows it, with its attributes (instance_view.py). Valid Python
# 2.7 and 3.x.
import codecs
import json
import os
import signal
import sys
import traceback
import weakref

from instance_view import InstanceViews

PY2 = sys.version_info[0] == 2
objects = []  # (name, object)


def add(name, obj):
    objects.append((name, obj))


def u(text):
    """A non-ASCII str (2.7: unicode) from an escaped ASCII literal."""
    return codecs.decode(text, "unicode_escape")


# numbers, singletons
for name, value in [("zero", 0), ("small", 7), ("negative", -5), ("two_digits", 2 ** 30),
                    ("big", 2 ** 64 + 1), ("big_negative", -(2 ** 100)), ("huge", 7 ** 300),
                    ("float", 0.1), ("float_big", 1e22), ("float_nan", float("nan")),
                    ("complex", 1.5 - 2j), ("true", True), ("false", False), ("none", None),
                    ("not_implemented", NotImplemented), ("ellipsis", Ellipsis)]:
    add(name, value)
if PY2:
    add("long_small", eval("5L"))
    add("int_max", sys.maxint)
# text
add("ascii", "it's \"quoted\"\t\n")
add("latin1", u("caf\\xe9 \\xa0"))
add("ucs2", u("\\u03a9 \\u2603 \\u4e16\\u754c"))
add("ucs4", u("\\U0001f600 \\U00010348"))
add("empty_str", "")
add("bytes", b"\x00\xff'abc")
add("bytearray", bytearray(b"xy\x00z"))
# containers
add("tuple", (1, "a", None))
add("tuple_one", (1,))
add("list", [1, [2, [3]], u("\\xe9")])
add("dict", {"a": 1, "b": [1, 2], 3: (4,)})
add("set", set([1, 2, 3]))
add("frozenset", frozenset(["x"]))
recursive_list = [1]
recursive_list.append(recursive_list)
add("recursive_list", recursive_list)
recursive_dict = {"k": 1}
recursive_dict["self"] = recursive_dict
add("recursive_dict", recursive_dict)
add("ten", list(range(10)))
add("range", xrange(1, 10, 2) if PY2 else range(1, 10, 2))
add("slice", slice(1, None, 2))
add("memoryview", memoryview(b"abc"))


class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return self.x


class Slotted(object):
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = u("\\u2603")


class MyError(ValueError):
    pass


def function(a, b=2):
    return a + b


def make_closure():
    value = [1, 2]

    def inner():
        return value
    return inner


def generator():
    yield 1
    yield 2


point = Point(1, u("one \\xe9"))
add("point", point)
add("slotted", Slotted())
add("class", Point)
add("type_int", int)
add("function", function)
add("lambda", lambda: 0)
closure = make_closure()
add("closure", closure)
add("cell", closure.__closure__[0])
add("bound_method", point.norm)
add("builtin_function", len)
add("builtin_method", [].append)
add("code", function.__code__)
suspended = generator()
next(suspended)
add("generator", suspended)
add("module", os)
add("weakref", weakref.ref(point))
add("exception", ValueError("bad"))
add("exception_args", KeyError(1, 2))
add("exception_custom", MyError(u("caf\\xe9")))


def fail():
    raise MyError("raised")


try:
    fail()
except MyError:
    add("exception_raised", sys.exc_info()[1])
if not PY2:
    exec("async def coroutine():\n    return 1\n")
    add("coroutine", coroutine())  # noqa: F821
if sys.version_info >= (3, 6):
    exec("async def async_generator():\n    yield 1\n")
    add("async_generator", async_generator())  # noqa: F821
attributes = {"point": ["x", "y"], "slotted": ["a", "b"]}
# Printed alone too: a header with len or an immortal refcount, attributes,
# a traceback, a frame, a cycle at the top.
alone = set(["small", "huge", "ucs4", "bytes", "dict", "set", "point", "slotted",
             "exception_raised", "recursive_list", "frame"])
sized = (str, bytes, bytearray, tuple, list, dict, set, frozenset, type(u("")))


def write_truth():
    add("frame", sys._getframe(1))  # the module's frame, on the line that stops
    everything = tuple(obj for _, obj in objects)
    views = InstanceViews()
    views.add(point, list(point.__dict__) if PY2 else ["x", "y"])
    views.add(dict(objects)["slotted"], None)
    truth = {"version": sys.version.split()[0], "objects": [],
             "all": {"id": hex(id(everything)).rstrip("L"), "repr": views.shown(repr(everything)),
                     "len": len(everything)}}
    for name, obj in objects:
        attrs = None
        if name in attributes:
            attrs = [[a, repr(getattr(obj, a)) if hasattr(obj, a) else None]
                     for a in attributes[name]]
        # 3.x: where the exception went through, outermost first.
        tb = getattr(obj, "__traceback__", None) if isinstance(obj, BaseException) else None
        truth["objects"].append({
            "traceback": [[f[0], f[1], f[2]] for f in traceback.extract_tb(tb)] if tb else None,
            "name": name, "id": hex(id(obj)).rstrip("L"), "repr": views.shown(repr(obj)),
            "alone": name in alone,
            "type": type(obj).__name__,
            "len": len(obj) if isinstance(obj, sized) else None, "attributes": attrs})
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)
    return everything


everything = write_truth(); os.kill(os.getpid(), signal.SIGTRAP)  # noqa: E702
