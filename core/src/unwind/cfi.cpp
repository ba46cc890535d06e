#include "unwind/cfi.h"

#include <vector>

#include "elf/elf_file.h"
#include "unwind/cursor.h"

namespace cpydbg::unwind {
namespace {

// A DW_EH_PE_* encoded pointer at c; `section_addr` is where c's bytes are
// loaded (pc-relative values), `data_addr` the base of datarel ones.
uint64_t encoded_pointer(Cursor& c, uint8_t encoding, uint64_t section_addr, uint64_t data_addr) {
  if (encoding == 0xff) return 0;  // DW_EH_PE_omit
  uint64_t here = section_addr + c.pos, v = 0;
  switch (encoding & 0x0f) {
    case 0x00: v = c.fixed<uint64_t>(); break;
    case 0x01: v = c.uleb(); break;
    case 0x02: v = c.fixed<uint16_t>(); break;
    case 0x03: v = c.fixed<uint32_t>(); break;
    case 0x04: v = c.fixed<uint64_t>(); break;
    case 0x09: v = uint64_t(c.sleb()); break;
    case 0x0a: v = uint64_t(int64_t(c.fixed<int16_t>())); break;
    case 0x0b: v = uint64_t(int64_t(c.fixed<int32_t>())); break;
    case 0x0c: v = c.fixed<uint64_t>(); break;
    default: c.bad = true; return 0;
  }
  switch (encoding & 0x70) {
    case 0x00: break;
    case 0x10: v += here; break;       // pcrel
    case 0x30: v += data_addr; break;  // datarel
    default: c.bad = true; return 0;     // textrel, funcrel, aligned: not in .eh_frame
  }
  if (encoding & 0x80) c.bad = true;  // indirect: the value is in memory we do not have
  return v;
}

struct Cie {
  uint64_t code_align = 1;
  int64_t data_align = 1;
  uint64_t return_register = kReturnAddress;
  uint8_t fde_encoding = 0;
  bool has_augmentation_data = false, signal_frame = false;
  std::string_view initial;  // instructions
};

std::optional<Cie> parse_cie(std::string_view frames, uint64_t frames_addr, uint64_t offset) {
  Cursor c{frames, offset};
  uint64_t length = c.fixed<uint32_t>();
  if (length == 0xffffffff) length = c.fixed<uint64_t>();
  uint64_t start = c.pos;
  if (c.bad || length > frames.size() - start) return std::nullopt;
  c.bytes = frames.substr(0, start + length);
  if (c.fixed<uint32_t>() != 0) return std::nullopt;  // not a CIE
  Cie cie;
  uint8_t version = c.fixed<uint8_t>();
  std::string_view aug = c.cstring();
  if (version != 1 && version != 3) return std::nullopt;
  if (aug.find("eh") != std::string_view::npos) return std::nullopt;  // pre-1999 GCC
  cie.code_align = c.uleb();
  cie.data_align = c.sleb();
  cie.return_register = version == 1 ? c.fixed<uint8_t>() : c.uleb();
  if (!aug.empty() && aug[0] == 'z') {
    cie.has_augmentation_data = true;
    uint64_t size = c.uleb();
    uint64_t end = c.pos + size;
    for (char a : aug.substr(1)) {
      if (a == 'L') {
        c.fixed<uint8_t>();
      } else if (a == 'P') {
        uint8_t enc = c.fixed<uint8_t>();
        encoded_pointer(c, uint8_t(enc & 0x7f), frames_addr, 0);  // its target may be indirect
      } else if (a == 'R') {
        cie.fde_encoding = c.fixed<uint8_t>();
      } else if (a == 'S') {
        cie.signal_frame = true;
      } else if (a != 'B' && a != 'G') {
        return std::nullopt;  // an augmentation whose data we cannot skip safely
      }
    }
    if (c.bad || end > c.bytes.size()) return std::nullopt;
    c.pos = end;
  } else if (!aug.empty()) {
    return std::nullopt;
  }
  if (c.bad || cie.return_register != kReturnAddress) return std::nullopt;
  cie.initial = c.bytes.substr(c.pos);
  return cie;
}

// Runs CFA instructions until the location passes `target`.
class RowBuilder {
 public:
  RowBuilder(const Cie& cie, FrameRow& row) : cie_(cie), row_(row) {}

