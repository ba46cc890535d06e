// ObjectFormatter: dispatch by type to the family formatters, plus the
// per-call state they share (format_internal.h) and pyobj's header line.
#include "objects/format.h"

#include <algorithm>
#include <cstdio>

#include "objects/format_internal.h"

namespace cpydbg {
namespace fmt {
namespace {

constexpr int kMaxBaseChain = 64;  // tp_base links followed before giving up

struct BuiltinType {
  const char* symbol;
  Kind kind;
};

// Exported in every build (stripped distro builds included) of the versions
// that have them; absent ones are simply skipped.
constexpr BuiltinType kBuiltins[] = {
    {"PyLong_Type", Kind::Int}, {"PyInt_Type", Kind::Int27}, {"PyBool_Type", Kind::Bool},
    {"PyFloat_Type", Kind::Float}, {"PyComplex_Type", Kind::Complex},
    {"PyBytes_Type", Kind::Bytes}, {"PyString_Type", Kind::Bytes},
    {"PyByteArray_Type", Kind::ByteArray}, {"PyTuple_Type", Kind::Tuple},
    {"PyList_Type", Kind::List}, {"PyDict_Type", Kind::Dict}, {"PySet_Type", Kind::Set},
    {"PyFrozenSet_Type", Kind::FrozenSet}, {"PyRange_Type", Kind::Range},
    {"PySlice_Type", Kind::Slice}, {"PyMemoryView_Type", Kind::MemoryView},
    {"_PyWeakref_RefType", Kind::Weakref}, {"PyFunction_Type", Kind::Function},
    {"PyMethod_Type", Kind::Method}, {"PyCFunction_Type", Kind::CFunction},
    {"PyCMethod_Type", Kind::CFunction}, {"_PyMethodWrapper_Type", Kind::MethodWrapper},
    {"PyCode_Type", Kind::Code},
    {"PyFrame_Type", Kind::Frame}, {"PyGen_Type", Kind::Generator},
    {"PyCoro_Type", Kind::Coroutine}, {"PyAsyncGen_Type", Kind::AsyncGenerator},
    {"PyModule_Type", Kind::Module}, {"PyType_Type", Kind::Type}, {"PyCell_Type", Kind::Cell},
    {"PyInstance_Type", Kind::Instance27}, {"PyClass_Type", Kind::Class27},
    {"_PyNone_Type", Kind::None}, {"_PyNotImplemented_Type", Kind::NotImplemented},
    {"PyEllipsis_Type", Kind::Ellipsis},
};

}  // namespace

std::optional<Feature> feature_of(Kind kind) {
  switch (kind) {
    case Kind::None: case Kind::NotImplemented: case Kind::Ellipsis: return std::nullopt;
    case Kind::Bool: case Kind::Int: case Kind::Int27: return Feature::Int;
    case Kind::Float: return Feature::Float;
    case Kind::Complex: return Feature::Complex;
    case Kind::Str: case Kind::Unicode27: return Feature::Str;
    case Kind::Bytes: return Feature::Bytes;
    case Kind::ByteArray: return Feature::ByteArray;
    case Kind::Tuple: return Feature::Tuple;
    case Kind::List: return Feature::List;
    case Kind::Dict: return Feature::Dict;
    case Kind::Set: case Kind::FrozenSet: return Feature::Set;
    case Kind::Range: return Feature::Range;
    case Kind::Slice: return Feature::Slice;
    case Kind::MemoryView: return Feature::MemoryView;
    case Kind::Weakref: return Feature::Weakref;
    case Kind::Function: return Feature::Function;
    case Kind::Method: return Feature::Method;
    case Kind::CFunction: return Feature::CFunction;
    case Kind::MethodWrapper: return Feature::MethodWrapper;
    case Kind::Code: return Feature::Code;
    case Kind::Frame: return Feature::Frame;
    case Kind::Generator: case Kind::Coroutine: case Kind::AsyncGenerator: return Feature::Generator;
    case Kind::Module: return Feature::Module;
    case Kind::Type: case Kind::Class27: return Feature::Type;
    case Kind::Exception: return Feature::Exception;
    case Kind::Cell: return Feature::Cell;
    case Kind::Object: case Kind::Instance27: return Feature::Instance;
  }
  return Feature::Instance;
}

TypeTable::TypeTable(ObjectAccess& access) : obj_(access) {
  Python& py = access.python();
  for (const auto& b : kBuiltins)
    if (auto t = py.api_symbol(b.symbol)) builtin_.emplace(*t, b.kind);
  // 2.7's unicode is the u'' type; its str (PyString_Type) is 3.x's bytes.
  if (auto t = py.api_symbol("PyUnicode_Type"))
    builtin_.emplace(*t, py.major() == 2 ? Kind::Unicode27 : Kind::Str);
  // The singletons' types are static (not exported) in 2.7: learn them from
  // the exported singletons themselves.
  for (auto [object, kind] : {std::pair{"_Py_NoneStruct", Kind::None},
                              std::pair{"_Py_NotImplementedStruct", Kind::NotImplemented},
                              std::pair{"_Py_EllipsisObject", Kind::Ellipsis}})
    if (auto o = py.symbol(object))
      if (auto t = access.type_of(*o); t && *t) builtin_.emplace(*t, kind);
  // PyExc_BaseException is a pointer variable to the (static) type object.
  if (auto p = py.symbol("PyExc_BaseException"))
    if (auto t = py.mem().ptr(*p); t && *t) builtin_.emplace(*t, Kind::Exception);
  for (const auto& [type, kind] : builtin_)
    repr_of_[type] = py.mem().ptr(type + py.off().type.tp_repr).value_or(0);
}

std::optional<uint64_t> TypeTable::type_symbol(Kind kind) const {
  for (const auto& [type, k] : builtin_)
    if (k == kind) return type;
  return std::nullopt;
}

Kind TypeTable::kind_of_type(uint64_t type) {
  if (auto it = builtin_.find(type); it != builtin_.end()) return it->second;
  if (auto it = cache_.find(type); it != cache_.end()) return it->second;
  Python& py = obj_.python();
  Kind kind = Kind::Object;
  auto repr = py.mem().ptr(type + py.off().type.tp_repr);
  uint64_t t = type;
  // Without tp_base (a partial table) only the exact built-in types are known.
  for (int i = 0; i < kMaxBaseChain && repr && py.off().type.tp_base != kAbsent; ++i) {
    auto base = py.mem().ptr(t + py.off().type.tp_base);
    if (!base || !*base) break;
    t = *base;
    if (auto it = builtin_.find(t); it != builtin_.end()) {
      // The built-in's repr applies only when the subclass did not replace it.
      if (*repr == repr_of_[t]) kind = it->second;
      // Metaclasses and exception subclasses that override nothing still
      // inherit; anything else found further up would be overridden too.
      break;
    }
  }
  // A metaclass's instances are classes whatever its own __repr__ (enum's,
  // ABCMeta's) would say, which a debugger cannot run.
  auto flags = obj_.tp_flags(type);
  if (flags && (*flags & kTpFlagTypeSubclass)) kind = Kind::Type;
  // 2.7 and a stripped 3.13 do not export the method-wrapper type; libpython
  // knows it by name too.
  if (kind == Kind::Object && flags && !(*flags & kTpFlagHeapType) &&
      obj_.type_name(type) == "method-wrapper")
    kind = Kind::MethodWrapper;
  cache_.emplace(type, kind);
  return kind;
}

Context::Context(Python& p, ObjectAccess& access, TypeTable& t, CodeCache& code_cache,
                 const FormatOptions& options)
    : py(p), obj(access), mem(p.mem()), off(p.off()), opt(options), types(t), codes(code_cache) {}

bool Context::enter(uint64_t addr, std::string_view cut_text) {
  if (depth() >= opt.max_depth || std::find(active_.begin(), active_.end(), addr) != active_.end()) {
    out += cut_text;
    return false;
  }
  active_.push_back(addr);
  return true;
}

void Context::leave() { active_.pop_back(); }

void Context::address(uint64_t addr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s0x%llx", libpython() ? "remote " : "",
                static_cast<unsigned long long>(addr));
  out += buf;
}

void Context::unreadable(uint64_t addr) {
  // libpython's fallback for what it cannot read: the type name if known.
  out += libpython() ? "<" + obj.type_name_of(addr).value_or("unknown") + " at "
                     : std::string("<unreadable object at ");
  address(addr);
  out += '>';
}

std::optional<uint64_t> Context::field(uint64_t o, uint64_t offset) {
  if (offset == kAbsent) return std::nullopt;
  return mem.ptr(o + offset);
}

std::optional<std::string> Context::text(uint64_t str, size_t max) {
  if (!str) return std::nullopt;
  return obj.text(str, max);
}

std::optional<std::string> Context::short_type_name(uint64_t type) {
  auto name = obj.type_name(type);
  if (!name) return std::nullopt;
  size_t dot = name->rfind('.');
  return dot == std::string::npos ? *name : name->substr(dot + 1);
}

std::optional<std::string> Context::type_module(uint64_t type) {
  auto flags = obj.tp_flags(type);
  if (!flags) return std::nullopt;
  if (*flags & kTpFlagHeapType) {
    auto dict = field(type, off.type.tp_dict);
    if (!dict || !*dict) return std::nullopt;
    auto mod = dict_get(*dict, "__module__");
    return mod ? text(*mod) : std::nullopt;
  }
  auto name = obj.type_name(type);
  if (!name) return std::nullopt;
  size_t dot = name->rfind('.');
  if (dot == std::string::npos) return std::string(py.major() == 2 ? "__builtin__" : "builtins");
  return name->substr(0, dot);
}

std::optional<std::string> Context::type_qualname(uint64_t type) {
  auto flags = obj.tp_flags(type);
  if (!flags) return std::nullopt;
  if (*flags & kTpFlagHeapType) {
    uint64_t at = off.heaptype.ht_qualname != kAbsent ? off.heaptype.ht_qualname
                                                       : off.heaptype.ht_name;
    auto q = field(type, at);
    if (q && *q) return text(*q);
  }
  return short_type_name(type);
}

std::optional<uint64_t> Context::dict_get(uint64_t dict, std::string_view key) {
  // Type and module dicts are small; the cap only guards against garbage.
  auto items = dict_items(*this, dict, 10000);
  if (!items) return std::nullopt;
  for (const DictItem& it : *items) {
    auto k = obj.text(it.key, key.size() + 1);
    if (k && *k == key) return it.value;
  }
  return std::nullopt;
}

void Context::generic(uint64_t addr) {
  auto type = obj.type_of(addr);
  if (!type) return unreadable(addr);
  auto module = type_module(*type);
  // 2.7's object_repr names the class by __name__, 3.x by __qualname__;
  // ht_qualname is absent in 2.7 so type_qualname gives ht_name there.
  auto name = type_qualname(*type);
  if (!name) return unreadable(addr);
  out += '<';
  if (module && *module != "builtins" && *module != "__builtin__") out += *module + ".";
  out += *name;
  out += " object at ";
  address(addr);
  out += '>';
}

void Context::repr(uint64_t addr) {
  if (full()) return;
  if (addr == 0) {
    out += libpython() ? "0x0" : "NULL";
    return;
  }
  auto type = obj.type_of(addr);
  // A type pointer must itself point at a readable object with a name.
  if (!type || !*type || !obj.type_name(*type)) return unreadable(addr);
  Kind kind = types.kind_of_type(*type);
  if (auto feature = feature_of(kind); feature && !py.coverage().has(*feature)) {
    // A partial table: say what it is, not what it might hold.
    out += '<' + obj.type_name(*type).value_or("?") + " at ";
    address(addr);
    out += ", not covered by " + py.layout().partial_from + '>';
    return;
  }
  auto flags = obj.tp_flags(*type);
  const bool heap = flags && (*flags & kTpFlagHeapType);
  // libpython shows every instance of a heap type by its attributes, a list
  // subclass's too; classes and exceptions keep their own form. Our style
  // does so where Python's repr would say nothing.
  if (heap && (libpython() ? kind != Kind::Type && kind != Kind::Exception : kind == Kind::Object))
    return format_instance(*this, addr);
  switch (kind) {
    case Kind::None: case Kind::NotImplemented: case Kind::Ellipsis: case Kind::Bool:
    case Kind::Int: case Kind::Int27: case Kind::Float: case Kind::Complex:
      return format_number(*this, kind, addr);
    case Kind::Str: case Kind::Bytes: case Kind::Unicode27: case Kind::ByteArray:
      return format_text(*this, kind, addr);
    case Kind::Tuple: case Kind::List: case Kind::Set: case Kind::FrozenSet:
      return format_sequence(*this, kind, addr);
    case Kind::Dict:
      return format_dict(*this, addr);
    case Kind::Function: case Kind::Method: case Kind::CFunction: case Kind::MethodWrapper:
    case Kind::Code:
    case Kind::Frame: case Kind::Generator: case Kind::Coroutine: case Kind::AsyncGenerator:
    case Kind::Cell:
      return format_callable(*this, kind, addr);
    case Kind::Range: case Kind::Slice: case Kind::MemoryView: case Kind::Weakref:
    case Kind::Module:
      return format_misc(*this, kind, addr);
    case Kind::Instance27:
      return format_instance(*this, addr);
    case Kind::Type: case Kind::Exception: case Kind::Class27: case Kind::Object:
      return format_type_or_instance(*this, kind, addr);
  }
}

}  // namespace fmt

