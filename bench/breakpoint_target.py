# The program bench/breakpoints.py times (Python 2.7 and 3.x).
#
#   breakpoint_target.py OUT loop [pdb | empty LIB]
#       time work(10**6) (best of 5, CPU time), stop at checkpoint(), time it again;
#       `pdb`: under a pdb breakpoint on the never-reached line of work();
#       `empty LIB`: with LIB's trace function that does nothing (bench/empty_trace.c)
#   breakpoint_target.py OUT hits N       N stops at HIT_LINE, each stamped just before
# Results go to OUT as JSON lines. Lines the bench refers to carry a MARK.
import json
import sys
import time

OUT = sys.argv[1]
clock = getattr(time, "process_time", time.clock if hasattr(time, "clock") else time.time)


def record(**fields):
    with open(OUT, "a") as f:
        f.write(json.dumps(fields) + "\n")


def work(n):
    total = 0
    for i in range(n):
        total += i * 2
        if total < 0:
            total = -1  # MARK: NEVER_SAME
    return total


def elsewhere():
    return 0  # MARK: NEVER_OTHER


def best_time():
    best = None
    for _ in range(5):
        start = clock()
        work(10 ** 6)
        took = clock() - start
        best = took if best is None else min(best, took)
    return best


def checkpoint():
    return None  # MARK: CHECKPOINT


def loop(mode):
    if mode[:1] == ["empty"]:
        import ctypes
        ctypes.PyDLL(mode[1]).empty_trace_install()
        first = best_time()
    elif mode == ["pdb"]:
        import pdb
        debugger = pdb.Pdb()
        debugger.set_break(__file__.replace(".pyc", ".py"), LINES["NEVER_SAME"])
        # As after pdb's `continue` (which always follows a first stop, where
        # bdb learns its bottom frame): tracing for the breakpoint, no stop.
        debugger.reset()
        debugger.botframe = sys._getframe()
        debugger.set_continue()
        sys.settrace(debugger.trace_dispatch)
        first = best_time()
        sys.settrace(None)
    else:
        first = best_time()
    checkpoint()
    record(first=first, second=best_time())


def hits(n):
    for i in range(n):
        record(stamp=time.time())
        i += 1  # MARK: HIT_LINE


def marks():
    found = {}
    with open(__file__.replace(".pyc", ".py")) as f:
        for number, line in enumerate(f, 1):
            if "# MARK: " in line:
                found[line.split("# MARK: ")[1].strip()] = number
    return found


LINES = marks()

if __name__ == "__main__":
    if sys.argv[2] == "loop":
        loop(sys.argv[3:])
    else:
        hits(int(sys.argv[3]))
