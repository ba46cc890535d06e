# -*- coding: utf-8 -*-
# The `views` scenario: Python values as the debugger's own views show them
# (gdb's print, info args, bt; LLDB's frame variable, p, bt) at a C
# breakpoint on builtin_id, whose argument v is the object passed to id().
# It writes down, as JSON at argv[1], each value it will pass, in order, with
# what libpython's style shows for it (computed here from the value itself:
# reprs, attributes, the builtins module's address), and for the frame of
# show() that calls id() its file, line and code name; then it stops itself
# with SIGTRAP, and once continued passes each value to id() from show().
# Then two more stops in show(): from the garbage collector's "start"
# callback while it collects (3.3+), and from a __del__ while the runtime
# finalizes; the thread states pystack shows there depend on the version
# ("gc_known", "finalizing_known": where the interpreter records them; 3.6
# keeps the collector's flag in a static variable, which the symbol table of
# the interpreters as built names — the views run on those).
# Valid Python 2.7 and 3.x.
import gc
import json
import os
import signal
import sys

PY2 = sys.version_info[0] == 2


def remote(obj):
    return "remote " + hex(id(obj)).rstrip("L")


class Point(object):
    def __init__(self, x, label):
        self.x = x
        self.label = label


class Node(object):
    pass


class Tagged(list):
    pass


def finished_frame(a, b):
    return sys._getframe()


point = Point(3, u"p\u00e9")
node = Node()
node.next = node  # a cycle through an attribute
tagged = Tagged([1, 2])
tagged.tag = "t"
frame = finished_frame(3, "four")
# libpython's words for a built-in that has a self (3.x: the module).
len_self = getattr(len, "__self__", None)
len_view = ("<built-in function len>" if len_self is None else
            "<built-in method len of module object at %s>" % remote(len_self))
long_list = list(range(1000))

# (name, value, its view: exact text, or a regular expression when part of
# it is an address only the interpreter knows).
VALUES = [
    ("int", 42, "42"),
    ("big_negative", -2 ** 100, repr(-2 ** 100)),
    ("float", 2.5, "2.5"),
    ("text", u"caf\u00e9 \u2603", repr(u"caf\u00e9 \u2603")),
    ("bytes", b"\x00a'", repr(b"\x00a'")),
    ("list", [1, [2, None]], repr([1, [2, None]])),
    ("dict", {"a": (1,)}, repr({"a": (1,)})),
    ("set", set([3]), repr(set([3]))),
    ("none", None, "None"),
    ("true", True, "True"),
    # Every instance of a class defined in Python by its attributes, a list
    # subclass's too; a cycle back to an instance as <...>.
    ("instance", point, "<Point(x=3, label=%r) at %s>" % (point.label, remote(point))),
    ("cycle", node, "<Node(next=<...>) at %s>" % remote(node)),
    ("list_subclass", tagged, "<Tagged(tag='t') at %s>" % remote(tagged)),
    ("exception", ValueError("bad"), "ValueError('bad',)"),
    ("builtin", len, len_view),
    ("class", Point, repr(Point)),
    # 1024 characters, then libpython's marker.
    ("truncated", long_list, repr(long_list)[:1024] + "...(truncated)"),
]
# A frame object shows the frame ("Frame 0x…": 3.11+ the interpreter frame
# inside it, whose address Python does not tell).
frame_view = "Frame 0x[0-9a-f]+, for file %s, line %d, in finished_frame \\(a=3, b='four'\\)" % (
    frame.f_code.co_filename, frame.f_lineno)


def show(value):
    id(value)  # the breakpoint; `value` is this frame's only local


def during_collection(phase, info):
    if phase == "start":
        gc.callbacks.remove(during_collection)
        show("collecting")


class Finalized(object):
    def __del__(self, show=show):  # __main__'s names may be gone by then
        show("finalizing")


keeper = Finalized()  # deleted as __main__ is cleared, while the runtime finalizes
truth = {
    "version": sys.version.split()[0], "version_info": list(sys.version_info[:2]),
    "builtins_module": remote(len_self) if len_self is not None else None,
    "gc_stop": hasattr(gc, "callbacks"), "gc_known": sys.version_info >= (3, 6),
    "finalizing_known": sys.version_info >= (3, 6),
    "values": [{"name": n, "view": view} for n, _, view in VALUES],
    "frame_object": frame_view,
    "show": {"file": show.__code__.co_filename, "line": show.__code__.co_firstlineno + 1,
             "name": show.__code__.co_name},
}
with open(sys.argv[1], "w") as f:
    json.dump(truth, f)
os.kill(os.getpid(), signal.SIGTRAP)
for _, value, _ in VALUES:
    show(value)
show(frame)
if truth["gc_stop"]:
    gc.callbacks.append(during_collection)
    gc.collect()