FormatOptions FormatOptions::libpython() {
  FormatOptions o;
  o.max_depth = 32;  // libpython has no depth limit; the 1024 characters bound the work
  o.max_items = 1000;
  o.max_string = 1000;
  o.max_output = 1024;
  o.style = ReprStyle::Libpython;
  return o;
}

struct ObjectFormatter::Impl {
  explicit Impl(Python& p) : py(p), access(p), types(access), codes(access) {}
  fmt::Context context(const FormatOptions& options) {
    return fmt::Context(py, access, types, codes, options);
  }
  Python& py;
  ObjectAccess access;
  fmt::TypeTable types;
  CodeCache codes;
};

ObjectFormatter::ObjectFormatter(Python& py) : impl_(new Impl(py)) {}
ObjectFormatter::~ObjectFormatter() { delete impl_; }
ObjectAccess& ObjectFormatter::access() { return impl_->access; }
CodeCache& ObjectFormatter::codes() { return impl_->codes; }

namespace {

std::string cut_to_limit(std::string text, const FormatOptions& options) {
  if (text.size() <= options.max_output) return text;
  size_t cut = options.max_output;
  // Never split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  text.resize(cut);
  text += options.style == ReprStyle::Libpython ? "...(truncated)" : "...";
  return text;
}

}  // namespace

