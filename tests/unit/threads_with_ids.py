# Starts three threads that wait, writes every thread's ident (pthread_t) and
# native id (kernel tid) as JSON to argv[1], then stops itself (SIGSTOP).
import json, os, signal, sys, threading

go = threading.Event()
started = threading.Barrier(4)


def wait():
    started.wait()
    go.wait()


workers = [threading.Thread(target=wait, daemon=True) for _ in range(3)]
for w in workers:
    w.start()
started.wait()
with open(sys.argv[1], "w") as f:
    json.dump([{"ident": t.ident, "native_id": t.native_id} for t in threading.enumerate()], f)
os.kill(os.getpid(), signal.SIGSTOP)
