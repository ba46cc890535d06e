# Runs under the interpreter being tested: writes down its own stack and
# locals (the ground truth), then stops itself with SIGTRAP.
import json, os, signal, sys, traceback

def record(stack, **values):
    truth = {"stack": [(f[2], f[1]) for f in stack[:-1]] + [(stack[-1][2], stack[-1][1])],
             "locals": dict((k, repr(v)) for k, v in values.items()),
             "version": sys.version.split()[0]}
    with open(sys.argv[1], "w") as f:
        json.dump(truth, f)

def inner(a, b, text):
    x = a * b
    # The stack is taken on the line that stops, so its line numbers are the stop's.
    record(traceback.extract_stack(), a=a, b=b, text=text, x=x); os.kill(os.getpid(), signal.SIGTRAP)

def recurse(n):
    if n == 0:
        inner(6, -2 ** 100, u"h\u00e9llo \u4e16\u754c")
    else:
        recurse(n - 1)

recurse(5)
