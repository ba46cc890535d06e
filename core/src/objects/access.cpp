#include "objects/access.h"

namespace cpydbg {
namespace {
constexpr int kMaxBaseChain = 64;  // tp_base links followed before giving up
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | ((cp >> 18) & 0x07));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

std::optional<uint64_t> ObjectAccess::type_of(uint64_t obj) {
  if (obj == 0) return std::nullopt;
  return py_.mem().ptr(obj + py_.off().object.ob_type);
}

std::optional<int64_t> ObjectAccess::refcnt(uint64_t obj) {
  const auto& o = py_.off().object;
  if (o.ob_refcnt == kAbsent) return std::nullopt;
  return py_.mem().sint(obj + o.ob_refcnt, o.refcnt_size);
}

std::optional<int64_t> ObjectAccess::var_size(uint64_t obj) {
  return py_.mem().get<int64_t>(obj + py_.off().var.ob_size);
}

std::optional<std::string> ObjectAccess::type_name_of(uint64_t obj) {
  auto type = type_of(obj);
  return type ? type_name(*type) : std::nullopt;
}

std::optional<std::string> ObjectAccess::type_name(uint64_t type) {
  auto name = py_.mem().ptr(type + py_.off().type.tp_name);
  if (!name) return std::nullopt;
  return py_.mem().cstring(*name, 200);
}

std::optional<uint64_t> ObjectAccess::tp_flags(uint64_t type) {
  return py_.mem().get<uint64_t>(type + py_.off().type.tp_flags);
}

bool ObjectAccess::is_instance(uint64_t obj, const char* type_symbol) {
  auto want = py_.api_symbol(type_symbol);  // the built-in types are the C API's
  auto t = type_of(obj);
  if (!want || !t) return false;
  for (int i = 0; i < kMaxBaseChain && *t; ++i) {
    if (*t == *want) return true;
    // Without tp_base (a partial table) only the exact type is known.
    if (py_.off().type.tp_base == kAbsent) return false;
    auto base = py_.mem().ptr(*t + py_.off().type.tp_base);
    if (!base) return false;
    t = base;
  }
  return false;
}

std::optional<uint64_t> ObjectAccess::bits(uint64_t obj, const Bitfield& f) {
  if (!f.present()) return std::nullopt;
  auto word = py_.mem().get<uint64_t>(obj + f.bit_offset / 8);
  if (!word) return std::nullopt;
  return (*word >> (f.bit_offset % 8)) & ((uint64_t(1) << f.bit_size) - 1);
}

std::optional<ObjectAccess::Str> ObjectAccess::unicode(uint64_t obj, size_t max_chars) {
  const auto& u = py_.off().unicode;
  auto length = py_.mem().get<int64_t>(obj + u.length);
  if (!length || *length < 0) return std::nullopt;
  Str s;
  s.length = static_cast<size_t>(*length);
  size_t n = std::min(s.length, max_chars);
  uint64_t data = 0;
  size_t width = 4;
  if (u.str27 != kAbsent) {  // 2.7 unicode: a Py_UNICODE buffer
    auto p = py_.mem().ptr(obj + u.str27);
    if (!p) return std::nullopt;
    data = *p;
    width = u.unicode27_size;
  } else {
    auto kind = bits(obj, u.kind), compact = bits(obj, u.compact), ascii = bits(obj, u.ascii);
    if (!kind || !compact || !ascii) return std::nullopt;
    if (*kind != 1 && *kind != 2 && *kind != 4) return std::nullopt;
    width = *kind;
    if (*compact) {
      data = obj + (*ascii ? u.ascii_size : u.compact_size);
    } else {
      auto p = py_.mem().ptr(obj + u.data_any);
      if (!p) return std::nullopt;
      data = *p;
    }
  }
  std::vector<uint8_t> raw(n * width);
  if (!py_.mem().read(data, raw.data(), raw.size())) return std::nullopt;
  s.code_points.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t cp = 0;
    for (size_t b = 0; b < width; ++b) cp |= uint32_t(raw[i * width + b]) << (8 * b);
    s.code_points[i] = cp;
  }
  return s;
}

std::optional<std::string> ObjectAccess::bytes(uint64_t obj, size_t max_bytes, bool* truncated) {
  auto size = var_size(obj);
  if (!size || *size < 0) return std::nullopt;
  size_t n = std::min<size_t>(static_cast<size_t>(*size), max_bytes);
  if (truncated) *truncated = n < static_cast<size_t>(*size);
  std::string out(n, '\0');
  if (!py_.mem().read(obj + py_.off().pybytes.ob_sval, out.data(), n)) return std::nullopt;
  return out;
}

std::optional<std::string> ObjectAccess::text(uint64_t obj, size_t max_chars, bool* truncated) {
  bool is_bytes = py_.major() == 2 ? is_instance(obj, "PyString_Type")
                                   : is_instance(obj, "PyBytes_Type");
  if (is_bytes) return bytes(obj, max_chars, truncated);
  if (!is_instance(obj, "PyUnicode_Type")) return std::nullopt;
  auto s = unicode(obj, max_chars);
  if (!s) return std::nullopt;
  if (truncated) *truncated = s->code_points.size() < s->length;
  std::string out;
  for (uint32_t cp : s->code_points) append_utf8(out, cp);
  return out;
}

std::optional<std::vector<uint64_t>> ObjectAccess::tuple_items(uint64_t obj, size_t max_items) {
  auto size = var_size(obj);
  if (!size || *size < 0) return std::nullopt;
  std::vector<uint64_t> items(std::min<size_t>(static_cast<size_t>(*size), max_items));
  if (!py_.mem().read(obj + py_.off().tuple.ob_item, items.data(), items.size() * 8))
    return std::nullopt;
  return items;
}

std::optional<std::vector<uint64_t>> ObjectAccess::list_items(uint64_t obj, size_t max_items) {
  auto size = var_size(obj);
  auto array = py_.mem().ptr(obj + py_.off().list.ob_item);
  if (!size || *size < 0 || !array) return std::nullopt;
  std::vector<uint64_t> items(std::min<size_t>(static_cast<size_t>(*size), max_items));
  if (!items.empty() && !py_.mem().read(*array, items.data(), items.size() * 8))
    return std::nullopt;
  return items;
}

}  // namespace cpydbg