std::string ObjectFormatter::repr(uint64_t addr, const FormatOptions& options) {
  fmt::Context c = impl_->context(options);
  c.repr(addr);
  return cut_to_limit(std::move(c.out), options);
}

std::string ObjectFormatter::frame_summary(const FrameInfo& frame, const FormatOptions& options) {
  fmt::Context c = impl_->context(options);
  fmt::format_frame_summary(c, frame);
  return cut_to_limit(std::move(c.out), options);
}

std::string ObjectFormatter::describe(uint64_t addr) {
  const FormatOptions options;  // the Context keeps a reference: not a temporary
  fmt::Context c = impl_->context(options);
  auto name = c.obj.type_name_of(addr);
  if (!name) {
    c.unreadable(addr);
    return c.out;
  }
  c.out = *name + " at ";
  c.address(addr);
  if (auto rc = c.obj.refcnt(addr)) {
    // 3.12+ immortal objects keep a refcount whose low 32 bits are negative
    // as int32 (_Py_IsImmortal); it never changes, so the number means nothing.
    bool immortal = impl_->py.at_least(3, 12) && static_cast<int32_t>(*rc & 0xffffffff) < 0;
    c.out += immortal ? ", refcnt immortal" : ", refcnt " + std::to_string(*rc);
  }
  if (auto len = length(addr)) c.out += ", len " + std::to_string(*len);
  return c.out;
}

