#include "unwind/dwarf_inline.h"

#include <elf.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "elf/elf_file.h"
#include "target/elf_symbols.h"
#include "unwind/cursor.h"

namespace cpydbg::unwind {
namespace {

// DWARF constants (dwarf.h is libdwarf's; the core does not depend on it).
enum : uint64_t {
  kTagLexicalBlock = 0x0b,
  kTagCompileUnit = 0x11,
  kTagInlinedSubroutine = 0x1d,
  kTagSubprogram = 0x2e,
  kTagPartialUnit = 0x3c,
  kTagCallSite = 0x48,
  kTagFormalParameter = 0x05,
  kTagCallSiteParameter = 0x49,
  kTagGnuCallSiteParameter = 0x410a,
  kTagVariable = 0x34,
  kTagGnuCallSite = 0x4109,
  kAtSibling = 0x01,
  kAtName = 0x03,
  kAtLowPc = 0x11,
  kAtHighPc = 0x12,
  kAtAbstractOrigin = 0x31,
  kAtSpecification = 0x47,
  kAtRanges = 0x55,
  kAtStrOffsetsBase = 0x72,
  kAtAddrBase = 0x73,
  kAtRnglistsBase = 0x74,
  kAtDeclaration = 0x3c,
  kAtLocation = 0x02,
  kAtConstValue = 0x1c,
  kAtFrameBase = 0x40,
  kAtLoclistsBase = 0x8c,
  kAtCallReturnPc = 0x7d,
  kAtCallOrigin = 0x7f,
  kAtCallTailCall = 0x82,
  kAtCallTarget = 0x83,
  kAtCallValue = 0x7e,
  kAtGnuCallSiteValue = 0x2111,
  kAtGnuCallSiteTarget = 0x2113,
  kAtGnuTailCall = 0x2115,
};

enum : uint64_t {
  kFormAddr = 0x01, kFormBlock2 = 0x03, kFormBlock4 = 0x04, kFormData2 = 0x05,
  kFormData4 = 0x06, kFormData8 = 0x07, kFormString = 0x08, kFormBlock = 0x09,
  kFormBlock1 = 0x0a, kFormData1 = 0x0b, kFormFlag = 0x0c, kFormSdata = 0x0d,
  kFormStrp = 0x0e, kFormUdata = 0x0f, kFormRefAddr = 0x10, kFormRef1 = 0x11,
  kFormRef2 = 0x12, kFormRef4 = 0x13, kFormRef8 = 0x14, kFormRefUdata = 0x15,
  kFormIndirect = 0x16, kFormSecOffset = 0x17, kFormExprloc = 0x18,
  kFormFlagPresent = 0x19, kFormStrx = 0x1a, kFormAddrx = 0x1b, kFormRefSup4 = 0x1c,
  kFormStrpSup = 0x1d, kFormData16 = 0x1e, kFormLineStrp = 0x1f, kFormRefSig8 = 0x20,
  kFormImplicitConst = 0x21, kFormLoclistx = 0x22, kFormRnglistx = 0x23,
  kFormRefSup8 = 0x24, kFormStrx1 = 0x25, kFormStrx4 = 0x28, kFormAddrx1 = 0x29,
  kFormAddrx4 = 0x2c, kFormGnuAddrIndex = 0x1f01, kFormGnuStrIndex = 0x1f02,
  kFormGnuRefAlt = 0x1f20, kFormGnuStrpAlt = 0x1f21,
};

bool is_call_site(uint64_t tag) { return tag == kTagCallSite || tag == kTagGnuCallSite; }

constexpr int kMaxDepth = 64;              // nesting of the DIEs on the way down
constexpr uint64_t kMaxDiesPerLookup = 1 << 20;

struct Abbrev {
  uint64_t tag = 0;
  bool children = false;
  struct Attr {
    uint64_t name, form;
    int64_t implicit;
  };
  std::vector<Attr> attrs;
  // Where every attribute's form has one size (with 4-byte offsets and
  // 8-byte addresses): the bytes they take, and DW_AT_sibling's place among
  // them; -1 when not. Most DIEs a lookup steps over are such.
  int32_t fixed_size = -1;
  int32_t sibling_at = -1;
  int sibling_size = 0;
};
using AbbrevTable = std::unordered_map<uint64_t, Abbrev>;

// The size of a form's value when it has one, with 4-byte offsets and
// 8-byte addresses; -1 for the forms whose size varies (and for dwz's and
// DW_FORM_ref_addr, left to File::read, which knows what they mean).
int fixed_form_size(uint64_t form) {
  switch (form) {
    case kFormFlagPresent: case kFormImplicitConst: return 0;
    case kFormData1: case kFormFlag: case kFormRef1: case kFormStrx1: case kFormAddrx1: return 1;
    case kFormData2: case kFormRef2: case 0x26: case 0x2a: return 2;  // 0x26, 0x2a: strx2, addrx2
    case 0x27: case 0x2b: return 3;                                   // strx3, addrx3
    case kFormData4: case kFormRef4: case kFormStrx4: case kFormAddrx4: return 4;
    case kFormStrp: case kFormLineStrp: case kFormSecOffset: return 4;
    case kFormAddr: case kFormData8: case kFormRef8: case kFormRefSig8: return 8;
    case kFormData16: return 16;
    default: return -1;
  }
}

struct Unit {
  uint64_t offset = 0, end = 0, first_die = 0;
  int version = 0, offset_size = 4, address_size = 8;
  const AbbrevTable* abbrevs = nullptr;
  uint64_t str_offsets_base = 0, addr_base = 0, rnglists_base = 0, loclists_base = 0, low_pc = 0;
};

// What stepping over a DIE needs (File::skim reads no more).
struct DieHead {
  const Abbrev* abbrev = nullptr;  // null: the entry that ends a list of siblings
  uint64_t next = 0;               // the offset after its attributes
  uint64_t sibling = 0;            // DW_AT_sibling as a .debug_info offset, 0 when absent
  bool unreadable = false;  // a form we cannot follow (dwz's alternate file) or a bad entry
};

// What a lookup needs of one DIE.
struct Die : DieHead {
  // DW_AT_name: the text when it is in the DIE, else where it is in a string
  // section (File::name_of reads it there, only for the DIEs that need one).
  std::string_view name;
  uint64_t name_form = 0, name_ref = 0;  // form 0: no name
  bool has_low = false, has_high = false, high_is_length = false, has_ranges = false;
  uint64_t low = 0, high = 0, ranges = 0, ranges_form = 0;
  uint64_t origin = 0;  // DW_AT_abstract_origin / DW_AT_specification, 0 when absent
  uint64_t str_offsets_base = 0, addr_base = 0, rnglists_base = 0, loclists_base = 0;  // a unit DIE's
  // A call site's (DWARF 5 attributes, or GNU's for DW_TAG_GNU_call_site).
  bool has_return_pc = false, has_call_target = false, tail_call = false;
  uint64_t return_pc = 0, call_origin = 0;
  bool declaration = false;
  // A variable's: its location, an expression (the block) or a location list.
  bool has_location = false, location_is_block = false, has_const_value = false;
  std::string_view location_block;
  uint64_t location = 0, location_form = 0;
  std::string_view frame_base;  // a subprogram's DW_AT_frame_base expression
  std::string_view call_value;  // a call site parameter's value in the caller
};

// A section's bytes. A compressed one (SHF_COMPRESSED: an Elf64_Chdr, then
// zlib) is inflated only as far as reads reach: a lookup in the first units
// of libc's 10 MB .debug_info need not inflate the rest.
class SectionData {
 public:
  SectionData() = default;
  SectionData(const SectionData&) = delete;
  SectionData& operator=(const SectionData&) = delete;
  ~SectionData() {
    if (inflating_) inflateEnd(&stream_);
  }
  void open(const ElfFile& elf, std::string_view name) {
    auto s = elf.section_bytes(name);
    if (!s) return;
    if (!s->compressed) {
      plain_ = s->bytes;
      return;
    }
    Elf64_Chdr header;
    if (s->bytes.size() < sizeof header) return;
    std::memcpy(&header, s->bytes.data(), sizeof header);
    if (header.ch_type != ELFCOMPRESS_ZLIB || header.ch_size > (uint64_t(1) << 32)) return;
    // The zlib header checked here and the deflate data inflated raw: zlib
    // would check the trailing Adler-32, a fifth of inflate's time, on bytes
    // that are parsed defensively anyway.
    std::string_view zlib = s->bytes.substr(sizeof header);
    if (zlib.size() < 2) return;
    const uint8_t cmf = uint8_t(zlib[0]), flg = uint8_t(zlib[1]);
    if ((cmf & 0x0f) != Z_DEFLATED || (cmf >> 4) > 7 || (flg & 0x20) || (cmf * 256 + flg) % 31)
      return;  // not deflate, a window beyond 32 KB, a preset dictionary, a bad check
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zlib.data() + 2));
    stream_.avail_in = uInt(zlib.size() - 2);
    if (inflateInit2(&stream_, -MAX_WBITS) != Z_OK) return;
    inflating_ = true;
    // Left uninitialised: the kernel maps a page only when inflate writes
    // it (zero-filling libc's 10 MB up front cost more than reading it).
    out_.reset(new char[header.ch_size]);
    size_ = header.ch_size;
  }
  // The bytes before `end` (fewer when the section is shorter or corrupt).
  std::string_view upto(uint64_t end) {
    if (!inflating_) return plain_;
    end = std::min<uint64_t>(end, size_);
    if (produced_ < end) {
      // A little past `end`, for the header reads that follow a unit; not
      // more: inflating costs a few ns a byte, and lookups land far apart.
      uint64_t target = std::min<uint64_t>(size_, std::max(end, produced_ + (16u << 10)));
      stream_.next_out = reinterpret_cast<Bytef*>(out_.get() + produced_);
      stream_.avail_out = uInt(target - produced_);
      int rc = inflate(&stream_, Z_SYNC_FLUSH);
      produced_ = uint64_t(reinterpret_cast<char*>(stream_.next_out) - out_.get());
      if (rc != Z_OK && rc != Z_STREAM_END) {  // corrupt: keep what came out
        inflateEnd(&stream_);
        inflating_ = false;
        plain_ = std::string_view(out_.get(), produced_);
        return plain_;
      }
    }
    return std::string_view(out_.get(), produced_);
  }
  std::string_view all() { return upto(~uint64_t(0)); }