  // False when malformed (the row is then unusable).
  bool run(std::string_view program, uint64_t& loc, uint64_t target, uint64_t section_addr,
           uint64_t program_offset) {
    Cursor c{program};
    while (!c.at_end()) {
      uint8_t op = c.fixed<uint8_t>();
      uint8_t low = op & 0x3f;
      uint64_t advance = 0;
      switch (op & 0xc0) {
        case 0x40: advance = low * cie_.code_align; break;
        case 0x80: set(low, RegisterRule::Offset, int64_t(c.uleb()) * cie_.data_align); break;
        case 0xc0: restore(low); break;
        default:
          switch (op) {
            case 0x00: break;  // nop
            case 0x01: {       // set_loc
              Cursor at{program, c.pos};
              uint64_t to = encoded_pointer(at, cie_.fde_encoding, section_addr + program_offset, 0);
              c.pos = at.pos;
              c.bad |= at.bad;
              if (to < loc) return false;
              advance = to - loc;
              break;
            }
            case 0x02: advance = c.fixed<uint8_t>() * cie_.code_align; break;
            case 0x03: advance = c.fixed<uint16_t>() * cie_.code_align; break;
            case 0x04: advance = c.fixed<uint32_t>() * cie_.code_align; break;
            case 0x05: {
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::Offset, int64_t(c.uleb()) * cie_.data_align);
              break;
            }
            case 0x06: restore(c.uleb()); break;
            case 0x07: set(c.uleb(), RegisterRule::Undefined, 0); break;
            case 0x08: set(c.uleb(), RegisterRule::SameValue, 0); break;
            case 0x09: {
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::Register, int64_t(c.uleb()));
              break;
            }
            case 0x0a:  // remember_state (nested a few deep in practice)
              if (saved_.size() >= 64) return false;
              saved_.push_back(row_);
              break;
            case 0x0b: {  // restore_state: the CFA rule too, as GCC and gdb read it
              if (saved_.empty()) return false;
              uint64_t start = row_.function_start;
              bool signal = row_.signal_frame;
              row_ = saved_.back();
              saved_.pop_back();
              row_.function_start = start;
              row_.signal_frame = signal;
              break;
            }
            case 0x0c:
              row_.cfa_register = int(c.uleb());
              row_.cfa_offset = int64_t(c.uleb());
              row_.cfa_is_expression = false;
              break;
            case 0x0d:
              row_.cfa_register = int(c.uleb());
              row_.cfa_is_expression = false;
              break;
            case 0x0e: row_.cfa_offset = int64_t(c.uleb()); break;
            case 0x0f:
              c.skip(c.uleb());
              row_.cfa_is_expression = true;
              break;
            case 0x10:
            case 0x16: {
              uint64_t reg = c.uleb();
              c.skip(c.uleb());
              set(reg, RegisterRule::Expression, 0);
              break;
            }
            case 0x11: {
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::Offset, c.sleb() * cie_.data_align);
              break;
            }
            case 0x12:
              row_.cfa_register = int(c.uleb());
              row_.cfa_offset = c.sleb() * cie_.data_align;
              row_.cfa_is_expression = false;
              break;
            case 0x13: row_.cfa_offset = c.sleb() * cie_.data_align; break;
            case 0x14: {
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::ValOffset, int64_t(c.uleb()) * cie_.data_align);
              break;
            }
            case 0x15: {
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::ValOffset, c.sleb() * cie_.data_align);
              break;
            }
            case 0x2e: c.uleb(); break;  // GNU_args_size
            case 0x2f: {                 // GNU_negative_offset_extended
              uint64_t reg = c.uleb();
              set(reg, RegisterRule::Offset, -int64_t(c.uleb()) * cie_.data_align);
              break;
            }
            default: return false;
          }
      }
      if (c.bad) return false;
      if (advance) {
        if (loc + advance > target) return true;  // the row at target is complete
        loc += advance;
      }
    }
    return true;
  }
  // The CIE's rules, which restore() goes back to.
  void snapshot_initial() { initial_ = row_.rules; }

 private:
  void set(uint64_t reg, RegisterRule::Kind kind, int64_t value) {
    if (reg < row_.rules.size()) row_.rules[reg] = {kind, value};
  }
  void restore(uint64_t reg) {
    if (reg < row_.rules.size()) row_.rules[reg] = initial_[reg];
  }
  const Cie& cie_;
  FrameRow& row_;
  std::array<RegisterRule, kRegisters> initial_{};
  std::vector<FrameRow> saved_;
};

}  // namespace

