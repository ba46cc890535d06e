// Type spelling and sizes; see types.h.
#include "dwarf/types.h"

#include <vector>

namespace cpydbg::dwarf {
namespace {

constexpr int kMaxDepth = 16;  // typedef/pointer chains deeper than this are broken DWARF

bool is_qualifier(Dwarf_Half t) {
  return t == DW_TAG_typedef || t == DW_TAG_const_type || t == DW_TAG_volatile_type ||
         t == DW_TAG_restrict_type || t == DW_TAG_atomic_type;
}

std::string pointer_to(const std::string& inner) {
  return !inner.empty() && inner.back() == '*' ? inner + "*" : inner + " *";
}

}  // namespace

std::vector<uint64_t> array_dims(const Die& array) {
  std::vector<uint64_t> dims;
  for (Die sub = array.child(); sub; sub = sub.sibling()) {
    if (sub.tag() != DW_TAG_subrange_type) continue;
    uint64_t n = 0;
    if (auto count = sub.constant(DW_AT_count)) {
      n = *count > 0 ? uint64_t(*count) : 0;
    } else if (auto upper = sub.constant(DW_AT_upper_bound)) {
      int64_t lower = sub.constant(DW_AT_lower_bound).value_or(0);
      // gcc writes 0xffff... (or -1) as the bound of a zero-length array.
      n = (*upper >= lower && *upper < (int64_t(1) << 40)) ? uint64_t(*upper - lower + 1) : 0;
    }
    dims.push_back(n);
  }
  if (dims.empty()) dims.push_back(0);
  return dims;
}

Dwarf_Half TypeCache::tag(uint64_t type) {
  auto it = tags_.find(type);
  if (it != tags_.end()) return it->second;
  Die d = file_.at(type);
  Dwarf_Half t = d ? d.tag() : 0;
  tags_.emplace(type, t);
  return t;
}

std::optional<uint64_t> TypeCache::strip(std::optional<uint64_t> type) {
  for (int i = 0; type && i < kMaxDepth; ++i) {
    if (!is_qualifier(tag(*type))) return type;
    type = file_.at(*type).ref(DW_AT_type);
  }
  return type;
}

std::string TypeCache::spell(std::optional<uint64_t> type) {
  if (!type) return "void";
  auto it = spelled_.find(*type);
  if (it != spelled_.end()) return it->second;
  std::string s = spell_uncached(*type, 0);
  spelled_.emplace(*type, s);
  return s;
}

std::string TypeCache::spell_uncached(uint64_t type, int depth) {
  if (depth > kMaxDepth) return "?";
  Die d = file_.at(type);
  if (!d) return "?";
  auto inner = [&](std::optional<uint64_t> t) {
    return t ? spell_uncached(*t, depth + 1) : std::string("void");
  };
  std::string name = d.name();
  switch (d.tag()) {
    case DW_TAG_base_type:
    case DW_TAG_typedef:
    case DW_TAG_unspecified_type:
      return name.empty() ? "?" : name;
    case DW_TAG_structure_type:
      return name.empty() ? "struct {...}" : "struct " + name;
    case DW_TAG_union_type:
      return name.empty() ? "union {...}" : "union " + name;
    case DW_TAG_enumeration_type:
      return name.empty() ? "enum {...}" : "enum " + name;
    case DW_TAG_pointer_type: {
      auto target = d.ref(DW_AT_type);
      if (target && tag(*target) == DW_TAG_subroutine_type) {
        Die fn = file_.at(*target);
        return inner(fn.ref(DW_AT_type)) + " (*)()";
      }
      return pointer_to(inner(target));
    }
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_atomic_type: {
      const char* q = d.tag() == DW_TAG_const_type      ? "const"
                      : d.tag() == DW_TAG_volatile_type ? "volatile"
                                                        : "_Atomic";
      std::string in = inner(d.ref(DW_AT_type));
      // A qualified pointer reads "T *const"; anything else "const T".
      return !in.empty() && in.back() == '*' ? in + q : std::string(q) + " " + in;
    }
    case DW_TAG_restrict_type:
      return inner(d.ref(DW_AT_type));
    case DW_TAG_array_type: {
      std::string s = inner(d.ref(DW_AT_type));
      for (uint64_t n : array_dims(d)) s += n ? "[" + std::to_string(n) + "]" : "[]";
      return s;
    }
    case DW_TAG_subroutine_type:
      return inner(d.ref(DW_AT_type)) + " ()";
    default:
      return name.empty() ? "?" : name;
  }
}

std::optional<uint64_t> TypeCache::size(std::optional<uint64_t> type) {
  if (!type) return std::nullopt;
  auto it = sizes_.find(*type);
  if (it != sizes_.end()) return it->second;
  auto s = size_uncached(*type, 0);
  sizes_.emplace(*type, s);
  return s;
}

std::optional<uint64_t> TypeCache::size_uncached(uint64_t type, int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  Die d = file_.at(type);
  if (!d) return std::nullopt;
  if (auto bytes = d.constant(DW_AT_byte_size)) return uint64_t(*bytes);
  Dwarf_Half t = d.tag();
  if (t == DW_TAG_pointer_type) return uint64_t(address_size_);
  if (is_qualifier(t)) {
    auto next = d.ref(DW_AT_type);
    return next ? size_uncached(*next, depth + 1) : std::nullopt;
  }
  if (t == DW_TAG_array_type) {
    auto elem_type = d.ref(DW_AT_type);
    auto elem = elem_type ? size_uncached(*elem_type, depth + 1) : std::nullopt;
    if (!elem) return std::nullopt;
    uint64_t total = *elem;
    for (uint64_t n : array_dims(d)) total *= n;
    return total;
  }
  return std::nullopt;
}

}  // namespace cpydbg::dwarf