 private:
  std::string_view plain_;  // uncompressed: the mapped file's bytes
  bool inflating_ = false;
  z_stream stream_{};
  std::unique_ptr<char[]> out_;
  uint64_t size_ = 0;  // inflated, as the header says
  uint64_t produced_ = 0;
};

// The NUL-terminated string at `offset`; empty when it runs off the end. A
// compressed section is inflated a little past it, not whole: a backtrace
// names a few functions of libc's 190 KB of strings.
std::string_view string_in(SectionData& s, uint64_t offset) {
  for (uint64_t want = 256;; want *= 16) {
    std::string_view bytes = s.upto(offset + want);
    if (offset >= bytes.size()) return {};
    size_t nul = bytes.find('\0', offset);
    if (nul != std::string_view::npos) return bytes.substr(offset, nul - offset);
    if (bytes.size() < offset + want) return {};  // the section ends first
  }
}

}  // namespace

class DwarfInlineCalls::File {
 public:
  // Nothing found: has_dwarf() is false.
  File(const std::string& path, const std::vector<std::string>& debug_dirs);
  bool has_dwarf() const { return elf_ != nullptr; }
  std::optional<InlineCalls> at(uint64_t addr, uint64_t return_pc);  // look_up, remembered
  std::optional<std::vector<CallSite>> tail_calls(uint64_t addr);  // remembered
  std::optional<std::vector<CallSite>> find_tail_calls(uint64_t addr);
  std::optional<VariableLocation> variable(uint64_t addr, size_t depth, const std::string& name);  // remembered
  std::optional<VariableLocation> find_variable(uint64_t addr, size_t depth, const std::string& name);
  // The expression of location list `d` at `addr`; "" when none covers it.
  std::optional<std::string> location_at(const Unit& u, const Die& d, uint64_t addr);

