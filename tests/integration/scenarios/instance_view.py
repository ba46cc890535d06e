"""What cpydbg's own commands show for an instance of a class defined in
Python, written down by the scenarios as the truth for such objects.

A debugger cannot run a class's __repr__, so cpydbg shows the instance's
attributes instead: <module.QualName(attr=repr, ...) at 0x...>, its __dict__
items in the dict's iteration order, then the set __slots__ of its class and
then of each base class defined in Python. Without any it is Python's own
<module.QualName object at 0x...>. Valid Python 2.7 and 3.x.
"""
import sys

__all__ = ["InstanceViews"]

PY2 = sys.version_info[0] == 2


def _slot_names(cls):
    """A class's own __slots__ as its members hold them: mangled, sorted."""
    slots = cls.__dict__.get("__slots__", ())
    if isinstance(slots, str):
        slots = (slots,)
    names = []
    for name in slots:
        if name in ("__dict__", "__weakref__"):
            continue
        if name.startswith("__") and not name.endswith("__"):
            name = "_%s%s" % (cls.__name__.lstrip("_"), name)
        names.append(name)
    return sorted(names)


def _class_name(obj):
    cls = getattr(obj, "__class__", type(obj))
    name = cls.__name__ if PY2 else cls.__qualname__
    module = cls.__module__
    return name if module in ("builtins", "__builtin__") else module + "." + name


class InstanceViews(object):
    """Instances the scenario knows the attributes of, and what each shows."""

    def __init__(self):
        self._instances = []  # (instance, its __dict__ keys or None)

    def add(self, obj, dict_names):
        """`dict_names`: the instance's __dict__ keys in iteration order, None
        when it has no __dict__. The caller says them because reading
        __dict__ itself would turn 3.11+'s inline values into a real dict."""
        self._instances.append((obj, dict_names))

    def shown(self, text):
        """`text` (a repr) with every known instance as cpydbg shows it; an
        attribute's repr may hold another instance, hence the passes."""
        for _ in range(len(self._instances) + 1):
            before = text
            for obj, dict_names in self._instances:
                text = text.replace(self._plain(obj), self._view(obj, dict_names))
            if text == before:
                return text
        raise ValueError("instances that contain themselves: no finite view")

    @staticmethod
    def _plain(obj):
        """Python's own repr of the instance (the classes have no __repr__)."""
        return repr(obj) if PY2 and type(obj).__name__ == "instance" else object.__repr__(obj)

    def _view(self, obj, dict_names):
        parts = ["%s=%r" % (name, getattr(obj, name)) for name in dict_names or ()]
        for cls in type(obj).__mro__:
            if cls.__module__ not in ("builtins", "__builtin__"):
                parts += ["%s=%r" % (name, getattr(obj, name)) for name in _slot_names(cls)
                          if hasattr(obj, name)]
        if not parts:  # nothing to add to Python's own repr
            return self._plain(obj)
        return "<%s(%s) at %s>" % (_class_name(obj), ", ".join(parts), hex(id(obj)).rstrip("L"))
