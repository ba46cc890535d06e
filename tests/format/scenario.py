# Ground truth for the repr formatter, from the interpreter itself: builds
# objects of every supported type, writes
#   {name: [hex(id(obj)), repr(obj), attributes or null]}
# as JSON to argv[1] (attributes: [[name, repr(value)], ...] of the instance
# __dict__ then __slots__; in repr(obj) an instance of a class defined here
# is as cpydbg shows it, with its attributes: instance_view.py), then stops
# itself with SIGSTOP so a test can read the objects out of this process.
# Runs on 2.7 and 3.6+.
# -*- coding: utf-8 -*-
from __future__ import print_function

import collections
import json
import os
import signal
import sys
import weakref

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration",
                                "scenarios"))
from instance_view import InstanceViews  # noqa: E402

PY2 = sys.version_info[0] == 2
objects = {}     # name -> object (kept alive)
attributes = {}  # name -> [[attr, repr(value)], ...]


def add(name, obj):
    objects[name] = obj


def u(text):
    return text.decode("unicode_escape") if PY2 else text


# ---- numbers -----------------------------------------------------------------
for name, value in [
    ("int_zero", 0), ("int_one", 1), ("int_minus_one", -1), ("int_digit_max", 2 ** 30 - 1),
    ("int_two_digits", 2 ** 30), ("int_minus_two_digits", -(2 ** 30)), ("int_2_62", 2 ** 62),
    ("int_2_64", 2 ** 64), ("int_neg_2_100", -(2 ** 100)), ("int_10_50", 10 ** 50),
    ("int_neg_big", -(10 ** 200) - 7), ("int_huge", 3 ** 5000), ("int_neg_huge", -(7 ** 3000)),
    ("int_small_neg", -5), ("int_256", 256),
]:
    add(name, value)
if PY2:
    add("long_small", eval("5L"))
    add("long_zero", eval("0L"))
    add("long_neg", eval("-12345678901234567890L"))
add("true", True)
add("false", False)
add("none", None)
add("not_implemented", NotImplemented)
add("ellipsis", Ellipsis)
for i, value in enumerate([1.0, 0.1, -0.0, 0.0, 1e16, 1e15, 123456789012345678.0, 1e-05, 0.0001,
                           1e22, 1.5e300, 5e-324, float("inf"), float("-inf"), float("nan"),
                           123456789.123, 1 / 3.0, -2.5, 1e100, 2.0 ** 0.5, 1.7976931348623157e308]):
    add("float_%d" % i, value)
for i, value in enumerate([1j, 1 + 2j, -1.5 - 0j, complex(0, -0.0), complex(-0.0, 1),
                           complex(float("inf"), float("nan")), complex(1e16, 1e-5), 2.5j]):
    add("complex_%d" % i, value)

# ---- text --------------------------------------------------------------------
texts = [
    "", "hello", "it's", 'say "hi"', "both ' and \"", "tab\tnl\n\r\x00\x1f\x7f", "back\\slash",
    u("caf\\xe9"), u("nbsp\\xa0shy\\xad\\x85"), u("\\u03a9mega \\u2603 \\u200b \\u2028 \\ufeff \\uffff"),
    u("\\U0001f600 emoji \\U000e0001 \\U0010ffff \\U00020000"), u("lone \\ud800 surrogate"),
    u("mixed caf\\xe9 \\u2603 \\U0001f600 it's \"q\""), "x" * 3000,
]
for i, t in enumerate(texts):
    add("str_%d" % i, t)
if PY2:
    for i, t in enumerate(["caf\xe9 bytes", "\x00\xff\x80"]):
        add("bytestr_%d" % i, t)
add("bytes_empty", b"")
add("bytes_abc", b"abc")
add("bytes_escapes", b"\x00\xff'\"\\\t\n\r\x7f")
add("bytes_quote", b"it's")
add("bytearray_empty", bytearray())
add("bytearray", bytearray(b"xy\x00z'"))
grown = bytearray(b"0123456789")
del grown[:3]  # ob_start moves past ob_bytes
add("bytearray_trimmed", grown)

# ---- containers --------------------------------------------------------------
add("tuple_empty", ())
add("tuple_one", (1,))
add("tuple_three", (1, "a", None))
add("tuple_nested", ((1, 2), [3, {4: 5}], (u("\\u2603"),)))
add("list_empty", [])
add("list_ints", [1, 2, 3])
add("list_nested", [[[[[[1]]]]], [], [()]])
recursive = [1]
recursive.append(recursive)
add("list_recursive", recursive)
holder = ([],)
holder[0].append(holder)
add("tuple_recursive", holder)
add("dict_empty", {})
add("dict_str", {"a": 1, "b": [1, 2], "c": {"d": None}})
add("dict_general", {1: "x", (1, 2): None, 2.5: b"y"})
deleted = dict.fromkeys(range(10))
del deleted[3]
del deleted[7]
deleted[99] = "late"
add("dict_deleted", deleted)
add("dict_300", dict((i, i * i) for i in range(300)))
add("dict_70000", dict.fromkeys(range(70000), 0))
self_dict = {"k": 1}
self_dict["self"] = self_dict
add("dict_recursive", self_dict)
add("set_empty", set())
add("set_ints", {1, 2, 3})
removed = set(range(20))
removed.discard(5)
removed.discard(11)
add("set_removed", removed)
add("frozenset_empty", frozenset())
add("frozenset", frozenset(["a"]))
add("set_mixed", {(1, 2), "s", 3.5})

# ---- other built-ins ---------------------------------------------------------
if PY2:
    add("xrange_10", xrange(10))
    add("xrange_step", xrange(1, 10, 2))
    add("xrange_start", xrange(3, 8))
