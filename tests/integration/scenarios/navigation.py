# -*- coding: utf-8 -*-
# The `navigation` scenario: a short stack (inner <- middle <- outer <- the
# body of class Holder <- <module>) whose frames each hold their own locals
# (the class body's in its namespace dict), for frame selection
# (pyframe/pyup/pydown and libpython's py-up/py-down), per-frame locals and
# source listings, libpython's commands in libpython's format (py-bt,
# py-bt-full, py-list, py-locals, py-print), opcode-stack, and pyobj of an
# address or an expression. Before stopping itself with SIGTRAP it writes
# down, as JSON at argv[1], its stack innermost first with each frame's file,
# line, qualified and code name, the repr of each of its locals (a class
# body's: its namespace), its bound fast locals in slot order, and whether C
# ran it (the class body, from __build_class__; the module), where 3.11+
# begins a new eval-loop activation; then the id and repr of one list and
# what libpython calls len (a method of the builtins module, 2.7: a
# function). Must stay valid Python 2.7 and 3.x.
import json
import os
import signal
import sys


def slots(frame):
    """[name, repr] of the frame's bound locals, cells and free variables."""
    code, values = frame.f_code, frame.f_locals
    names = code.co_varnames + code.co_cellvars + code.co_freevars
    if not code.co_flags & 1:  # CO_OPTIMIZED: else f_locals is a namespace, not the slots
        return []
    return [[n, repr(values[n])] for i, n in enumerate(names) if n in values and n not in names[:i]]


def record(frame, obj):
    stack = []
    while frame is not None:
        code = frame.f_code
        stack.append({"file": code.co_filename, "line": frame.f_lineno,
                      "name": getattr(code, "co_qualname", code.co_name), "co_name": code.co_name,
                      "locals": dict((k, repr(v)) for k, v in frame.f_locals.items())
                      if code.co_name != "<module>" else {},
                      "slots": slots(frame), "called_from_c": code.co_name in ("Holder", "<module>")})
        frame = frame.f_back
    len_self = getattr(len, "__self__", None)
    with open(sys.argv[1], "w") as f:
        json.dump({"version": sys.version.split()[0], "version_info": list(sys.version_info[:2]),
                   "stack": stack, "object": {"id": hex(id(obj)).rstrip("L"), "repr": repr(obj)},
                   "builtins_module": None if len_self is None else hex(id(len_self)).rstrip("L")},
                  f)


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
