# -*- coding: utf-8 -*-
# The `debug_offsets` scenario (3.13+): run with the built-in layout tables
# switched off (CPYDBG_BUILTIN_LAYOUTS=0 in the debugger's environment), so
# cpydbg reads this process through its own _Py_DebugOffsets alone. Two
# threads (the main one in a closure three calls deep, one in time.sleep);
# locals of the types the block describes (ints, floats, str of every kind,
# bytes, tuples, lists, None, bools), of types it does not (dicts, sets,
# functions, instances) and containers mixing both. Before stopping itself
# with SIGTRAP it writes down, as JSON at argv[1], every thread's stack and
# each frame's locals as pystack -l must print them: Python's own repr()
# where the block covers the object, the marker where it does not.
import json
import os
import signal
import sys
import threading
import time

GLOBAL_VALUE = [1, 2]
COVERED = (int, float, str, bytes, tuple, list, type(None), bool)


def shown(value):
    """What cpydbg prints for `value` from the _Py_DebugOffsets alone."""
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        items = [shown(v) for v in value]
        if type(value) is tuple:
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if type(value) in COVERED:
        return repr(value)
    return "<%s at %s, not covered by _Py_DebugOffsets>" % (tp_name(type(value)), hex(id(value)))


def tp_name(cls):
    """The type's tp_name: a class's own name; a static type's, with its module but builtins'."""
    if cls.__flags__ & (1 << 9) or cls.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE
        return cls.__name__
    return cls.__module__ + "." + cls.__name__


def stack_of(frame):
    stack = []
    while frame is not None:
        # A module's or class body's names are in a dict, which the block does
        # not describe; a function's are in its frame.
        optimized = frame.f_code.co_flags & 1  # CO_OPTIMIZED
        stack.append({"file": frame.f_code.co_filename, "line": frame.f_lineno,
                      "name": frame.f_code.co_qualname,
                      "locals": dict((k, shown(v)) for k, v in frame.f_locals.items()) if optimized else {}})
        frame = frame.f_back
    return stack


def sleeper():
    time.sleep(3600)


class Thing:
    pass


def record(frame, objects):
    current = sys._current_frames()
    threads = []
    for thread in threading.enumerate():
        is_main = thread is threading.current_thread()
        threads.append({"ident": thread.ident, "native_id": thread.native_id, "main": is_main,
                        "stack": stack_of(frame if is_main else current[thread.ident])})
    truth = {
        "version": sys.version.split()[0],
        "threads": threads,
        "covered": dict((k, [hex(id(v)), repr(v)]) for k, v in objects.items()
                        if type(v) in COVERED or type(v).__name__ == "code"),
        "uncovered": dict((k, hex(id(v))) for k, v in objects.items()
                          if type(v) not in COVERED and type(v).__name__ != "code"),
        "local": ["small", repr(-5)],
        "global": "GLOBAL_VALUE",
    }
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)


def outer(n):
    cell = u"caf\u00e9"  # a cell: inner() reads it

    def middle(m):
        def inner(a, b):
            small, big, ratio = -5, 3 ** 70, 2.5
            ascii_text, wide, emoji = "plain", u"h\u00e9llo \u4e16\u754c", u"\U0001f600!"
            raw, nested = b"\x00ab\xff", (1, (u"two", 3.0), [None, True], False)
            mapping, members = {"k": [1]}, {1, 2}
            mixed = [1, {"a": 2}, (Thing(),)]
            objects = {"small": small, "big": big, "ratio": ratio, "wide": wide, "emoji": emoji,
                       "raw": raw, "nested": nested, "none": None, "true": True,
                       "code": inner.__code__, "mapping": mapping, "members": members,
                       "function": middle, "instance": Thing()}
            record(sys._getframe(), objects); os.kill(os.getpid(), signal.SIGTRAP)  # noqa: E702
            return a, b, cell, mixed
        return inner(m, n)
    return middle(n * 2)


worker = threading.Thread(target=sleeper, name="sleeper", daemon=True)
worker.start()
while not (sys._current_frames().get(worker.ident) and
           sys._current_frames()[worker.ident].f_code is sleeper.__code__):
    time.sleep(0.01)
outer(21)
