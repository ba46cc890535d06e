# Python frames in gdb's own backtrace: a frame filter (on when cpydbg.py is
# sourced; `disable frame-filter global cpydbg` / `enable …` switch it) that
# shows, in place of each eval loop frame (_PyEval_EvalFrameDefault, 2.7's
# PyEval_EvalFrameEx), the Python frames that activation runs: function =
# the qualified name, file:line = the Python source, arguments in the frame
# line and, in `bt full`, the Python locals. The C frame itself is still
# there for `info frame` and `bt -no-filters`; `frame`, `up` and `down` print
# it, then the Python frames it runs as `bt` shows them (gdb applies frame
# filters to backtraces only, so these come from hooks on those commands).
import collections
import itertools
import struct

import gdb
from gdb.FrameDecorator import FrameDecorator

# gdb prints a decorator's values as gdb.Values; a Python string would print
# quoted, as a char array. Each repr is handed over as a small char array
# holding this marker and a key, which the printer below turns back into the
# repr, printed as it is.
_MARKER = b"\0cpydbg\0"
_TEXTS = collections.OrderedDict()  # key -> repr text, the newest last
_KEYS = itertools.count()
_MAX_TEXTS = 100000


def _text_type(size):
    return gdb.lookup_type("char").const().volatile().array(size - 1)


def _text_value(text):
    key = next(_KEYS)
    _TEXTS[key] = text
    if len(_TEXTS) > _MAX_TEXTS:
        _TEXTS.popitem(last=False)
    data = _MARKER + struct.pack("<Q", key)
    return gdb.Value(data, _text_type(len(data)))


class _TextPrinter:
    def __init__(self, text):
        self._text = text

    def to_string(self):
        return self._text


def _text_printer(value):
    """The printer of a value made by _text_value; None for any other."""
    size = len(_MARKER) + 8
    t = value.type
    if t.code != gdb.TYPE_CODE_ARRAY or t.sizeof != size or t != _text_type(size):
        return None
    data = bytes(int(value[i]) & 0xFF for i in range(size))
    if not data.startswith(_MARKER):
        return None
    text = _TEXTS.get(struct.unpack("<Q", data[len(_MARKER):])[0])
    return None if text is None else _TextPrinter(text)


_text_printer.__name__ = "cpydbg-frame-values"


class _Variable:
    def __init__(self, name, text):
        self._name, self._text = name, text

    def symbol(self):
        return self._name

    def value(self):
        return _text_value(self._text)


class _PythonFrame(FrameDecorator):
    """One Python frame of an eval loop activation, over its C frame."""

    def __init__(self, base, view):
        super().__init__(base)
        self._view = view

    def function(self):
        return self._view["function"]

    def filename(self):
        return self._view["filename"]

    def line(self):
        return self._view["line"]

    def frame_args(self):
        return [_Variable(name, text) for name, text in self._view["args"]]

    def frame_locals(self):
        return [_Variable(name, text) for name, text in self._view["locals"]]


def _frame_line(level, pc, view, first):
    """A Python frame as gdb's `bt` prints a decorated frame."""
    args = ", ".join("%s=%s" % (name, text) for name, text in view["args"])
    where = "#%-3d0x%016x in " % (level, pc) if first else "0x%016x in " % pc
    return "%s%s (%s) at %s:%d\n" % (where, view["function"], args, view["filename"], view["line"])


class _Filter:
    def __init__(self, frames_at):
        self.name = "cpydbg"
        self.priority = 100
        self.enabled = True
        self.frames_at = frames_at
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        for decorator in frames:
            views = []
            frame = decorator.inferior_frame()
            if frame.is_valid():
                views = self.frames_at(frame.level())
            if not views:
                yield decorator
            for view in views:
                yield _PythonFrame(decorator, view)


_FILTER = None


def after_frame_command():
    """After `frame`, `up`, `down`: the Python frames the selected frame runs."""
    if _FILTER is None or not _FILTER.enabled:
        return
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        return
    for i, view in enumerate(_FILTER.frames_at(frame.level())):
        gdb.write(_frame_line(frame.level(), frame.pc(), view, i == 0))


def _hook_frame_commands():
    for command in ("frame", "up", "down"):
        hook = "hookpost-" + command
        try:
            gdb.execute("show user " + hook, to_string=True)
            continue  # the user's own hook stays
        except gdb.error:
            pass
        gdb.execute("define %s\npython import cpydbg_frames; cpydbg_frames.after_frame_command()\nend"
                    % hook)


def register(frames_at):
    """frames_at(level) -> the Python frames native frame `level` of the
    selected thread runs, as cpydbg_python_frames_at's JSON decodes."""
    global _FILTER
    gdb.pretty_printers.append(_text_printer)
    _FILTER = _Filter(frames_at)
    _hook_frame_commands()
