# Stops itself (SIGSTOP) inside a garbage collection: a weak reference's
# callback runs while the collector clears a reference cycle. Writes its pid
# to argv[1] first, from inside the collection.
import gc, json, os, signal, sys, weakref


class Node(object):
    pass


def stop_in_collector(_ref):
    with open(sys.argv[1], "w") as f:
        json.dump({"pid": os.getpid()}, f)
    os.kill(os.getpid(), signal.SIGSTOP)


gc.disable()  # only the collection below
a, b = Node(), Node()
a.other, b.other = b, a
ref = weakref.ref(a, stop_in_collector)
del a, b
gc.collect()
