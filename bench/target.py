# A benchmark target (Python 2.7 and 3.x): builds one shape of process and
# stops itself with SIGTRAP so the debugger can gcore it.
#   target.py deep N     - N frames of recursion
#   target.py threads N  - N threads blocked on one lock, plus the main thread
#   target.py list N     - a list of N ints; its address goes to argv[3]
import os
import signal
import sys
import threading
import time


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


def big_list(n, out):
    items = list(range(n))
    with open(out, "w") as f:
        f.write(hex(id(items)).rstrip("L"))
    stop()


shape, n = sys.argv[1], int(sys.argv[2])
sys.setrecursionlimit(n + 100)
if shape == "deep":
    deep(n)
elif shape == "threads":
    threads(n)
else:
    big_list(n, sys.argv[3])
