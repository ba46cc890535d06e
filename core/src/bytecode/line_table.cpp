// Line tables of every format, decoded into ranges of code bytes.
// Each decoder follows the interpreter's own reader (PyCode_Addr2Line <=3.9,
// the address-range iterator 3.10, Objects/locations.md 3.11+).
#include <algorithm>

#include "cpydbg/bytecode.h"

namespace cpydbg::bytecode {

namespace {

uint8_t byte_at(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// co_lnotab: (address increment, line increment) byte pairs; the line
// increment is unsigned in 2.7 and signed from 3.6. A pair applies its line
// increment to the address reached *after* its address increment.
std::vector<LineRange> decode_lnotab(std::string_view t, int firstlineno, size_t code_size,
                                     bool signed_delta) {
  std::vector<LineRange> out;
  uint32_t addr = 0;
  int line = firstlineno;
  for (size_t i = 0; i + 1 < t.size(); i += 2) {
    uint8_t addr_incr = byte_at(t, i);
    int line_incr = signed_delta ? static_cast<int8_t>(byte_at(t, i + 1)) : byte_at(t, i + 1);
    if (addr_incr) {
      out.push_back({addr, addr + addr_incr, line, line, -1, -1});
      addr += addr_incr;
    }
    line += line_incr;
  }
  if (addr < code_size || out.empty())
    out.push_back({addr, static_cast<uint32_t>(std::max<size_t>(code_size, addr)), line, line,
                   -1, -1});
  return out;
}

// 3.10 co_linetable: (byte delta u8, line delta i8) pairs, -128 = no line;
// the line keeps accumulating across "no line" entries.
std::vector<LineRange> decode_linetable310(std::string_view t, int firstlineno) {
  std::vector<LineRange> out;
  uint32_t addr = 0;
  int computed = firstlineno;
  for (size_t i = 0; i + 1 < t.size(); i += 2) {
    uint8_t sdelta = byte_at(t, i);
    int ldelta = static_cast<int8_t>(byte_at(t, i + 1));
    int line = -1;
    if (ldelta != -128) {
      computed += ldelta;
      line = computed;
    }
    if (sdelta) out.push_back({addr, addr + sdelta, line, line, -1, -1});
    addr += sdelta;
  }
  return out;
}

// 3.11+ location table varints: 6-bit chunks, least significant first,
// 0x40 = more follows.
class LocationReader {
 public:
  explicit LocationReader(std::string_view t) : t_(t) {}
  bool done() const { return pos_ >= t_.size(); }
  bool ok() const { return ok_; }
  uint8_t byte() {
    if (pos_ >= t_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<uint8_t>(t_[pos_++]);
  }
  bool at_entry_start() const { return !done() && (static_cast<uint8_t>(t_[pos_]) & 0x80); }
  uint32_t varint() {
    uint32_t v = 0;
    int shift = 0;
    uint8_t b;
    do {
      b = byte();
      if (shift < 32) v |= static_cast<uint32_t>(b & 0x3f) << shift;
      shift += 6;
    } while (ok_ && (b & 0x40));
    return v;
  }
  int svarint() {
    uint32_t v = varint();
    return (v & 1) ? -static_cast<int>(v >> 1) : static_cast<int>(v >> 1);
  }

 private:
  std::string_view t_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::vector<LineRange> decode_locations311(std::string_view t, int firstlineno) {
  std::vector<LineRange> out;
  LocationReader r(t);
  uint32_t addr = 0;
  int line = firstlineno;
  while (!r.done()) {
    if (!r.at_entry_start()) break;  // corrupt: entries start with bit 7 set
    uint8_t first = r.byte();
    int code = (first >> 3) & 0x0f;
    uint32_t len = ((first & 7) + 1) * 2;  // code units -> bytes
    LineRange lr{addr, addr + len, -1, -1, -1, -1};
    if (code == 15) {
      // no location; the running line is unchanged
    } else if (code == 14) {
      line += r.svarint();
      lr.line = line;
      lr.end_line = line + static_cast<int>(r.varint());
      lr.col = static_cast<int>(r.varint()) - 1;
      lr.end_col = static_cast<int>(r.varint()) - 1;
    } else if (code == 13) {
      line += r.svarint();
      lr.line = lr.end_line = line;
    } else if (code >= 10) {
      line += code - 10;
      lr.line = lr.end_line = line;
      lr.col = r.byte();
      lr.end_col = r.byte();
    } else {
      uint8_t second = r.byte();
      lr.line = lr.end_line = line;
      lr.col = code * 8 + (second >> 4);
      lr.end_col = lr.col + (second & 0x0f);
    }
    if (!r.ok()) break;
    out.push_back(lr);
    addr += len;
  }
  return out;
}

}  // namespace

std::vector<LineRange> decode_line_table(std::string_view format, std::string_view table,
                                         int firstlineno, size_t code_size) {
  if (format == "lnotab27") return decode_lnotab(table, firstlineno, code_size, false);
  if (format == "lnotab") return decode_lnotab(table, firstlineno, code_size, true);
  if (format == "linetable310") return decode_linetable310(table, firstlineno);
  if (format == "locations311") return decode_locations311(table, firstlineno);
  return {};
}

LineRange line_at(const std::vector<LineRange>& ranges, uint32_t offset) {
  // Ranges are sorted and contiguous: binary search on start.
  auto it = std::upper_bound(ranges.begin(), ranges.end(), offset,
                             [](uint32_t off, const LineRange& r) { return off < r.start; });
  if (it == ranges.begin()) return {};
  --it;
  if (offset >= it->end) return {};
  return *it;
}

int line_for_offset(std::string_view format, std::string_view table, int firstlineno,
                    size_t code_size, uint32_t offset) {
  return line_at(decode_line_table(format, table, firstlineno, code_size), offset).line;
}

}  // namespace cpydbg::bytecode
