# -*- coding: utf-8 -*-
# The `native` scenario: Python frames between native ones. The main thread
# goes through C calls: sorted(key=...) calls Python, which calls map(),
# whose iteration calls Python, which looks a key up with dict.get, whose C
# code calls the key's __hash__ in Python — and stops there. Two threads
# are blocked in C calls (time.sleep, Lock.acquire) and one thread, started
# straight from C, has no Python state at all. Before stopping itself
# with SIGTRAP it writes down, as JSON at argv[1], each thread's stack as
# Python sees it (innermost first), and for each frame of the main thread
# how its caller called it: straight from Python bytecode, or through which
# C function (so where an eval loop activation must begin).
# Must stay valid Python 2.7 and 3.x.
import ctypes
import json
import os
import signal
import sys
import threading
import time

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


LIBC = ctypes.CDLL(None)
SYS_GETTID = 186  # x86-64
TIDS = {}  # thread name -> kernel thread id


def sleeper():
    TIDS["sleeper"] = LIBC.syscall(SYS_GETTID)
    time.sleep(3600)


def lock_waiter():
    TIDS["lock_waiter"] = LIBC.syscall(SYS_GETTID)
    lock.acquire()


def sleeping(tid):
    with open("/proc/self/task/%d/stat" % tid) as f:
        stat = f.read()
    return stat[stat.rfind(")") + 2] == "S"


def start_blocked(target):
    """A daemon thread, returned once it is blocked inside its C call: on its
    blocking line, and asleep in the kernel while this thread slept without
    the GIL (so not waiting for the GIL: in the call)."""
    thread = threading.Thread(target=target, name=target.__name__)
    thread.daemon = True
    thread.start()
    blocking_line = target.__code__.co_firstlineno + 2
    while True:
        time.sleep(0.02)
        frame = sys._current_frames().get(thread.ident)
        if frame is not None and frame.f_code is target.__code__ and frame.f_lineno == blocking_line \
                and sleeping(TIDS[target.__name__]):
            return thread


# How each function of the main thread is called by its caller: "python"
# (a call in bytecode) or the C function in between ("sorted", "map",
# "dict.get" — through which __hash__ runs). The module is run from C.
CALLED_BY = {"<module>": "C", "outer": "python", "by_sort": "sorted", "by_map": "map",
             "lookup": "python", "__hash__": "dict.get", "stop": "python"}


def record(frame):
    """Write the truth; `frame` is the frame that is about to stop."""
    current = sys._current_frames()
    me = threading.current_thread()
    threads = []
    for thread in threading.enumerate():
        stack = stack_of(frame if thread is me else current[thread.ident])
        threads.append({"name": thread.name, "ident": thread.ident, "main": thread is me,
                        "stack": stack})
    main_stack = [t["stack"] for t in threads if t["main"]][0]
    truth = {
        "version_info": list(sys.version_info[:2]),
        "threads": threads,
        "called_by": [CALLED_BY[f[2].split(".")[-1]] for f in main_stack],
        # lookup's arguments and local, as repr() shows them.
        "lookup": {"args": [["n", repr(5)], ["table", repr({})]], "locals": [["note", repr(u"looking")]]},
    }
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)


def stop():
    record(sys._getframe()); os.kill(os.getpid(), signal.SIGTRAP)  # noqa: E702


class Key(object):
    def __init__(self, n):
        self.n = n

    def __hash__(self):
        if self.n == 5:
            stop()
        return self.n


def lookup(n, table):
    note = u"looking"
    return table.get(Key(n))


def by_map(x):
    return list(map(lambda n: n, [lookup(x, {})]))


def by_sort(x):
    return list(map(by_map, [x]))[0]


def outer():
    return sorted([5], key=by_sort)


def start_native_thread():
    """A thread that runs libc's sleep(3600) and never Python: pthread_create
    called with sleep as the start routine (its argument lands where sleep
    takes its count)."""
    thread = ctypes.c_ulong()
    LIBC.pthread_create(ctypes.byref(thread), None, ctypes.cast(LIBC.sleep, ctypes.c_void_p),
                        ctypes.c_void_p(3600))


start_native_thread()
blocked = [start_blocked(sleeper), start_blocked(lock_waiter)]
outer()