 private:
  const Unit* unit(uint64_t offset);
  const Unit* unit_holding(uint64_t die_offset);
  // The DIE at .debug_info offset `offset`, with its unit: `from` or the
  // one that holds it (a DW_FORM_ref_addr). Nullopt when unreadable.
  std::optional<std::pair<const Unit*, Die>> die_at(const Unit& from, uint64_t offset);
  // Entry `index` of a table of `size`-byte words at `base` of section `s`
  // (.debug_addr, .debug_str_offsets, the offset tables of the DWARF 5
  // range and location lists); nullopt when outside it.
  std::optional<uint64_t> table_entry(SectionData& s, uint64_t base, uint64_t index, int size);
  uint64_t address(const Unit& u, uint64_t index) {  // DW_FORM_addrx & co; 0 when unreadable
    return table_entry(addr_, u.addr_base, index, u.address_size).value_or(0);
  }
  // One DWARF 5 range or location list entry of `kind` in range-list
  // numbering: moves `base`, or gives a range. False for a kind it is not.
  bool list_entry(Cursor& c, const Unit& u, uint8_t kind, uint64_t& base,
                  std::optional<std::pair<uint64_t, uint64_t>>& range);
  // Calls visit(start, end) for each address range of the DIE; false when
  // its ranges are unreadable.
  template <typename Visit>
  bool for_each_range(const Unit& u, const Die& d, const Visit& visit);
  const AbbrevTable* abbrevs(uint64_t offset);
  Die read(const Unit& u, uint64_t offset);
  // Only what stepping over the DIE needs: the attributes of a DIE whose
  // forms all have fixed sizes are stepped over, not read.
  DieHead skim(const Unit& u, uint64_t offset);
  bool contains(const Unit& u, const Die& d, uint64_t addr, bool* starts_here);
  std::optional<uint64_t> next_sibling(const Unit& u, const DieHead& d, uint64_t* budget);
  std::optional<InlineCalls> look_up(uint64_t addr, uint64_t return_pc);
  // A DIE that holds the address: the subprogram, a lexical block, an inlined call.
  struct Scope {
    uint64_t offset, tag;
    bool starts_here;      // the address is the first of one of its ranges
    uint64_t first_child;  // 0: none
  };
  // The DIEs that hold `addr`, subprogram first; `on_call_site` (if any) is
  // shown each call site of the function's lists read on the way down
  // (false: give up). Nullopt: unreadable.
  std::optional<std::vector<Scope>> descend(const Unit& u, uint64_t addr,
                                            const std::function<bool(const Die&)>& on_call_site);
  std::string_view name_of(const Unit& u, const Die& d);  // empty when it has none
  std::string function_name(const Unit& u, const Die& d);
  std::optional<uint64_t> lowest_address(const Unit& u, const Die& d);
  std::optional<CallSite> call_site(const Unit& u, const Die& d);
  // The unit whose code holds `addr`: nullptr when none (no DWARF there),
  // nullopt when the file's DWARF cannot be searched or the unit read.
  std::optional<const Unit*> unit_at(uint64_t addr);

  std::string elf_path_;  // where elf_ was read from (declared first: elf_'s initialiser sets it)
  std::unique_ptr<ElfFile> elf_;
  std::shared_ptr<const ElfSymbols> symbols_;  // its symbol tables, read on first use
  SectionData info_, abbrev_, str_, line_str_, str_offsets_, addr_, rnglists_, ranges_, loclists_, loc_;
  bool aranges_ok_ = false;
  struct Range {
    uint64_t start, end, unit;
  };
  std::vector<Range> aranges_;  // sorted by start
  std::map<uint64_t, Unit> units_;
  std::vector<uint64_t> unit_offsets_;  // every unit header, read when a reference crosses units
  std::unordered_map<uint64_t, AbbrevTable> abbrev_tables_;
  std::unordered_map<uint64_t, std::optional<std::vector<CallSite>>> tail_calls_;  // by address
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return std::hash<uint64_t>()(p.first * 0x9e3779b97f4a7c15ull ^ p.second);
    }
  };
  static constexpr size_t kMaxAnswers = 1 << 16;
  std::unordered_map<std::pair<uint64_t, uint64_t>, std::optional<InlineCalls>, PairHash> answers_;
  std::map<std::tuple<uint64_t, size_t, std::string>, std::optional<VariableLocation>> variables_;
};

namespace {

bool has_debug_info(const ElfFile& f) { return f.ok() && f.section_bytes(".debug_info"); }

// Where gdb looks for a file's DWARF by default.
std::unique_ptr<ElfFile> find_debug_file(const std::string& path,
                                         const std::vector<std::string>& debug_dirs,
                                         std::string* found) {
  auto own = std::make_unique<ElfFile>(path);
  if (!own->ok()) return nullptr;
  *found = path;
  if (has_debug_info(*own)) return own;
  std::vector<std::string> candidates;
  std::string id = own->build_id();
  if (id.size() > 2)
    for (const std::string& root : debug_dirs)
      candidates.push_back(root + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug");
  std::string link = own->debuglink();
  if (!link.empty() && link.find('/') == std::string::npos) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    candidates.push_back(dir + "/" + link);
    candidates.push_back(dir + "/.debug/" + link);
    for (const std::string& root : debug_dirs) candidates.push_back(root + dir + "/" + link);
  }
  for (const std::string& c : candidates) {
    if (c == path) continue;
    auto f = std::make_unique<ElfFile>(c);
    *found = c;
    if (has_debug_info(*f)) return f;
  }
  return nullptr;
}

}  // namespace