std::optional<std::vector<ObjectFormatter::Attribute>> ObjectFormatter::attributes(uint64_t addr,
                                                                                  size_t max) {
  FormatOptions options;
  fmt::Context c = impl_->context(options);
  return fmt::instance_attributes(c, addr, max);
}

std::optional<uint64_t> ObjectFormatter::dict_get(uint64_t dict, std::string_view key) {
  FormatOptions options;
  fmt::Context c = impl_->context(options);
  return c.dict_get(dict, key);
}

std::optional<std::vector<ObjectFormatter::Item>> ObjectFormatter::dict_items(uint64_t dict,
                                                                              size_t max) {
  FormatOptions options;
  fmt::Context c = impl_->context(options);
  auto items = fmt::dict_items(c, dict, max);
  if (!items) return std::nullopt;
  std::vector<Item> out;
  out.reserve(items->size());
  for (const fmt::DictItem& i : *items) out.push_back({i.key, i.value});
  return out;
}

std::optional<Feature> ObjectFormatter::uncovered(uint64_t addr) {
  auto type = impl_->access.type_of(addr);
  if (!type) return std::nullopt;
  auto feature = fmt::feature_of(impl_->types.kind_of_type(*type));
  if (!feature || impl_->py.coverage().has(*feature)) return std::nullopt;
  return feature;
}

std::optional<int64_t> ObjectFormatter::length(uint64_t addr) {
  if (uncovered(addr)) return std::nullopt;
  auto type = impl_->access.type_of(addr);
  if (!type) return std::nullopt;
  const Offsets& o = impl_->py.off();
  Reader& mem = impl_->py.mem();
  std::optional<int64_t> n;
  switch (impl_->types.kind_of_type(*type)) {
    case fmt::Kind::Str: case fmt::Kind::Unicode27:
      n = mem.get<int64_t>(addr + o.unicode.length);
      break;
    case fmt::Kind::Bytes: case fmt::Kind::ByteArray: case fmt::Kind::Tuple:
    case fmt::Kind::List:
      n = impl_->access.var_size(addr);
      break;
    case fmt::Kind::Dict:
      n = mem.get<int64_t>(addr + o.dict.ma_used);
      break;
    case fmt::Kind::Set: case fmt::Kind::FrozenSet:
      n = mem.get<int64_t>(addr + o.set.used);
      break;
    default:
      return std::nullopt;
  }
  if (!n || *n < 0 || *n > fmt::kMaxSaneLength) return std::nullopt;
  return n;
}

}  // namespace cpydbg
