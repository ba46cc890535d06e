// A file's call frame information (.eh_frame, found through .eh_frame_hdr's
// sorted table): for a code address, how to find the caller's registers.
// x86-64 only, DWARF register numbers (0 rax … 15 r15, 16 the return
// address). Rules we do not evaluate (DWARF expressions) come back as such,
// so the unwinder can say it cannot vouch for the frame instead of guessing.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cpydbg {

class ElfFile;

namespace unwind {

constexpr int kRsp = 7, kReturnAddress = 16, kRegisters = 17;

struct RegisterRule {
  enum Kind : uint8_t {
    Unspecified,  // no rule: the caller's value is this frame's (gdb's reading)
    Undefined,    // no value; for the return address: the outermost frame
    SameValue,
    Offset,       // saved at CFA + value
    ValOffset,    // is CFA + value
    Register,     // is register `value` of this frame
    Expression,   // a DWARF expression: not evaluated
  } kind = Unspecified;
  int64_t value = 0;
};

struct FrameRow {
  uint64_t function_start = 0;  // the FDE's first address (link-time)
  bool signal_frame = false;    // the CIE's 'S': a signal trampoline
  bool cfa_is_expression = false;
  int cfa_register = kRsp;
  int64_t cfa_offset = 0;
  std::array<RegisterRule, kRegisters> rules{};
};

class CallFrameInfo {
 public:
  // Null when the file cannot be read or has no usable .eh_frame_hdr.
  static std::unique_ptr<CallFrameInfo> load(const std::string& path);
  ~CallFrameInfo();

  // The row for link-time address `addr`; nullopt when no FDE covers it or
  // its instructions are malformed.
  std::optional<FrameRow> row_at(uint64_t addr) const;

 private:
  CallFrameInfo() = default;
  std::unique_ptr<ElfFile> file_;
  std::string_view hdr_, frames_;  // .eh_frame_hdr, .eh_frame
  uint64_t hdr_addr_ = 0, frames_addr_ = 0;
  uint64_t table_ = 0, count_ = 0;  // the search table's offset in hdr_, entries
  uint8_t table_encoding_ = 0;
};

}  // namespace unwind
}  // namespace cpydbg