DwarfInlineCalls::File::File(const std::string& path, const std::vector<std::string>& debug_dirs)
    : elf_(find_debug_file(path, debug_dirs, &elf_path_)) {
  if (!elf_) return;
  info_.open(*elf_, ".debug_info");
  abbrev_.open(*elf_, ".debug_abbrev");
  str_.open(*elf_, ".debug_str");
  line_str_.open(*elf_, ".debug_line_str");
  str_offsets_.open(*elf_, ".debug_str_offsets");
  addr_.open(*elf_, ".debug_addr");
  rnglists_.open(*elf_, ".debug_rnglists");
  ranges_.open(*elf_, ".debug_ranges");
  loclists_.open(*elf_, ".debug_loclists");
  loc_.open(*elf_, ".debug_loc");
  SectionData aranges_data;
  aranges_data.open(*elf_, ".debug_aranges");
  std::string_view aranges = aranges_data.all();
  // Each set: its header (unit length, version 2, the unit's offset,
  // address and segment sizes), then (address, length) pairs aligned to
  // twice the address size, ending with (0, 0).
  Cursor c{aranges};
  aranges_ok_ = !aranges.empty();
  while (aranges_ok_ && !c.at_end()) {
    uint64_t set = c.pos, length = c.fixed<uint32_t>();
    int offset_size = 4;
    if (length == 0xffffffff) {
      length = c.fixed<uint64_t>();
      offset_size = 8;
    }
    uint64_t end = c.pos + length;
    uint16_t version = c.fixed<uint16_t>();
    uint64_t unit = c.offset(offset_size);
    uint8_t address_size = c.fixed<uint8_t>(), segment_size = c.fixed<uint8_t>();
    if (c.bad || end > aranges.size() || version != 2 || address_size != 8 || segment_size) {
      aranges_ok_ = false;
      break;
    }
    c.pos = set + (c.pos - set + 15) / 16 * 16;
    while (c.pos + 16 <= end) {
      uint64_t start = c.fixed<uint64_t>(), size = c.fixed<uint64_t>();
      if (!start && !size) break;
      if (size) aranges_.push_back({start, start + size, unit});
    }
    c.pos = end;
  }
  std::sort(aranges_.begin(), aranges_.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
}

const AbbrevTable* DwarfInlineCalls::File::abbrevs(uint64_t offset) {
  auto it = abbrev_tables_.find(offset);
  if (it != abbrev_tables_.end()) return &it->second;
  // A unit's table is a few KB: inflate a compressed section that far, and
  // further only while the table runs on.
  for (uint64_t window = 4u << 10;; window *= 8) {
    Cursor c{abbrev_.upto(offset + window), offset};
    if (offset >= c.bytes.size()) return nullptr;
    const bool more = c.bytes.size() == offset + window;  // the section goes on past the window
    AbbrevTable table;
    bool ended = false;  // its terminating 0 read
    while (!c.at_end() && !c.bad) {
      uint64_t code = c.uleb();
      if (!code || c.bad) {
        ended = !c.bad;
        break;
      }
      Abbrev a;
      a.tag = c.uleb();
      a.children = c.fixed<uint8_t>() != 0;
      int32_t size = 0;  // of the attributes so far, while each has a fixed size
      while (!c.bad) {
        uint64_t name = c.uleb(), form = c.uleb();
        int64_t implicit = form == kFormImplicitConst ? c.sleb() : 0;
        if (c.bad || (!name && !form)) break;
        a.attrs.push_back({name, form, implicit});
        int form_size = fixed_form_size(form);
        bool ref = form == kFormRef1 || form == kFormRef2 || form == kFormRef4 || form == kFormRef8;
        if (size >= 0 && name == kAtSibling && ref) {
          a.sibling_at = size;
          a.sibling_size = form_size;
        }
        size = size >= 0 && form_size >= 0 && a.attrs.size() < 1024 ? size + form_size : -1;
      }
      a.fixed_size = size;
      if (size < 0) a.sibling_at = -1;
      table.emplace(code, std::move(a));
    }
    if (ended || (!more && !c.bad))
      return &abbrev_tables_.emplace(offset, std::move(table)).first->second;
    if (!more) return nullptr;
  }
}

const Unit* DwarfInlineCalls::File::unit(uint64_t offset) {
  auto it = units_.find(offset);
  if (it != units_.end()) return it->second.abbrevs ? &it->second : nullptr;
  Unit& u = units_[offset];  // stays without abbrevs (unusable) unless read in full
  u.offset = offset;
  Cursor c{info_.upto(offset + 24), offset};
  uint64_t length = c.fixed<uint32_t>();
  if (length == 0xffffffff) {
    length = c.fixed<uint64_t>();
    u.offset_size = 8;
  }
  if (c.bad) return nullptr;
  u.end = c.pos + length;
  if (u.end < c.pos || info_.upto(u.end).size() < u.end) return nullptr;
  u.version = c.fixed<uint16_t>();
  uint64_t abbrev_offset = 0;
  if (u.version >= 5) {
    uint8_t type = c.fixed<uint8_t>();
    u.address_size = c.fixed<uint8_t>();
    abbrev_offset = c.offset(u.offset_size);
    if (type != 1 && type != 3) return nullptr;  // only DW_UT_compile and DW_UT_partial
  } else if (u.version >= 2) {
    abbrev_offset = c.offset(u.offset_size);
    u.address_size = c.fixed<uint8_t>();
  } else {
    return nullptr;
  }
  if (c.bad || u.address_size != 8) return nullptr;
  u.first_die = c.pos;
  const AbbrevTable* table = abbrevs(abbrev_offset);
  if (!table) return nullptr;
  u.abbrevs = table;
  // The unit DIE's bases for indexed strings, addresses and range lists,
  // then its low_pc (the base of its ranges), which may be indexed.
  Die top = read(u, u.first_die);
  if (top.unreadable || !top.abbrev ||
      (top.abbrev->tag != kTagCompileUnit && top.abbrev->tag != kTagPartialUnit)) {
    u.abbrevs = nullptr;
    return nullptr;
  }
  u.str_offsets_base = top.str_offsets_base;
  u.addr_base = top.addr_base;
  u.rnglists_base = top.rnglists_base;
  u.loclists_base = top.loclists_base;
  top = read(u, u.first_die);
  u.low_pc = top.has_low ? top.low : 0;
  return &u;
}

const Unit* DwarfInlineCalls::File::unit_holding(uint64_t die_offset) {
  if (unit_offsets_.empty()) {
    Cursor c{info_.all()};
    while (!c.at_end() && unit_offsets_.size() < (1u << 20)) {
      uint64_t start = c.pos, length = c.fixed<uint32_t>();
      if (length == 0xffffffff) length = c.fixed<uint64_t>();
      if (c.bad || length > c.bytes.size() - c.pos) break;
      unit_offsets_.push_back(start);
      c.pos += length;
    }
  }
  auto it = std::upper_bound(unit_offsets_.begin(), unit_offsets_.end(), die_offset);
  if (it == unit_offsets_.begin()) return nullptr;
  const Unit* u = unit(*std::prev(it));
  return u && die_offset >= u->first_die && die_offset < u->end ? u : nullptr;
}

DieHead DwarfInlineCalls::File::skim(const Unit& u, uint64_t offset) {
  Cursor c{info_.upto(u.end).substr(0, u.end), offset};
  uint64_t code = c.uleb();
  if (c.bad || !code || u.offset_size != 4) return read(u, offset);
  auto it = u.abbrevs->find(code);
  if (it == u.abbrevs->end() || it->second.fixed_size < 0 ||
      uint64_t(it->second.fixed_size) > c.bytes.size() - c.pos)
    return read(u, offset);  // which says what is wrong, if anything
  DieHead d;
  d.abbrev = &it->second;
  d.next = c.pos + d.abbrev->fixed_size;
  if (d.abbrev->sibling_at >= 0) {
    c.pos += d.abbrev->sibling_at;
    d.sibling = u.offset + c.sized(d.abbrev->sibling_size);
  }
  return d;
}

Die DwarfInlineCalls::File::read(const Unit& u, uint64_t offset) {
  Die d;
  Cursor c{info_.upto(u.end).substr(0, u.end), offset};
  uint64_t code = c.uleb();
  if (c.bad) {
    d.unreadable = true;
    return d;
  }
  if (!code) {
    d.next = c.pos;
    return d;
  }
  auto it = u.abbrevs->find(code);
  if (it == u.abbrevs->end()) {
    d.unreadable = true;
    return d;
  }
  d.abbrev = &it->second;
  for (const Abbrev::Attr& a : d.abbrev->attrs) {
    uint64_t form = a.form;
    for (int hops = 0; form == kFormIndirect && hops < 4; ++hops) form = c.uleb();
    uint64_t value = 0;
    std::string_view text;  // a string, or a block's bytes
    bool is_text = false, is_ref = false, is_constant = false, is_block = false;
    switch (form) {
      case kFormAddr: value = c.sized(u.address_size); break;
      case kFormData1: case kFormFlag: value = c.fixed<uint8_t>(); is_constant = true; break;
      case kFormData2: value = c.fixed<uint16_t>(); is_constant = true; break;
      case kFormData4: value = c.fixed<uint32_t>(); is_constant = true; break;
      case kFormData8: value = c.fixed<uint64_t>(); is_constant = true; break;
      case kFormData16: c.skip(16); break;
      case kFormSdata: value = uint64_t(c.sleb()); is_constant = true; break;
      case kFormUdata: value = c.uleb(); is_constant = true; break;
      case kFormImplicitConst: value = uint64_t(a.implicit); is_constant = true; break;
      case kFormFlagPresent: value = 1; break;
      case kFormString: text = c.cstring(); is_text = true; break;
      // A string elsewhere: its offset, or its index in the unit's offsets.
      case kFormStrp: case kFormLineStrp: value = c.offset(u.offset_size); is_text = true; break;
      case kFormStrx: case kFormGnuStrIndex: case kFormStrx1: case 0x26: case 0x27: case kFormStrx4:
        value = form == kFormStrx || form == kFormGnuStrIndex ? c.uleb()
                                                              : c.sized(int(form - kFormStrx1 + 1));
        is_text = true;
        break;
      case kFormAddrx: case kFormGnuAddrIndex: case kFormAddrx1: case 0x2a: case 0x2b: case kFormAddrx4: {
        uint64_t index = form == kFormAddrx || form == kFormGnuAddrIndex ? c.uleb()
                                                                         : c.sized(int(form - kFormAddrx1 + 1));
        value = address(u, index);
        break;
      }
      case kFormRef1: value = u.offset + c.fixed<uint8_t>(); is_ref = true; break;
      case kFormRef2: value = u.offset + c.fixed<uint16_t>(); is_ref = true; break;
      case kFormRef4: value = u.offset + c.fixed<uint32_t>(); is_ref = true; break;
      case kFormRef8: value = u.offset + c.fixed<uint64_t>(); is_ref = true; break;
      case kFormRefUdata: value = u.offset + c.uleb(); is_ref = true; break;
      case kFormRefAddr:
        value = c.offset(u.version <= 2 ? u.address_size : u.offset_size);
        is_ref = true;
        break;
      case kFormSecOffset: case kFormStrpSup: value = c.offset(u.offset_size); break;
      case kFormLoclistx: case kFormRnglistx: value = c.uleb(); break;
      case kFormRefSig8: c.skip(8); break;
      case kFormRefSup4: c.skip(4); d.unreadable |= a.name == kAtAbstractOrigin; break;
      case kFormRefSup8: c.skip(8); d.unreadable |= a.name == kAtAbstractOrigin; break;
      case kFormGnuRefAlt: case kFormGnuStrpAlt:
        c.offset(u.offset_size);
        // In dwz's shared file: a name or origin we would need is not here.
        if (a.name == kAtName || a.name == kAtAbstractOrigin || a.name == kAtSpecification)
          d.unreadable = true;
        break;
      case kFormExprloc: case kFormBlock: case kFormBlock1: case kFormBlock2: case kFormBlock4: {
        uint64_t size = form == kFormBlock1 ? c.fixed<uint8_t>()
                        : form == kFormBlock2 ? c.fixed<uint16_t>()
                        : form == kFormBlock4 ? c.fixed<uint32_t>()
                                              : c.uleb();
        if (!c.bad && size <= c.bytes.size() - c.pos) text = c.bytes.substr(c.pos, size);
        is_block = true;
        c.skip(size);
        break;
      }
      default: d.unreadable = true; return d;  // a form we cannot even skip
    }
    if (c.bad) {
      d.unreadable = true;
      return d;
    }
    switch (a.name) {
      case kAtName:
        if (!is_text) break;
        d.name = text;
        d.name_form = form;
        d.name_ref = value;
        break;
      case kAtLowPc: d.has_low = true; d.low = value; break;
      case kAtHighPc: d.has_high = true; d.high = value; d.high_is_length = is_constant; break;
      case kAtRanges: d.has_ranges = true; d.ranges = value; d.ranges_form = form; break;
      case kAtSibling: if (is_ref) d.sibling = value; break;
      case kAtAbstractOrigin: case kAtSpecification: if (is_ref) d.origin = value; break;
      case kAtCallReturnPc: d.has_return_pc = true; d.return_pc = value; break;
      case kAtCallValue: case kAtGnuCallSiteValue: if (is_block) d.call_value = text; break;
      case kAtCallOrigin: if (is_ref) d.call_origin = value; break;
      case kAtCallTarget: case kAtGnuCallSiteTarget: d.has_call_target = true; break;
      case kAtCallTailCall: case kAtGnuTailCall: d.tail_call = value != 0; break;
      case kAtDeclaration: d.declaration = value != 0; break;
      case kAtLocation:
        d.has_location = true;
        d.location_is_block = is_block;
        d.location_block = text;
        d.location = value;
        d.location_form = form;
        break;
      case kAtConstValue: d.has_const_value = true; break;
      case kAtFrameBase: if (is_block) d.frame_base = text; break;
      case kAtStrOffsetsBase: d.str_offsets_base = value; break;
      case kAtAddrBase: d.addr_base = value; break;
      case kAtRnglistsBase: d.rnglists_base = value; break;
      case kAtLoclistsBase: d.loclists_base = value; break;
      default: break;
    }
  }
  d.next = c.pos;
  return d;
}

std::optional<uint64_t> DwarfInlineCalls::File::table_entry(SectionData& s, uint64_t base,
                                                            uint64_t index, int size) {
  // Sections are far below 2^40 bytes: past that, an offset is corrupt (and
  // the sum below cannot wrap).
  if (base >= (uint64_t(1) << 40) || index >= (uint64_t(1) << 40)) return std::nullopt;
  Cursor at{s.upto(base + (index + 1) * uint64_t(size)), base + index * uint64_t(size)};
  uint64_t v = at.sized(size);
  return at.bad ? std::nullopt : std::optional(v);
}

bool DwarfInlineCalls::File::list_entry(Cursor& c, const Unit& u, uint8_t kind, uint64_t& base,
                                        std::optional<std::pair<uint64_t, uint64_t>>& range) {
  uint64_t start = 0;
  range.reset();
  switch (kind) {
    case 1: base = address(u, c.uleb()); break;                             // base_addressx
    case 2: start = address(u, c.uleb()); range = {start, address(u, c.uleb())}; break;  // startx_endx
    case 3: start = address(u, c.uleb()); range = {start, start + c.uleb()}; break;      // startx_length
    case 4: start = base + c.uleb(); range = {start, base + c.uleb()}; break;            // offset_pair
    case 5: base = c.fixed<uint64_t>(); break;                              // base_address
    case 6: start = c.fixed<uint64_t>(); range = {start, c.fixed<uint64_t>()}; break;    // start_end
    case 7: start = c.fixed<uint64_t>(); range = {start, start + c.uleb()}; break;       // start_length
    default: return false;
  }
  return true;
}

template <typename Visit>
bool DwarfInlineCalls::File::for_each_range(const Unit& u, const Die& d, const Visit& visit) {
  if (d.has_low && d.has_high) {
    visit(d.low, d.high_is_length ? d.low + d.high : d.high);
    return true;
  }
  if (!d.has_ranges) return true;
  uint64_t base = u.low_pc;
  if (u.version >= 5) {
    uint64_t offset = d.ranges;
    if (d.ranges_form == kFormRnglistx) {  // an index into the unit's offset table
      auto entry = table_entry(rnglists_, u.rnglists_base, d.ranges, u.offset_size);
      if (!entry) return false;
      offset = u.rnglists_base + *entry;
    }
    Cursor c{rnglists_.all(), offset};
    for (int n = 0; n < 100000 && !c.bad && !c.at_end(); ++n) {
      uint8_t kind = c.fixed<uint8_t>();
      if (kind == 0) return !c.bad;  // DW_RLE_end_of_list
      std::optional<std::pair<uint64_t, uint64_t>> range;
      if (!list_entry(c, u, kind, base, range)) return false;
      if (range) visit(range->first, range->second);
    }
    return false;
  }
  // DWARF 2 to 4: .debug_ranges, pairs relative to the base; ~0 sets it.
  Cursor c{ranges_.all(), d.ranges};
  for (int n = 0; n < 100000 && !c.bad && !c.at_end(); ++n) {
    uint64_t start = c.fixed<uint64_t>(), end = c.fixed<uint64_t>();
    if (c.bad) return false;
    if (!start && !end) return true;
    if (start == ~uint64_t(0)) base = end;
    else visit(base + start, base + end);
  }
  return false;
}

bool DwarfInlineCalls::File::contains(const Unit& u, const Die& d, uint64_t addr,
                                      bool* starts_here) {
  bool inside = false;
  *starts_here = false;
  for_each_range(u, d, [&](uint64_t start, uint64_t end) {
    *starts_here = *starts_here || addr == start;
    inside = inside || (addr >= start && addr < end);
  });
  return inside;
}

std::optional<uint64_t> DwarfInlineCalls::File::lowest_address(const Unit& u, const Die& d) {
  std::optional<uint64_t> lowest;
  if (!for_each_range(u, d, [&](uint64_t start, uint64_t end) {
        if (end > start && (!lowest || start < *lowest)) lowest = start;
      }))
    return std::nullopt;
  return lowest;
}

std::optional<CallSite> DwarfInlineCalls::File::call_site(const Unit& u, const Die& d) {
  CallSite site;
  site.computed = d.has_call_target;
  bool gnu = d.abbrev->tag == kTagGnuCallSite;
  site.return_pc = gnu ? d.low : d.return_pc;
  // The values it passes in registers (DW_TAG_call_site_parameter: a
  // DW_OP_regN location, its DW_AT_call_value expression in the caller).
  for (uint64_t pos = d.abbrev->children ? d.next : 0; pos && pos < u.end;) {
    Die p = read(u, pos);
    if (p.unreadable) return std::nullopt;
    if (!p.abbrev) break;
    uint64_t tag = p.abbrev->tag;
    if ((tag == kTagCallSiteParameter || tag == kTagGnuCallSiteParameter) && p.location_is_block &&
        p.location_block.size() == 1 && uint8_t(p.location_block[0]) >= 0x50 &&
        uint8_t(p.location_block[0]) <= 0x6f && !p.call_value.empty())
      site.register_values.push_back({uint8_t(p.location_block[0]) - 0x50, std::string(p.call_value)});
    if (p.abbrev->children) break;  // parameters have none; anything else: stop reading
    pos = p.next;
  }
  uint64_t origin = gnu ? d.origin : d.call_origin;
  if (site.computed || !origin) {
    site.resolvable = site.computed;
    return site;
  }
  // As gdb reads DW_AT_call_origin: a declaration names the callee, a
  // definition gives its lowest address; anything else gives no address.
  auto found = die_at(u, origin);
  if (!found) return std::nullopt;
  // gdb reads an attribute a DIE lacks from its DW_AT_abstract_origin or
  // DW_AT_specification (an LTO unit's stub points to the declaration).
  for (int hop = 0; !found->second.declaration && !found->second.has_low &&
                    !found->second.has_ranges && found->second.origin && hop < 4;
       ++hop) {
    found = die_at(*found->first, found->second.origin);
    if (!found) return std::nullopt;
  }
  const auto& [target_unit, target] = *found;
  if (target.declaration) {
    site.target_name = function_name(*target_unit, target);
    site.resolvable = !site.target_name.empty();
    // gdb also reads the debug file's .symtab: a stripped libc's private
    // functions have their names there only.
    if (!symbols_) symbols_ = ElfSymbols::load(elf_path_);
    if (auto v = symbols_ ? symbols_->find(site.target_name) : std::nullopt) site.target = *v;
  } else if (auto low = lowest_address(*target_unit, target)) {
    site.target = *low;
  } else {
    site.resolvable = false;
  }
  return site;
}

std::optional<uint64_t> DwarfInlineCalls::File::next_sibling(const Unit& u, const DieHead& d,
                                                             uint64_t* budget) {
  if (!d.abbrev->children) return d.next;
  if (d.sibling > d.next && d.sibling < u.end) return d.sibling;
  // No DW_AT_sibling: read through the children to the entry that ends them.
  uint64_t pos = d.next;
  int depth = 1;
  while (depth > 0) {
    if (!(*budget)--) return std::nullopt;
    DieHead child = skim(u, pos);
    // A child read only in part (no abbreviation, a form it cannot skip)
    // says nothing of where the next one starts.
    if (child.unreadable && child.next <= pos) return std::nullopt;
    if (!child.abbrev) --depth;
    else if (child.abbrev->children) ++depth;
    if (depth > kMaxDepth) return std::nullopt;
    pos = child.next;
  }
  return pos;
}

std::string_view DwarfInlineCalls::File::name_of(const Unit& u, const Die& d) {
  switch (d.name_form) {
    case kFormString: return d.name;
    case kFormStrp: return string_in(str_, d.name_ref);
    case kFormLineStrp: return string_in(line_str_, d.name_ref);
    case 0: return {};
    default:  // an index into the unit's string offsets
      if (auto offset = table_entry(str_offsets_, u.str_offsets_base, d.name_ref, u.offset_size))
        return string_in(str_, *offset);
      return {};
  }
}

std::string DwarfInlineCalls::File::function_name(const Unit& u, const Die& d) {
  std::pair<const Unit*, Die> die{&u, d};
  // A concrete copy names its abstract instance; a definition its declaration.
  for (int hop = 0; !die.second.name_form && die.second.origin && hop < 4; ++hop) {
    auto next = die_at(*die.first, die.second.origin);
    if (!next) return "";
    die = std::move(*next);
  }
  return std::string(name_of(*die.first, die.second));
}

std::optional<std::pair<const Unit*, Die>> DwarfInlineCalls::File::die_at(const Unit& from,
                                                                         uint64_t offset) {
  const Unit* u = offset >= from.first_die && offset < from.end ? &from : unit_holding(offset);
  if (!u) return std::nullopt;
  Die d = read(*u, offset);
  if (d.unreadable || !d.abbrev) return std::nullopt;
  return std::make_pair(u, std::move(d));
}

std::optional<const Unit*> DwarfInlineCalls::File::unit_at(uint64_t addr) {
  if (!aranges_ok_) return std::nullopt;
  auto it = std::upper_bound(aranges_.begin(), aranges_.end(), addr,
                             [](uint64_t a, const Range& r) { return a < r.start; });
  if (it == aranges_.begin() || addr >= std::prev(it)->end) return nullptr;
  const Unit* u = unit(std::prev(it)->unit);
  if (!u) return std::nullopt;
  return u;
}

std::optional<InlineCalls> DwarfInlineCalls::File::at(uint64_t addr, uint64_t return_pc) {
  // A deep recursion returns to the same few call sites thousands of times.
  auto key = std::make_pair(addr, return_pc);
  auto known = answers_.find(key);
  if (known != answers_.end()) return known->second;
  auto calls = look_up(addr, return_pc);
  if (answers_.size() < kMaxAnswers) answers_.emplace(key, calls);
  return calls;
}

std::optional<std::vector<DwarfInlineCalls::File::Scope>> DwarfInlineCalls::File::descend(
    const Unit& u, uint64_t addr, const std::function<bool(const Die&)>& on_call_site) {
  Die top = read(u, u.first_die);
  if (top.unreadable || !top.abbrev) return std::nullopt;
  std::vector<Scope> scopes;
  if (!top.abbrev->children) return scopes;
  uint64_t budget = kMaxDiesPerLookup;
  uint64_t pos = top.next;  // the first child
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    const bool in_function = !scopes.empty();
    bool descended = false;
    while (pos < u.end) {
      if (!budget--) return std::nullopt;
      DieHead head = skim(u, pos);
      if (head.unreadable) return std::nullopt;
      if (!head.abbrev) break;  // the end of this list: nothing here holds addr
      uint64_t tag = head.abbrev->tag;
      bool wanted = in_function ? tag == kTagInlinedSubroutine || tag == kTagLexicalBlock
                                : tag == kTagSubprogram;
      if (wanted) {
        Die d = read(u, pos);
        bool starts_here = false;
        if (d.unreadable) return std::nullopt;
        if (contains(u, d, addr, &starts_here)) {
          scopes.push_back({pos, tag, starts_here, d.abbrev->children ? d.next : 0});
          descended = d.abbrev->children;
          pos = d.next;
          break;
        }
      } else if (in_function && is_call_site(tag) && on_call_site) {
        Die d = read(u, pos);
        if (d.unreadable || !on_call_site(d)) return std::nullopt;
      }
      auto next = next_sibling(u, head, &budget);
      if (!next) return std::nullopt;
      pos = *next;
    }
    if (!descended) break;
  }
  return scopes;
}

