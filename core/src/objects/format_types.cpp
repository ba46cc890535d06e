// Types and instances: type objects, instances of classes (object.__repr__),
// exceptions, 2.7 old-style classes and instances; an instance's __dict__
// and __slots__ for pyobj's detail view.
#include <algorithm>

#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

constexpr uint64_t kTpFlagInlineValues = 1ull << 2;  // 3.13
constexpr uint64_t kTpFlagManagedDict = 1ull << 4;   // 3.11+
constexpr int kMemberObject = 6, kMemberObjectEx = 16;  // T_OBJECT, T_OBJECT_EX (__slots__)
constexpr int kMaxMembers = 1000;
constexpr int kMaxBaseChain = 64;

void format_type(Context& c, uint64_t type) {
  auto tp_name = c.obj.type_name(type);
  auto flags = c.obj.tp_flags(type);
  if (!tp_name || !flags) return c.unreadable(type);
  auto module = c.type_module(type);
  const bool builtin = !module || *module == "builtins" || *module == "__builtin__";
  // 2.7 calls static types "type" and classes "class"; 3.x calls all "class".
  const char* kind = c.py.major() == 2 && !(*flags & kTpFlagHeapType) ? "type" : "class";
  std::string name = *tp_name;
  if (!builtin) {
    auto q = c.py.major() == 2 ? dunder_name(c, type) : c.type_qualname(type);
    if (!q) return c.unreadable(type);
    name = *module + "." + *q;
  }
  c.out += std::string("<") + kind + " '" + name + "'>";
}

void format_exception(Context& c, uint64_t addr) {
  auto type = c.obj.type_of(addr);
  auto name = type ? c.short_type_name(*type) : std::nullopt;
  auto args = c.field(addr, c.off.exc.args);
  if (!name || !args) return c.unreadable(addr);
  c.out += *name;
  // 3.7+ prints a single argument without the tuple's trailing comma;
  // libpython prints the args tuple as it is.
  auto n = *args ? c.obj.var_size(*args) : std::nullopt;
  if (!c.libpython() && c.py.at_least(3, 7) && n && *n == 1) {
    auto items = c.obj.tuple_items(*args, 1);
    if (!items || items->empty()) return c.unreadable(addr);
    c.out += '(';
    c.repr((*items)[0]);
    c.out += ')';
    return;
  }
  c.repr(*args);
}

// The __module__ of an old-style class, from its cl_dict.
std::optional<std::string> class27_module(Context& c, uint64_t klass) {
  auto dict = c.field(klass, c.off.instance27.cl_dict);
  auto mod = dict && *dict ? c.dict_get(*dict, "__module__") : std::nullopt;
  return mod ? c.obj.bytes(*mod, 400) : std::nullopt;
}

void format_class27(Context& c, uint64_t klass) {
  auto name_obj = c.field(klass, c.off.instance27.cl_name);
  auto name = name_obj ? c.obj.bytes(*name_obj, 400) : std::nullopt;
  if (!name) return c.unreadable(klass);
  c.out += "<class " + class27_module(c, klass).value_or("?") + "." + *name + " at ";
  c.address(klass);
  c.out += '>';
}

// How an instance names its class: libpython by tp_name (a 2.7 old-style
// instance by its class's name), our style as object.__repr__ does, with the
// module.
std::optional<std::string> instance_class_name(Context& c, uint64_t addr) {
  auto type = c.obj.type_of(addr);
  if (!type) return std::nullopt;
  if (c.types.kind_of_type(*type) == Kind::Instance27) {
    auto klass = c.field(addr, c.off.instance27.in_class);
    auto name_obj = klass && *klass ? c.field(*klass, c.off.instance27.cl_name) : std::nullopt;
    auto name = name_obj ? c.obj.bytes(*name_obj, 400) : std::nullopt;
    if (!name || c.libpython()) return name;
    return class27_module(c, *klass).value_or("?") + "." + *name;
  }
  if (c.libpython()) return c.obj.type_name(*type);
  auto name = c.type_qualname(*type);
  auto module = c.type_module(*type);
  if (!name) return std::nullopt;
  if (module && *module != "builtins" && *module != "__builtin__") return *module + "." + *name;
  return name;
}

std::optional<uint64_t> cached_keys(Context& c, uint64_t type) {
  auto keys = c.field(type, c.off.heaptype.ht_cached_keys);
  return keys && *keys ? keys : std::nullopt;
}

}  // namespace

