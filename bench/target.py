# A benchmark target (Python 2.7 and 3.x): builds one shape of process and
# stops itself with SIGTRAP so the debugger can gcore it.
#   target.py deep N OUT     - N frames of recursion
#   target.py threads N OUT  - N threads blocked on one lock, plus the main thread
#   target.py list N OUT     - a global list `big` of N ints; its address goes to OUT
#   target.py dict N OUT     - a global dict `big` of N str -> int; its address goes to OUT
import os
import signal
import sys
import threading
import time

big = None


def stop():
    os.kill(os.getpid(), signal.SIGTRAP)


def deep(n):
    if n > 1:
        return deep(n - 1)
    stop()


def threads(n):
    lock = threading.Lock()
    lock.acquire()
    started = []
    for _ in range(n):
        t = threading.Thread(target=lambda: (started.append(1), lock.acquire()))
        t.daemon = True
        t.start()
    while len(started) < n:
        time.sleep(0.01)
    time.sleep(0.2)  # let the last one reach acquire()
    stop()


def container(make, n, out):
    global big
    big = make(n)
    with open(out, "w") as f:
        f.write(hex(id(big)).rstrip("L"))
    stop()


shape, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.setrecursionlimit(n + 100)
if shape == "deep":
    deep(n)
elif shape == "threads":
    threads(n)
elif shape == "list":
    container(lambda n: list(range(n)), n, out)
else:
    container(lambda n: dict(("key%d" % i, i) for i in range(n)), n, out)