std::optional<InlineCalls> DwarfInlineCalls::File::look_up(uint64_t addr, uint64_t return_pc) {
  auto unit = unit_at(addr);
  if (!unit) return std::nullopt;
  InlineCalls calls;
  if (!*unit) return calls;
  const Unit* u = *unit;
  // The call is a child of the innermost scope that holds it, a list the
  // descent reads to its end.
  auto scopes = descend(*u, addr, [&](const Die& d) {
    uint64_t tag = d.abbrev->tag;
    if (return_pc &&
        (tag == kTagGnuCallSite ? d.has_low && d.low == return_pc
                                : d.has_return_pc && d.return_pc == return_pc)) {
      calls.call = call_site(*u, d);
      if (!calls.call) return false;
    }
    return true;
  });
  if (!scopes) return std::nullopt;
  for (const Scope& scope : *scopes) {
    Die d = read(*u, scope.offset);
    if (scope.tag == kTagSubprogram) {
      calls.function = function_name(*u, d);
      // gdb's entry of a function in pieces: its first range.
      for_each_range(*u, d, [&](uint64_t start, uint64_t) {
        if (!calls.function_entry) calls.function_entry = start;
      });
    } else if (scope.tag == kTagInlinedSubroutine) {
      calls.inlined.insert(calls.inlined.begin(), function_name(*u, d));
      calls.at_inline_entry = calls.at_inline_entry || scope.starts_here;
    }
  }
  return calls;
}

