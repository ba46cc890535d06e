# Starts a thread in time.sleep, one blocked on a held lock and two that spin
# (each waits for the GIL whenever another runs), then stops itself (SIGSTOP)
# holding the GIL. Writes each thread's kernel id to argv[1] first (gettid:
# threading knows it only from 3.8 on).
import ctypes, json, os, signal, sys, threading, time

SYS_gettid = 186  # x86-64
libc = ctypes.CDLL(None, use_errno=True)
tids = {}
lock = threading.Lock()
lock.acquire()


def record(name):
    tids.setdefault(name, []).append(libc.syscall(SYS_gettid))


def sleeper():
    record("sleep")
    time.sleep(3600)


def lock_waiter():
    record("lock")
    lock.acquire()


def spinner():
    record("spin")
    while True:
        pass


for target in (sleeper, lock_waiter, spinner, spinner):
    t = threading.Thread(target=target)
    t.daemon = True
    t.start()
while sum(len(v) for v in tids.values()) < 4:
    time.sleep(0.01)
time.sleep(0.3)  # into their waits
with open(sys.argv[1], "w") as f:
    json.dump(tids, f)
os.kill(os.getpid(), signal.SIGSTOP)