else:
    add("range_10", range(10))
    add("range_step", range(1, 10, 2))
    add("range_empty", range(0))
    add("range_big", range(-5, 10 ** 20, 3))
add("slice", slice(1, 2, None))
add("slice_none", slice(None))
add("slice_objs", slice("a", (1,), -1))
add("memoryview", memoryview(b"abc"))


class Foo(object):
    def method(self):
        return 1


class Outer(object):
    class Inner(object):
        pass


def function(a, b=2):
    return a + b


def make_closure():
    value = [1, 2]

    def inner():
        return value
    return inner


def gen():
    yield 1
    yield 2


foo = Foo()
add("foo", foo)
add("inner_instance", Outer.Inner())
add("class_foo", Foo)
add("class_inner", Outer.Inner)
add("type_int", int)
add("type_object", object)
add("type_none", type(None))
add("type_ordereddict", collections.OrderedDict)
add("type_type", type)
add("function", function)
add("lambda", lambda: 0)
closure = make_closure()
add("closure", closure)
add("cell", closure.__closure__[0])
add("bound_method", foo.method)
add("builtin_function", len)
add("builtin_method", [].append)
add("method_wrapper", [].__init__)
add("code", function.__code__)
g = gen()
next(g)
add("generator", g)
add("generator_frame", g.gi_frame)
add("module_os", os)
add("module_sys", sys)
add("module_json", json)
add("module_main", sys.modules["__main__"])
add("weakref_foo", weakref.ref(foo))
add("weakref_function", weakref.ref(function))
add("weakref_class", weakref.ref(Foo))
add("exc_value", ValueError("bad"))
add("exc_key", KeyError(1, 2))
add("exc_empty", Exception())


class MyError(ValueError):
    pass


add("exc_custom", MyError(u("caf\\xe9")))
if PY2:
    class Old:
        def method(self):
            pass

    add("old_class", Old)
    add("old_instance", Old())
    add("unbound_method", Foo.method)
    add("old_bound_method", Old().method)
else:
    exec("""
async def coro():
    return 1

async def agen():
    yield 1
""")
    c = coro()
    add("coroutine", c)
    add("async_generator", agen())

    # (in exec: 2.7 refuses to compile a del of a variable a closure uses)
    exec("""
def empty_cell():
    x = 1

    def inner():
        return x
    del x
    return inner.__closure__[0]
""")
    add("cell_empty", empty_cell())


# ---- instances and their attributes -------------------------------------------
class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted(object):
    __slots__ = ("a", "b", "unset")

    def __init__(self):
        self.a = 1
        self.b = "two"


class SlottedChild(Slotted):
    __slots__ = ("c",)

    def __init__(self):
        Slotted.__init__(self)
        self.c = [3]


class Many(object):
    pass


class MyInt(int):
    pass


class MyDict(dict):
    pass


class MyList(list):
    pass


class MySet(set):
    pass


class Meta(type):
    def __repr__(cls):
        return "no debugger can run this"


# A class whose metaclass has its own __repr__ shows as a class: type.__repr__.
with_meta = Meta("WithMeta", (object,), {"__module__": __name__})
add("class_with_metaclass", with_meta)
point = Point(1, "one")
add("point", point)
materialized = Point(2.5, None)
materialized.__dict__  # 3.11+: turns shared values into a real dict
materialized.extra = [1]
add("point_materialized", materialized)
add("point_deleted", Point(3, 4))
del objects["point_deleted"].x
many = Many()
for i in range(40):
    setattr(many, "attr%d" % i, i)
add("many_attrs", many)
add("slotted", Slotted())
add("slotted_child", SlottedChild())
myint = MyInt(12345)
myint.tag = "tagged"
add("myint", myint)
add("mydict", MyDict(a=1))
add("mylist", MyList([1, 2]))
add("myset", MySet([1]))
add("exception_attrs", ValueError("x"))
objects["exception_attrs"].note = "n"
if PY2:
    old = Old()
    old.field = 1
    add("old_instance_attrs", old)

# Expected attributes come from getattr, never obj.__dict__: touching
# __dict__ would turn 3.11+'s shared-key values into a real dict.
attribute_specs = {
    "point": ["x", "y"], "point_materialized": ["x", "y", "extra"], "point_deleted": ["y"],
    "many_attrs": ["attr%d" % i for i in range(40)], "myint": ["tag"], "foo": [],
    "slotted": ["a", "b", "unset"], "slotted_child": ["a", "b", "unset", "c"],
}
if PY2:
    attribute_specs["old_instance_attrs"] = ["field"]
for name, attrs in attribute_specs.items():
    obj = objects[name]
    attributes[name] = [[a, repr(getattr(obj, a)) if hasattr(obj, a) else None] for a in attrs]

# The instances, with their __dict__ keys in iteration order (2.7: hash
# order, which only the dict itself knows; 3.x: insertion order).
views = InstanceViews()
dict_keys = {"foo": [], "inner_instance": [], "point": ["x", "y"],
             "point_materialized": ["x", "y", "extra"], "point_deleted": ["y"],
             "many_attrs": ["attr%d" % i for i in range(40)], "slotted": None,
             "slotted_child": None}
if PY2:
    dict_keys.update(old_instance=[], old_instance_attrs=["field"])
    views.add(objects["old_bound_method"].im_self, [])
for name, keys in dict_keys.items():
    obj = objects[name]
    views.add(obj, list(obj.__dict__) if PY2 and keys is not None else keys)

truth = {}
for name, obj in objects.items():
    shown = type.__repr__(obj) if obj is with_meta else views.shown(repr(obj))
    truth[name] = [hex(id(obj)).rstrip("L"), shown, attributes.get(name)]
with open(sys.argv[1], "w") as f:
    json.dump(truth, f)
os.kill(os.getpid(), signal.SIGSTOP)