// Where an instance keeps its attributes in each version; nullopt when it
// has no __dict__ (none yet, or its class gives it none) or it is unreadable.
std::optional<std::vector<DictItem>> instance_dict(Context& c, uint64_t obj, size_t limit) {
  const std::optional<std::vector<DictItem>> no_dict;
  auto type = c.obj.type_of(obj);
  if (!type) return std::nullopt;
  if (c.types.kind_of_type(*type) == Kind::Instance27) {
    auto d = c.field(obj, c.off.instance27.in_dict);
    return d && *d ? dict_items(c, *d, limit) : std::nullopt;
  }
  auto flags = c.obj.tp_flags(*type);
  if (!flags) return std::nullopt;
  if (c.py.at_least(3, 11) && (*flags & kTpFlagManagedDict)) {
    // The managed dict lives in the pre-header, 3 words before the object
    // (the GC header takes the 2 nearest).
    auto slot = c.mem.ptr(obj - 3 * 8);
    if (!slot) return std::nullopt;
    auto keys = cached_keys(c, *type);
    if (c.py.at_least(3, 13)) {
      if (*slot) return dict_items(c, *slot, limit);
      if (!(*flags & kTpFlagInlineValues) || !keys) return no_dict;
      auto basicsize = c.mem.get<int64_t>(*type + c.off.type.tp_basicsize);
      if (!basicsize || *basicsize <= 0 || *basicsize > (1 << 20)) return std::nullopt;
      uint64_t values = obj + static_cast<uint64_t>(*basicsize);
      auto valid = c.mem.get<uint8_t>(values + c.off.dictvalues.valid);
      if (!valid || !*valid) return std::nullopt;
      return values_items(c, *keys, values, limit);
    }
    if (c.py.at_least(3, 12)) {  // PyDictOrValues: tagged values pointer, or the dict
      // The values pointer is stored minus one (odd); a dict pointer as is.
      if (*slot & 1) return keys ? values_items(c, *keys, *slot + 1, limit) : std::nullopt;
      return *slot ? dict_items(c, *slot, limit) : no_dict;
    }
    if (*slot) return dict_items(c, *slot, limit);  // 3.11: dict at -3, values at -4
    auto values = c.mem.ptr(obj - 4 * 8);
    if (!values || !keys) return std::nullopt;
    if (!*values) return no_dict;
    return values_items(c, *keys, *values, limit);
  }
  auto dictoffset = c.mem.get<int64_t>(*type + c.off.type.tp_dictoffset);
  if (!dictoffset || *dictoffset == 0) return std::nullopt;
  int64_t at = *dictoffset;
  if (at < 0) {  // from the end of a variable-size object (_PyObject_GetDictPtr)
    auto basicsize = c.mem.get<int64_t>(*type + c.off.type.tp_basicsize);
    auto itemsize = c.mem.get<int64_t>(*type + c.off.type.tp_itemsize);
    auto size = c.obj.var_size(obj);
    if (!basicsize || !itemsize || !size) return std::nullopt;
    int64_t n = *size < 0 ? -*size : *size;
    if (n > kMaxSaneLength) return std::nullopt;
    at += (*basicsize + n * *itemsize + 7) & ~int64_t(7);
  }
  if (at < 0 || at > (1 << 20)) return std::nullopt;
  auto d = c.mem.ptr(obj + static_cast<uint64_t>(at));
  if (!d) return std::nullopt;
  return *d ? dict_items(c, *d, limit) : no_dict;
}

namespace {

// __slots__: the object members (T_OBJECT_EX) of the heap types in the MRO.
void slots_of(Context& c, uint64_t obj, std::vector<ObjectFormatter::Attribute>& out, size_t max) {
  auto type = c.obj.type_of(obj);
  const auto& m = c.off.memberdef;
  if (!type || m.name == kAbsent || !m.size) return;
  uint64_t t = *type;
  for (int depth = 0; depth < kMaxBaseChain && t; ++depth) {
    auto flags = c.obj.tp_flags(t);
    if (!flags || !(*flags & kTpFlagHeapType)) break;  // built-in bases hold no slots
    auto members = c.field(t, c.off.type.tp_members);
    for (int i = 0; members && *members && i < kMaxMembers && out.size() < max; ++i) {
      uint64_t md = *members + static_cast<uint64_t>(i) * m.size;
      auto name_ptr = c.mem.ptr(md + m.name);
      if (!name_ptr || !*name_ptr) break;
      auto kind = c.mem.get<int32_t>(md + m.type);
      auto offset = c.mem.get<int64_t>(md + m.offset);
      auto name = c.mem.cstring(*name_ptr, 200);
      if (!kind || !offset || !name) break;
      if (*kind != kMemberObjectEx && *kind != kMemberObject) continue;
      if (*offset <= 0 || *offset > (1 << 20)) continue;
      out.push_back({*name, c.mem.ptr(obj + static_cast<uint64_t>(*offset)).value_or(0)});
    }
    t = c.mem.ptr(t + c.off.type.tp_base).value_or(0);
  }
}

}  // namespace

