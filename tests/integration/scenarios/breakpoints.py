# Target of tests/integration/breakpoints.py (Python breakpoints and
# stepping). It writes down what it does, before doing it, as JSON lines in
# its log: the debugger's stops are checked against that, never against what
# cpydbg prints. Lines the test stops at carry a MARK comment; the test finds
# them by it.
#
#   breakpoints.py LOG launch    the program a debugger starts with breakpoints set
#   breakpoints.py LOG attach    runs until LOG.release exists, for a debugger to attach
# Python 2.7 and 3.x alike.
import json  # MARK: FIRST_LINE
import os
import signal
import sys
import threading
import time

LOG = sys.argv[1]


def record(**event):
    with open(LOG, "a") as f:
        f.write(json.dumps(event) + "\n")


def triple_plus_one(x):
    y = x * 3  # MARK: HELPER_FIRST
    record(event="triple_plus_one", x=x, returns=repr(y + 1))
    return y + 1  # MARK: HELPER_RETURN


def compute(n):
    total = 0
    for i in range(n):  # MARK: LOOP_HEAD
        record(event="loop", i=i, total=total)
        total += triple_plus_one(i)  # MARK: LOOP_CALL
    return total


def worker(items):
    doubled = []
    for item in items:
        record(event="worker", item=item, thread=threading.current_thread().name)
        doubled.append(item * 2)  # MARK: WORKER_LINE
    return doubled


def launch():
    record(event="main", preload=os.environ.get("LD_PRELOAD"))
    result = compute(6)
    # A stop of the debugger's own in the middle (what Ctrl-C makes), with
    # Python breakpoints set: they must go on working after it.
    os.kill(os.getpid(), signal.SIGTRAP)
    record(event="after-signal")  # MARK: AFTER_SIGNAL
    t = threading.Thread(target=worker, args=([10, 20],), name="worker-1")
    t.start()
    t.join()
    # The same sums without any function a breakpoint could be on.
    expected = sum(3 * i + 1 for i in range(6))
    # After pydelete the agent is gone: threading's trace hook is the program's again.
    record(event="finished", result=result, expected=expected,
           thread_hook=repr(getattr(threading, "_trace_hook", None)))
    print("result %d expected %d" % (result, expected))


def attach():
    record(event="ready", pid=os.getpid())
    n = handled = 0
    while not os.path.exists(LOG + ".release"):
        n += 1
        record(event="tick", n=n)
        time.sleep(0.01)
        handled = n * 2  # MARK: TICK_LINE
    record(event="finished", ticks=n, handled=handled)
    print("ticks %d handled %d" % (n, handled))


if __name__ == "__main__":
    {"launch": launch, "attach": attach}[sys.argv[2]]()