std::optional<VariableLocation> DwarfInlineCalls::File::variable(uint64_t addr, size_t depth,
                                                                 const std::string& name) {
  // Every activation of a recursion asks the same few.
  auto key = std::make_tuple(addr, depth, name);
  auto known = variables_.find(key);
  if (known != variables_.end()) return known->second;
  auto where = find_variable(addr, depth, name);
  if (variables_.size() < kMaxAnswers) variables_.emplace(key, where);
  return where;
}

std::optional<VariableLocation> DwarfInlineCalls::File::find_variable(uint64_t addr, size_t depth,
                                                                      const std::string& name) {
  auto unit = unit_at(addr);
  if (!unit) return std::nullopt;
  if (!*unit) return VariableLocation{};
  const Unit* u = *unit;
  auto scopes = descend(*u, addr, {});
  if (!scopes) return std::nullopt;
  // The functions at addr, outermost first (the subprogram, then each inlined call).
  std::vector<size_t> functions;
  for (size_t i = 0; i < scopes->size(); ++i)
    if ((*scopes)[i].tag != kTagLexicalBlock) functions.push_back(i);
  if (depth >= functions.size()) return VariableLocation{};
  size_t first = functions[functions.size() - 1 - depth];
  size_t end = depth ? functions[functions.size() - depth] : scopes->size();
  VariableLocation out;
  Die subprogram = read(*u, (*scopes)[0].offset);
  out.frame_base = std::string(subprogram.frame_base);
  // Innermost block first, as gdb's lookup goes outwards.
  for (size_t i = end; i-- > first;) {
    uint64_t budget = kMaxDiesPerLookup;
    for (uint64_t pos = (*scopes)[i].first_child; pos && pos < u->end;) {
      if (!budget--) return std::nullopt;
      DieHead head = skim(*u, pos);
      if (head.unreadable) return std::nullopt;
      if (!head.abbrev) break;
      uint64_t tag = head.abbrev->tag;
      if (tag != kTagVariable && tag != kTagFormalParameter) {
        auto next = next_sibling(*u, head, &budget);
        if (!next) return std::nullopt;
        pos = *next;
        continue;
      }
      Die d = read(*u, pos);
      if (d.unreadable) return std::nullopt;
      if (function_name(*u, d) == name) {
        if (d.has_const_value) return std::nullopt;  // gdb shows the constant: not a place
        if (!d.has_location) {
          out.kind = VariableLocation::OptimizedOut;
          return out;
        }
        auto expr = d.location_is_block ? std::optional(std::string(d.location_block))
                                        : location_at(*u, d, addr);
        if (!expr) return std::nullopt;
        out.kind = expr->empty() ? VariableLocation::OptimizedOut : VariableLocation::Expression;
        out.expression = std::move(*expr);
        return out;
      }
      auto next = next_sibling(*u, head, &budget);
      if (!next) return std::nullopt;
      pos = *next;
    }
  }
  return VariableLocation{};
}

