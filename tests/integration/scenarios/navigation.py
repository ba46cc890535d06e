# -*- coding: utf-8 -*-
# The `navigation` scenario: a short stack (inner <- middle <- outer <- the
# body of class Holder <- <module>) whose frames each hold their own locals
# (the class body's in its namespace dict), for frame selection
# (pyframe/pyup/pydown and libpython's py-up/py-down), per-frame locals and
# source listings, and the aliases (py-bt, py-bt-full, py-list, py-locals,
# py-print, opcode-stack), and pyobj of an address or an expression. Before
# stopping itself with SIGTRAP it writes down, as JSON at argv[1], its stack
# innermost first with each frame's file, line, name and the repr of each of
# its locals, and the id and repr of one list. Must stay valid Python 2.7 and 3.x.
import json
import os
import signal
import sys


def record(frame, obj):
    stack = []
    while frame is not None:
        code = frame.f_code
        stack.append({"file": code.co_filename, "line": frame.f_lineno,
                      "name": getattr(code, "co_qualname", code.co_name),
                      "locals": dict((k, repr(v)) for k, v in frame.f_locals.items())
                      if code.co_name != "<module>" else {}})
        frame = frame.f_back
    with open(sys.argv[1], "w") as f:
        json.dump({"version": sys.version.split()[0], "stack": stack,
                   "object": {"id": hex(id(obj)).rstrip("L"), "repr": repr(obj)}}, f)


def inner(count, label):
    items = [count, label]
    record(sys._getframe(), items); os.kill(os.getpid(), signal.SIGTRAP)  # noqa: E702
    return items


def middle(base):
    scaled = base * 3
    return inner(scaled, u"mid\u00e9")


def outer():
    word = "outer"
    return middle(7), word


class Holder(object):
    kind = "class body"
    result = outer()
