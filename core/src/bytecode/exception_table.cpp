// 3.11+ co_exceptiontable (Objects/exception_handling_notes.txt): entries of
// four varints (start, length, target in code units; depth << 1 | lasti).
// These varints are 6-bit chunks, MOST significant first, 0x40 = more; the
// first byte of each entry has bit 7 set.
#include "cpydbg/bytecode.h"

namespace cpydbg::bytecode {

namespace {

class VarintReader {
 public:
  explicit VarintReader(std::string_view t) : t_(t) {}
  bool done() const { return pos_ >= t_.size(); }
  bool read(uint32_t* out) {
    if (done()) return false;
    uint8_t b = static_cast<uint8_t>(t_[pos_++]);
    uint64_t v = b & 0x3f;
    while (b & 0x40) {
      if (done()) return false;
      b = static_cast<uint8_t>(t_[pos_++]);
      v = (v << 6) | (b & 0x3f);
      if (v > 0xffffffffu) return false;
    }
    *out = static_cast<uint32_t>(v);
    return true;
  }

 private:
  std::string_view t_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<ExceptionEntry> parse_exception_table(std::string_view table) {
  std::vector<ExceptionEntry> out;
  VarintReader r(table);
  while (!r.done()) {
    uint32_t start, length, target, dl;
    if (!r.read(&start) || !r.read(&length) || !r.read(&target) || !r.read(&dl)) break;
    ExceptionEntry e;
    e.start = start * 2;
    e.end = (start + length) * 2;
    e.target = target * 2;
    e.depth = static_cast<int>(dl >> 1);
    e.lasti = dl & 1;
    out.push_back(e);
  }
  return out;
}

}  // namespace cpydbg::bytecode
