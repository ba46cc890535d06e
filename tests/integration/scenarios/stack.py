# -*- coding: utf-8 -*-
# The `stack` scenario: one process with everything a Python stack walker
# must get right, stopped in one place. The main thread is 1,000 frames deep
# in a recursion, then inside C calls (sorted(key=...) calling map calling
# Python), a running generator, on 3.5+ two running coroutines
# (stack_async.py), and stops inside an `except` block of a closure with a
# cell and a free variable. Three more threads: one in time.sleep, one
# waiting for a threading.Lock, one spinning in Python (so waiting for the
# GIL). A suspended generator and coroutine are kept for pyobj. Before
# stopping itself with SIGTRAP it writes down, as JSON
# at argv[1], every thread's stack as Python sees it (innermost first), the
# thread ids, the locals and names py-print must find, and the ids and
# locations of the suspended generator and coroutine.
# Must stay valid Python 2.7 and 3.x.
import json
import os
import signal
import sys
import threading
import time

DEPTH = 1000
sys.setrecursionlimit(DEPTH + 500)
GLOBAL_VALUE = (1, u"gl\u00f6bal")
lock = threading.Lock()
lock.acquire()


def name_of(code):
    """The frame name pystack prints: the qualified name where the code has one (3.11+)."""
    return getattr(code, "co_qualname", code.co_name)


def stack_of(frame):
    stack = []
    while frame is not None:
        stack.append([frame.f_code.co_filename, frame.f_lineno, name_of(frame.f_code)])
        frame = frame.f_back
    return stack


def sleeper():
    time.sleep(3600)


def lock_waiter():
    lock.acquire()


def spinner():
    while True: pass  # noqa: E701  (one line: the frame is always on it)


# What pystack -a says each blocked thread does, by thread name. The
# spinners run Python, so they wait for the GIL the stopping thread holds
# (each may be caught between dropping it and waiting: "spins").
BLOCKED = {"sleeper": "in sleep", "lock_waiter": "waiting on a lock"}
SPINNERS = 3


def start_blocked(target, name=None):
    """A daemon thread, returned once it is on its blocking line."""
    thread = threading.Thread(target=target, name=name or target.__name__)
    thread.daemon = True
    thread.start()
    blocking_line = target.__code__.co_firstlineno + 1
    while True:
        frame = sys._current_frames().get(thread.ident)
        if frame is not None and frame.f_code is target.__code__ and frame.f_lineno == blocking_line:
            return thread
        time.sleep(0.01)


def suspended_generator():
    yield 1
    yield 2


def record(frame, names):
    """Write the truth; `frame` is the frame that is about to stop."""
    current = sys._current_frames()
    threads = []
    for thread in threading.enumerate():
        threads.append({
            "name": thread.name,
            "ident": thread.ident,
            "native_id": getattr(thread, "native_id", None),
            "main": thread is threading.current_thread(),
            "daemon": thread.daemon,
            "blocked": BLOCKED.get(thread.name),
            "spins": thread.name.startswith("spinner"),
            "stack": stack_of(frame if thread is threading.current_thread() else current[thread.ident]),
        })
    truth = {
        "version": sys.version.split()[0],
        "version_info": list(sys.version_info[:2]),
        "depth": DEPTH,
        "threads": threads,
        "locals": dict((k, repr(v)) for k, v in frame.f_locals.items()),
        "names": names,
        "suspended": [{"id": hex(id(g)).rstrip("L"), "repr": repr(g), "line": line,
                       "name": name_of(g.gi_code if hasattr(g, "gi_code") else g.cr_code)}
                      for g, line in suspended],
    }
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)


def make_handler():
    outer_value = [u"fr\u00eae", 2]  # a free variable of the handler

    def handling():
        captured = u"\U0001f600 cell"  # a cell variable: the lambda below uses it
        reader = lambda: captured  # noqa: E731
        big = -2 ** 100
        try:
            raise KeyError("the key")
        except KeyError as error:
            names = {  # what py-print must print, and where it finds each name
                "big": ["local", repr(big)],
                "captured": ["local", repr(captured)],
                "outer_value": ["local", repr(outer_value)],
                "GLOBAL_VALUE": ["global", repr(GLOBAL_VALUE)],
                # py-print is libpython's: a built-in with a self (3.x: the
                # builtins module) is a method there.
                "len": ["builtin", "<built-in function len>" if len.__self__ is None else
                        "<built-in method len of module object at remote %s>"
                        % hex(id(len.__self__)).rstrip("L")],
            }
            record(sys._getframe(), names); os.kill(os.getpid(), signal.SIGTRAP)  # noqa: E702
            return reader, error
    return handling


def running_generator(then):
    yield then()


def in_generator(x):
    for value in running_generator(drive):
        return value


def by_map(x):
    return list(map(in_generator, [x]))[0]


def through_c():
    return sorted([3, 1, 2], key=by_map)


def recurse(n):
    if n > 1:
        return recurse(n - 1)
    return through_c()


handler = make_handler()
if sys.version_info >= (3, 5):
    import stack_async
    drive = lambda: stack_async.drive(handler)  # noqa: E731
else:
    drive = handler

gen = suspended_generator()
next(gen)
suspended = [(gen, suspended_generator.__code__.co_firstlineno + 1)]
if sys.version_info >= (3, 5):
    suspended.append(stack_async.suspended())
blocked = [start_blocked(sleeper), start_blocked(lock_waiter)] + [
    start_blocked(spinner, "spinner-%d" % i) for i in range(SPINNERS)]
recurse(DEPTH)
