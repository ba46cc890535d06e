// A bounds-checked reader over one section's bytes (.eh_frame, DWARF):
// fixed-size little-endian values, LEB128, C strings.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace cpydbg::unwind {

// Every read past the end sets `bad` and yields 0, so a malformed entry
// ends in one check at the end.
struct Cursor {
  std::string_view bytes;
  uint64_t pos = 0;
  bool bad = false;

  bool at_end() const { return pos >= bytes.size(); }
  template <typename T>
  T fixed() {
    T v{};
    if (bytes.size() < sizeof(T) || pos > bytes.size() - sizeof(T)) {
      bad = true;
      pos = bytes.size();
      return v;
    }
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  uint64_t uleb() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = fixed<uint8_t>();
      if (bad) return 0;
      if (shift < 64) v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  int64_t sleb() {
    int64_t v = 0;
    int shift = 0;
    uint8_t b;
    do {
      b = fixed<uint8_t>();
      if (bad) return 0;
      if (shift < 64) v |= int64_t(uint64_t(b & 0x7f) << shift);
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) v |= -(int64_t(1) << shift);
    return v;
  }
  std::string_view cstring() {
    size_t end = bytes.find('\0', pos);
    if (end == std::string_view::npos) {
      bad = true;
      pos = bytes.size();
      return {};
    }
    std::string_view s = bytes.substr(pos, end - pos);
    pos = end + 1;
    return s;
  }
  uint64_t offset(int size) { return size == 8 ? fixed<uint64_t>() : fixed<uint32_t>(); }
  uint64_t sized(int size) {  // an unsigned value of 1, 2, 3, 4 or 8 bytes
    switch (size) {
      case 1: return fixed<uint8_t>();
      case 2: return fixed<uint16_t>();
      case 3: return fixed<uint16_t>() | uint64_t(fixed<uint8_t>()) << 16;
      case 4: return fixed<uint32_t>();
      default: return fixed<uint64_t>();
    }
  }
  void skip(uint64_t n) {
    if (n > bytes.size() - pos) {
      bad = true;
      pos = bytes.size();
    } else {
      pos += n;
    }
  }
};


}  // namespace cpydbg::unwind
