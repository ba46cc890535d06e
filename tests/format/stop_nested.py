# Stops itself (SIGSTOP) three Python calls deep, one of them through C:
# <module> -> outer -> sorted(key=) -> <lambda> -> inner. Writes the stack as
# Python sees it (innermost first: name, and whether its caller is C code) as
# JSON to argv[1] first.
import json, os, signal, sys


def inner():
    stack, frame = [], sys._getframe()
    while frame is not None:
        stack.append(frame.f_code.co_name)
        frame = frame.f_back
    with open(sys.argv[1], "w") as f:
        json.dump({"stack": stack, "called_from_c": ["<lambda>", "<module>"]}, f)
    os.kill(os.getpid(), signal.SIGSTOP)


def outer():
    return sorted([1], key=lambda x: inner())


outer()
