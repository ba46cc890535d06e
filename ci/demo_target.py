# The demo's target: stops inside c.__radd__ while `a * b + c` is in flight,
# so pyopstack on frame 1 shows the operands 6 and c.
import os, signal, sys

class C(object):
    def __radd__(self, other):
        with open(sys.argv[1], "w") as f:
            f.write(hex(id(DATA)))
        os.kill(os.getpid(), signal.SIGTRAP)
        return other

DATA = {"numbers": [1, 2.5, -2 ** 70], "text": u"h\u00e9llo \u4e16\u754c", "nested": (None, True)}

def f(a, b, c):
    return a * b + c

f(2, 3, C())
