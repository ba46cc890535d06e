# cpydbg's gdb pretty-printers: wherever gdb prints a pointer of a CPython
# type (PyObject *, PyFrameObject *, _PyInterpreterFrame *, ...) -- print,
# info locals, info args, bt, bt full, frame lines -- it shows the Python
# value in libpython's style. The core formats it from the layout tables
# (not DWARF); this file only asks it. Loaded by cpydbg.py; switched off
# with gdb's own `disable pretty-printer global cpydbg`.
import ctypes
import json
import locale

import gdb

# gdb writes to_string's text in its own charset; a character the locale
# cannot show becomes an escape, as libpython's repr does.
_ENCODING = locale.getpreferredencoding()


class _Printer:
    def __init__(self, text):
        self._text = text

    def to_string(self):
        return self._text


class CpydbgPrinters:
    """The lookup gdb calls for every value it prints. It answers only for
    pointers of the types the core summarizes, and only when the core can
    read the target's Python; otherwise gdb prints the value as usual."""

    name = "cpydbg"

    def __init__(self, lib, session, take):
        self.enabled = True
        self._lib, self._session, self._take = lib, session, take
        lib.cpydbg_summary.restype = ctypes.c_void_p
        lib.cpydbg_summary.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p]
        lib.cpydbg_summarized_types_json.restype = ctypes.c_void_p
        self._types = frozenset(json.loads(take(lib.cpydbg_summarized_types_json())))

    def _pointee_name(self, pointer_type):
        """The name under which the core knows what the pointer points at."""
        target = pointer_type.target().unqualified()
        if target.name in self._types:
            return target.name
        tag = target.strip_typedefs().tag  # "struct _object *" and typedef chains
        return tag if tag in self._types else None

    def __call__(self, value):
        try:
            pointer_type = value.type.strip_typedefs()
            if pointer_type.code != gdb.TYPE_CODE_PTR or value.is_optimized_out:
                return None
            name = self._pointee_name(pointer_type)
            if name is None:
                return None
            address = int(value)
            session = self._session()
        except (gdb.error, gdb.MemoryError, RuntimeError):
            return None
        if not session:
            return None
        text = self._lib.cpydbg_summary(session, address, name.encode())
        if not text:
            return None
        text = self._take(text)
        return _Printer(text.encode(_ENCODING, "backslashreplace").decode(_ENCODING))


def register(lib, session, take):
    """Install the printers once, replacing those of an earlier `source`."""
    gdb.pretty_printers[:] = [p for p in gdb.pretty_printers
                              if getattr(p, "name", None) != CpydbgPrinters.name]
    gdb.pretty_printers.append(CpydbgPrinters(lib, session, take))
