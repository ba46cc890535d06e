// Text and binary strings: 3.x str of every kind (through ObjectAccess),
// 2.7 str and unicode, bytes, bytearray, with Python's quoting and escaping.
#include <algorithm>
#include <cstdio>
#include <iterator>

#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

struct Range {
  uint32_t first, last;
};
constexpr Range kNotPrintable[] = {
#include "objects/unicode_printable.inc"
};

// Py_UNICODE_ISPRINTABLE, from the generated table (Unicode 15.1).
bool printable(uint32_t cp) {
  auto it = std::upper_bound(std::begin(kNotPrintable), std::end(kNotPrintable), cp,
                             [](uint32_t v, const Range& r) { return v < r.first; });
  if (it == std::begin(kNotPrintable)) return true;
  --it;
  return cp > it->last;
}

void escape(std::string& out, const char* fmt, uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, fmt, cp);
  out += buf;
}

std::vector<uint32_t> widen(const std::string& bytes) {
  std::vector<uint32_t> cps(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) cps[i] = static_cast<unsigned char>(bytes[i]);
  return cps;
}

}  // namespace

void quote(std::string& out, const std::vector<uint32_t>& cps, char style, bool truncated) {
  // Single quotes unless the text has one and no double quote (all versions).
  bool has_single = false, has_double = false;
  for (uint32_t cp : cps) {
    has_single |= cp == '\'';
    has_double |= cp == '"';
  }
  const char q = has_single && !has_double ? '"' : '\'';
  if (style == 'u') out += 'u';
  out += q;
  for (uint32_t cp : cps) {
    // bytearray's repr escapes single quotes even between double quotes.
    if (cp == static_cast<uint32_t>(q) || cp == '\\' || (style == 'a' && cp == '\'')) {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < ' ' || cp == 0x7f) {
      escape(out, "\\x%02x", cp);
    } else if (cp < 0x7f) {
      out += static_cast<char>(cp);
    } else if (style == '3') {
      // 3.x keeps printable non-ASCII characters as they are.
      if (printable(cp)) append_utf8(out, cp);
      else if (cp <= 0xff) escape(out, "\\x%02x", cp);
      else if (cp <= 0xffff) escape(out, "\\u%04x", cp);
      else escape(out, "\\U%08x", cp);
    } else if (style == 'u') {  // 2.7 unicode escapes everything non-ASCII
      if (cp >= 0x10000) escape(out, "\\U%08x", cp);
      else if (cp >= 0x100) escape(out, "\\u%04x", cp);
      else escape(out, "\\x%02x", cp);
    } else {  // bytes, bytearray
      escape(out, "\\x%02x", cp & 0xff);
    }
  }
  out += q;
  if (truncated) out += "...";
}

void format_text(Context& c, Kind kind, uint64_t addr) {
  const size_t max = c.opt.max_string;
  switch (kind) {
    case Kind::Str:
    case Kind::Unicode27: {
      auto s = c.obj.unicode(addr, max);
      if (!s || s->length > uint64_t(kMaxSaneLength)) return c.unreadable(addr);
      quote(c.out, s->code_points, kind == Kind::Str ? '3' : 'u',
            s->code_points.size() < s->length);
      return;
    }
    case Kind::Bytes: {
      bool truncated = false;
      auto b = c.obj.bytes(addr, max, &truncated);
      if (!b) return c.unreadable(addr);
      if (c.py.major() >= 3) c.out += 'b';
      quote(c.out, widen(*b), 'b', truncated);
      return;
    }
    case Kind::ByteArray: {
      auto size = c.obj.var_size(addr);
      // ob_start (3.x) is where the live bytes begin inside ob_bytes.
      auto data = c.field(addr, c.off.bytearray.ob_start != kAbsent ? c.off.bytearray.ob_start
                                                                    : c.off.bytearray.ob_bytes);
      if (!size || *size < 0 || *size > kMaxSaneLength || !data) return c.unreadable(addr);
      std::string bytes(std::min<size_t>(static_cast<size_t>(*size), max), '\0');
      if (!bytes.empty() && !c.mem.read(*data, bytes.data(), bytes.size()))
        return c.unreadable(addr);
      c.out += "bytearray(b";
      quote(c.out, widen(bytes), 'a', bytes.size() < static_cast<size_t>(*size));
      c.out += ')';
      return;
    }
    default:
      return c.generic(addr);
  }
}

}  // namespace cpydbg::fmt