CallFrameInfo::~CallFrameInfo() = default;

std::unique_ptr<CallFrameInfo> CallFrameInfo::load(const std::string& path) {
  auto file = std::make_unique<ElfFile>(path);
  if (!file->ok() || file->arch() != "x86_64") return nullptr;
  auto hdr = file->section_bytes(".eh_frame_hdr");
  auto frames = file->section_bytes(".eh_frame");
  if (!hdr || !frames || hdr->compressed || frames->compressed) return nullptr;
  std::unique_ptr<CallFrameInfo> cfi(new CallFrameInfo);
  cfi->hdr_ = hdr->bytes;
  cfi->hdr_addr_ = hdr->addr;
  cfi->frames_ = frames->bytes;
  cfi->frames_addr_ = frames->addr;
  Cursor c{cfi->hdr_};
  uint8_t version = c.fixed<uint8_t>(), frames_enc = c.fixed<uint8_t>();
  uint8_t count_enc = c.fixed<uint8_t>();
  cfi->table_encoding_ = c.fixed<uint8_t>();
  encoded_pointer(c, frames_enc, cfi->hdr_addr_, cfi->hdr_addr_);
  cfi->count_ = encoded_pointer(c, count_enc, cfi->hdr_addr_, cfi->hdr_addr_);
  cfi->table_ = c.pos;
  // The binary search needs fixed-size entries: GNU ld writes datarel sdata4.
  if (c.bad || version != 1 || cfi->table_encoding_ != 0x3b ||
      cfi->count_ > (cfi->hdr_.size() - cfi->table_) / 8)
    return nullptr;
  cfi->file_ = std::move(file);
  return cfi;
}

std::optional<FrameRow> CallFrameInfo::row_at(uint64_t addr) const {
  // The last entry whose initial location is <= addr.
  auto entry = [&](uint64_t i, uint64_t* fde) {
    Cursor c{hdr_, table_ + i * 8};
    uint64_t loc = encoded_pointer(c, table_encoding_, hdr_addr_, hdr_addr_);
    if (fde) *fde = encoded_pointer(c, table_encoding_, hdr_addr_, hdr_addr_);
    return loc;
  };
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (entry(mid, nullptr) <= addr) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  uint64_t fde_addr = 0;
  entry(lo - 1, &fde_addr);
  if (fde_addr < frames_addr_ || fde_addr - frames_addr_ >= frames_.size()) return std::nullopt;

  Cursor c{frames_, fde_addr - frames_addr_};
  uint64_t length = c.fixed<uint32_t>();
  if (length == 0xffffffff) return std::nullopt;  // 64-bit DWARF: not produced for x86-64 .eh_frame
  uint64_t start = c.pos;
  if (c.bad || length < 4 || length > frames_.size() - start) return std::nullopt;
  c.bytes = frames_.substr(0, start + length);
  uint64_t id_pos = c.pos;
  uint32_t cie_pointer = c.fixed<uint32_t>();
  if (cie_pointer == 0 || cie_pointer > id_pos) return std::nullopt;
  auto cie = parse_cie(frames_, frames_addr_, id_pos - cie_pointer);
  if (!cie) return std::nullopt;
  uint64_t begin = encoded_pointer(c, cie->fde_encoding, frames_addr_, 0);
  uint64_t range = encoded_pointer(c, uint8_t(cie->fde_encoding & 0x0f), frames_addr_, 0);
  if (cie->has_augmentation_data) c.skip(c.uleb());
  if (c.bad || addr < begin || addr - begin >= range) return std::nullopt;

  FrameRow row;
  row.function_start = begin;
  row.signal_frame = cie->signal_frame;
  RowBuilder builder(*cie, row);
  uint64_t loc = begin;
  uint64_t cie_program = uint64_t(cie->initial.data() - frames_.data());
  if (!builder.run(cie->initial, loc, addr, frames_addr_, cie_program)) return std::nullopt;
  builder.snapshot_initial();
  loc = begin;
  if (!builder.run(c.bytes.substr(c.pos), loc, addr, frames_addr_, c.pos)) return std::nullopt;
  return row;
}

}  // namespace cpydbg::unwind