std::optional<std::string> DwarfInlineCalls::File::location_at(const Unit& u, const Die& d,
                                                               uint64_t addr) {
  uint64_t base = u.low_pc;
  if (u.version >= 5) {
    uint64_t offset = d.location;
    if (d.location_form == kFormLoclistx) {
      auto entry = table_entry(loclists_, u.loclists_base, d.location, u.offset_size);
      if (!entry) return std::nullopt;
      offset = u.loclists_base + *entry;
    } else if (d.location_form != kFormSecOffset) {
      return std::nullopt;
    }
    Cursor c{loclists_.all(), offset};
    std::optional<std::string> fallback;  // DW_LLE_default_location
    for (int n = 0; n < 100000 && !c.bad && !c.at_end(); ++n) {
      uint8_t kind = c.fixed<uint8_t>();
      std::optional<std::pair<uint64_t, uint64_t>> range;
      // DW_LLE_*: end_of_list, default_location and GNU's view_pair are its
      // own; the others are the range list's, from 6 on one higher.
      if (kind == 0) return fallback ? fallback : std::optional(std::string());
      if (kind == 9) {
        c.uleb();
        c.uleb();
        continue;
      }
      if (kind != 5 && !list_entry(c, u, uint8_t(kind > 5 ? kind - 1 : kind), base, range))
        return std::nullopt;
      if (kind != 5 && !range) continue;  // a base address
      uint64_t size = c.uleb();
      if (c.bad || size > c.bytes.size() - c.pos) return std::nullopt;
      std::string expr(c.bytes.substr(c.pos, size));
      c.pos += size;
      if (kind == 5) fallback = std::move(expr);
      else if (addr >= range->first && addr < range->second) return expr;
    }
    return std::nullopt;
  }
  // DWARF 2 to 4: .debug_loc, (start, end) pairs relative to the base, a
  // 2-byte length, the expression; ~0 sets the base.
  if (d.location_form != kFormSecOffset && d.location_form != kFormData4 &&
      d.location_form != kFormData8)
    return std::nullopt;
  Cursor c{loc_.all(), d.location};
  for (int n = 0; n < 100000 && !c.bad && !c.at_end(); ++n) {
    uint64_t start = c.fixed<uint64_t>(), end = c.fixed<uint64_t>();
    if (c.bad) return std::nullopt;
    if (!start && !end) return std::string();
    if (start == ~uint64_t(0)) {
      base = end;
      continue;
    }
    uint16_t size = c.fixed<uint16_t>();
    if (c.bad || size > c.bytes.size() - c.pos) return std::nullopt;
    std::string expr(c.bytes.substr(c.pos, size));
    c.pos += size;
    if (addr >= base + start && addr < base + end) return expr;
  }
  return std::nullopt;
}

