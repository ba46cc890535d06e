// range (2.7 xrange), slice, memoryview, weakref and module.
#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

// Python's %R of a str: quoted and escaped (3.x), or the plain text in the
// 2.7 reprs that print names with '%s' between quotes.
void quoted_name(Context& c, uint64_t str) {
  if (c.py.major() == 2) {
    c.out += "'" + c.text(str, 1000).value_or("?") + "'";
    return;
  }
  if (auto s = c.obj.unicode(str, 1000)) quote(c.out, s->code_points, '3', false);
}

void format_range(Context& c, uint64_t addr) {
  const auto& r = c.off.range;
  if (r.len27 != kAbsent) {  // 2.7 xrange: C longs
    auto start = c.mem.get<int64_t>(addr + r.start);
    auto step = c.mem.get<int64_t>(addr + r.step);
    auto len = c.mem.get<int64_t>(addr + r.len27);
    if (!start || !step || !len) return c.unreadable(addr);
    std::string stop = std::to_string(*start + *len * *step);
    if (*start == 0 && *step == 1) c.out += "xrange(" + stop + ")";
    else if (*step == 1) c.out += "xrange(" + std::to_string(*start) + ", " + stop + ")";
    else c.out += "xrange(" + std::to_string(*start) + ", " + stop + ", " + std::to_string(*step) + ")";
    return;
  }
  auto start = c.field(addr, r.start), stop = c.field(addr, r.stop), step = c.field(addr, r.step);
  if (!start || !stop || !step) return c.unreadable(addr);
  c.out += "range(";
  c.repr(*start);
  c.out += ", ";
  c.repr(*stop);
  size_t before = c.out.size();
  c.out += ", ";
  c.repr(*step);
  if (c.out.compare(before, std::string::npos, ", 1") == 0) c.out.resize(before);
  c.out += ')';
}

void format_slice(Context& c, uint64_t addr) {
  const auto& s = c.off.slice;
  auto start = c.field(addr, s.start), stop = c.field(addr, s.stop), step = c.field(addr, s.step);
  if (!start || !stop || !step) return c.unreadable(addr);
  c.out += "slice(";
  c.repr(*start);
  c.out += ", ";
  c.repr(*stop);
  c.out += ", ";
  c.repr(*step);
  c.out += ')';
}

void format_weakref(Context& c, uint64_t addr) {
  auto target = c.field(addr, c.off.weakref.wr_object);
  if (!target) return c.unreadable(addr);
  c.out += "<weakref at ";
  c.address(addr);
  auto none = c.py.symbol("_Py_NoneStruct");
  if (!*target || (none && *target == *none)) {
    c.out += "; dead>";
    return;
  }
  c.out += "; to '" + c.obj.type_name_of(*target).value_or("?") + "' at ";
  c.address(*target);
  if (auto name = dunder_name(c, *target)) c.out += " (" + *name + ")";
  c.out += '>';
}

// The module repr importlib builds (_module_repr_from_spec), from the
// module's __spec__ attributes; 2.7 and spec-less modules use __file__.
void format_module(Context& c, uint64_t addr) {
  auto dict = c.field(addr, c.off.module.md_dict);
  if (!dict || !*dict) return c.unreadable(addr);
  auto name_obj = c.dict_get(*dict, "__name__");
  auto none = c.py.symbol("_Py_NoneStruct");
  auto is_none = [&](std::optional<uint64_t> v) { return !v || !*v || (none && *v == *none); };
  auto spec = c.dict_get(*dict, "__spec__");
  c.out += "<module ";
  if (c.py.major() >= 3 && !is_none(spec)) {
    auto spec_name = instance_attr(c, *spec, "name");
    auto origin = instance_attr(c, *spec, "origin");
    auto located = instance_attr(c, *spec, "_set_fileattr");
    auto loader = instance_attr(c, *spec, "loader");
    if (!is_none(spec_name)) name_obj = spec_name;
    if (name_obj) quoted_name(c, *name_obj);
    else c.out += "'?'";
    auto true_obj = c.py.symbol("_Py_TrueStruct");
    // Before 3.12 importlib asks the loader's module_repr first: the
    // built-in and frozen importers (classes) answer with their origin.
    auto loader_name = !is_none(loader) && !c.py.at_least(3, 12) &&
                               c.obj.type_of(*loader) == c.types.type_symbol(Kind::Type)
                           ? c.type_qualname(*loader)
                           : std::nullopt;
    if (loader_name == "BuiltinImporter" || loader_name == "FrozenImporter") {
      c.out += loader_name == "FrozenImporter" ? " (frozen)" : " (built-in)";
    } else if (!is_none(origin) && located && true_obj && *located == *true_obj) {
      c.out += " from ";
      quoted_name(c, *origin);
    } else if (!is_none(origin)) {
      c.out += " (" + c.text(*origin).value_or("?") + ")";
    } else if (!is_none(loader)) {
      c.out += " (";
      c.repr(*loader);
      c.out += ")";
    }
    c.out += '>';
    return;
  }
  auto file_obj = c.dict_get(*dict, "__file__");
  if (name_obj) quoted_name(c, *name_obj);
  else c.out += "'?'";
  if (file_obj && c.text(*file_obj)) {
    c.out += " from ";
    quoted_name(c, *file_obj);
  } else if (c.py.major() == 2) {
    c.out += " (built-in)";
  }
  c.out += '>';
}

}  // namespace

void format_misc(Context& c, Kind kind, uint64_t addr) {
  switch (kind) {
    case Kind::Range: return format_range(c, addr);
    case Kind::Slice: return format_slice(c, addr);
    case Kind::MemoryView:
      c.out += "<memory at ";
      c.address(addr);
      c.out += '>';
      return;
    case Kind::Weakref: return format_weakref(c, addr);
    case Kind::Module: return format_module(c, addr);
    default: return c.generic(addr);
  }
}

}  // namespace cpydbg::fmt