std::optional<std::string> dunder_name(Context& c, uint64_t obj) {
  auto type = c.obj.type_of(obj);
  if (!type) return std::nullopt;
  auto str_at = [&](uint64_t o, uint64_t offset) -> std::optional<std::string> {
    auto s = c.field(o, offset);
    return s ? c.text(*s) : std::nullopt;
  };
  switch (c.types.kind_of_type(*type)) {
    case Kind::Function: return str_at(obj, c.off.func.func_name);
    case Kind::Class27: return str_at(obj, c.off.instance27.cl_name);
    case Kind::Type: {
      auto flags = c.obj.tp_flags(obj);
      if (flags && (*flags & kTpFlagHeapType)) return str_at(obj, c.off.heaptype.ht_name);
      return c.short_type_name(obj);
    }
    case Kind::CFunction: {
      auto ml = c.field(obj, c.off.cfunc.m_ml);
      auto n = ml ? c.field(*ml, c.off.methoddef.ml_name) : std::nullopt;
      return n ? c.mem.cstring(*n, 200) : std::nullopt;
    }
    case Kind::Module: {
      auto d = c.field(obj, c.off.module.md_dict);
      auto n = d && *d ? c.dict_get(*d, "__name__") : std::nullopt;
      return n ? c.text(*n) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::optional<uint64_t> instance_attr(Context& c, uint64_t obj, std::string_view name) {
  auto items = instance_dict(c, obj, 1000);
  if (!items) return std::nullopt;
  for (const DictItem& it : *items) {
    auto k = c.obj.text(it.key, name.size() + 1);
    if (k && *k == name) return it.value;
  }
  return std::nullopt;
}

void format_type_or_instance(Context& c, Kind kind, uint64_t addr) {
  switch (kind) {
    case Kind::Type: return format_type(c, addr);
    case Kind::Exception: return format_exception(c, addr);
    case Kind::Class27: return format_class27(c, addr);
    default: return c.generic(addr);
  }
}

void format_instance(Context& c, uint64_t addr) {
  auto name = instance_class_name(c, addr);
  if (!name) return c.unreadable(addr);
  // Deeper than the depth limit, the plain form still says what it is.
  auto attrs = c.depth() < c.opt.max_depth ? instance_attributes(c, addr, c.opt.max_items + 1)
                                           : std::nullopt;
  // libpython writes "()" for an empty __dict__, nothing without one; ours
  // keeps Python's own repr when there is nothing to add to it.
  if (attrs && !c.libpython() &&
      std::none_of(attrs->begin(), attrs->end(), [](const auto& a) { return a.value != 0; }))
    attrs.reset();
  if (!attrs) {  // neither a __dict__ nor slots (or unreadable): object.__repr__
    if (c.libpython()) {
      c.out += "<" + *name + " at ";
    } else {
      auto type = c.obj.type_of(addr);
      if (type && c.types.kind_of_type(*type) == Kind::Instance27) {
        c.out += "<" + *name + " instance at ";
      } else {
        return c.generic(addr);
      }
    }
    c.address(addr);
    c.out += '>';
    return;
  }
  if (!c.enter(addr, "<...>")) return;  // an attribute that leads back here
  c.out += "<" + *name + "(";
  size_t shown = 0;
  for (const auto& a : *attrs) {
    if (!a.value) continue;  // an unset slot
    if (c.full()) break;
    if (shown++) c.out += ", ";
    if (shown > c.opt.max_items) {
      c.out += "...";
      break;
    }
    c.out += a.name + "=";
    c.repr(a.value);
  }
  c.out += ") at ";
  c.address(addr);
  c.out += '>';
  c.leave();
}

std::optional<std::vector<ObjectFormatter::Attribute>> instance_attributes(Context& c,
                                                                         uint64_t addr,
                                                                         size_t max) {
  std::vector<ObjectFormatter::Attribute> out;
  auto items = instance_dict(c, addr, max);
  for (const DictItem& it : items.value_or(std::vector<DictItem>{}))
    out.push_back({c.text(it.key, 200).value_or("?"), it.value});
  slots_of(c, addr, out, max);
  if (!items && out.empty()) return std::nullopt;
  return out;
}

}  // namespace cpydbg::fmt