std::optional<std::vector<CallSite>> DwarfInlineCalls::File::tail_calls(uint64_t addr) {
  // Asked of the same few functions once per activation of a recursion.
  auto known = tail_calls_.find(addr);
  if (known != tail_calls_.end()) return known->second;
  auto sites = find_tail_calls(addr);
  if (tail_calls_.size() < kMaxAnswers) tail_calls_.emplace(addr, sites);
  return sites;
}

std::optional<std::vector<CallSite>> DwarfInlineCalls::File::find_tail_calls(uint64_t addr) {
  auto unit = unit_at(addr);
  if (!unit) return std::nullopt;
  std::vector<CallSite> sites;
  if (!*unit) return sites;
  const Unit* u = *unit;
  auto scopes = descend(*u, addr, {});
  if (!scopes) return std::nullopt;
  if (scopes->empty() || !(*scopes)[0].first_child) return sites;
  // Every call site below the subprogram, inlined calls' included (gdb
  // lists them all as the function's tail calls).
  uint64_t budget = kMaxDiesPerLookup;
  int depth = 1;
  for (uint64_t at = (*scopes)[0].first_child; depth > 0;) {
    if (!budget--) return std::nullopt;
    DieHead child = skim(*u, at);
    if (child.unreadable) return std::nullopt;
    if (!child.abbrev) {
      --depth;
    } else {
      if (is_call_site(child.abbrev->tag)) {
        Die call = read(*u, at);
        if (call.unreadable) return std::nullopt;
        if (call.tail_call) {
          auto site = call_site(*u, call);
          if (!site) return std::nullopt;
          sites.push_back(std::move(*site));
        }
      }
      if (child.abbrev->children && ++depth > kMaxDepth) return std::nullopt;
    }
    at = child.next;
  }
  return sites;
}

DwarfInlineCalls::DwarfInlineCalls(std::vector<std::string> debug_dirs)
    : debug_dirs_(std::move(debug_dirs)) {}
DwarfInlineCalls::~DwarfInlineCalls() = default;

DwarfInlineCalls::File& DwarfInlineCalls::file(const std::string& path) {
  auto& f = files_[path];
  if (!f) f = std::make_unique<File>(path, debug_dirs_);
  return *f;
}

std::optional<InlineCalls> DwarfInlineCalls::at(const std::string& path, uint64_t addr,
                                                 uint64_t return_pc) {
  File& f = file(path);
  if (!f.has_dwarf()) return InlineCalls{};
  return f.at(addr, return_pc);
}

std::optional<VariableLocation> DwarfInlineCalls::variable(const std::string& path, uint64_t addr,
                                                           size_t depth, const std::string& name) {
  File& f = file(path);
  if (!f.has_dwarf()) return VariableLocation{};
  return f.variable(addr, depth, name);
}

std::optional<std::vector<CallSite>> DwarfInlineCalls::tail_calls(const std::string& path,
                                                                  uint64_t addr) {
  File& f = file(path);
  if (!f.has_dwarf()) return std::vector<CallSite>{};
  return f.tail_calls(addr);
}

}  // namespace cpydbg::unwind
