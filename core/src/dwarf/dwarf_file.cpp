// libdwarf wrappers; see dwarf_file.h for why errors become "absent".
#include "dwarf/dwarf_file.h"

#include <vector>

namespace cpydbg::dwarf {
namespace {

// libdwarf hands out an error object we must free whenever a call fails.
struct Err {
  Dwarf_Debug dbg;
  Dwarf_Error e = nullptr;
  explicit Err(Dwarf_Debug d) : dbg(d) {}
  ~Err() {
    if (e) dwarf_dealloc_error(dbg, e);
  }
  Dwarf_Error* operator&() { return &e; }
};

uint64_t uleb(const unsigned char*& p, const unsigned char* end) {
  uint64_t v = 0;
  int shift = 0;
  while (p < end) {
    unsigned char b = *p++;
    if (shift < 64) v |= uint64_t(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  return v;
}

}  // namespace

Die& Die::operator=(Die&& o) noexcept {
  if (this != &o) {
    if (die_) dwarf_dealloc_die(die_);
    dbg_ = o.dbg_;
    die_ = o.die_;
    o.die_ = nullptr;
  }
  return *this;
}

Die::~Die() {
  if (die_) dwarf_dealloc_die(die_);
}

Dwarf_Half Die::tag() const {
  Err err(dbg_);
  Dwarf_Half t = 0;
  if (dwarf_tag(die_, &t, &err) != DW_DLV_OK) return 0;
  return t;
}

uint64_t Die::offset() const {
  Err err(dbg_);
  Dwarf_Off off = 0;
  dwarf_dieoffset(die_, &off, &err);
  return off;
}

std::string Die::name() const {
  Err err(dbg_);
  char* n = nullptr;
  if (dwarf_diename(die_, &n, &err) != DW_DLV_OK || !n) return "";
  std::string s(n);
  // libdwarf's placeholder for a name in a dwz alt file it was not given.
  if (s.rfind("<DW_FORM_", 0) == 0) return "";
  return s;
}

bool Die::has(Dwarf_Half attr) const {
  Err err(dbg_);
  Dwarf_Bool b = 0;
  return dwarf_hasattr(die_, attr, &b, &err) == DW_DLV_OK && b;
}

std::string Die::string(Dwarf_Half attr) const {
  Err err(dbg_);
  Dwarf_Attribute a = nullptr;
  if (dwarf_attr(die_, attr, &a, &err) != DW_DLV_OK) return "";
  char* s = nullptr;
  std::string out;
  if (dwarf_formstring(a, &s, &err) == DW_DLV_OK && s) out = s;
  dwarf_dealloc_attribute(a);
  return out;
}

bool Die::flag(Dwarf_Half attr) const {
  Err err(dbg_);
  Dwarf_Attribute a = nullptr;
  if (dwarf_attr(die_, attr, &a, &err) != DW_DLV_OK) return false;
  Dwarf_Bool b = 0;
  bool ok = dwarf_formflag(a, &b, &err) == DW_DLV_OK && b;
  dwarf_dealloc_attribute(a);
  return ok;
}

static std::optional<int64_t> read_constant(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half attr,
                                            bool data_signed) {
  Err err(dbg);
  Dwarf_Attribute a = nullptr;
  if (dwarf_attr(die, attr, &a, &err) != DW_DLV_OK) return std::nullopt;
  Dwarf_Half form = 0;
  std::optional<int64_t> out;
  if (dwarf_whatform(a, &form, &err) == DW_DLV_OK) {
    bool sign = form == DW_FORM_sdata || form == DW_FORM_implicit_const ||
                (data_signed && (form == DW_FORM_data1 || form == DW_FORM_data2 ||
                                 form == DW_FORM_data4 || form == DW_FORM_data8));
    if (sign) {
      Dwarf_Signed v = 0;
      if (dwarf_formsdata(a, &v, &err) == DW_DLV_OK) out = v;
    } else {
      Dwarf_Unsigned v = 0;
      if (dwarf_formudata(a, &v, &err) == DW_DLV_OK) out = static_cast<int64_t>(v);
    }
  }
  dwarf_dealloc_attribute(a);
  return out;
}

std::optional<int64_t> Die::constant(Dwarf_Half attr) const {
  return read_constant(dbg_, die_, attr, false);
}

std::optional<int64_t> Die::signed_constant(Dwarf_Half attr) const {
  return read_constant(dbg_, die_, attr, true);
}

std::optional<int64_t> Die::member_location() const {
  Err err(dbg_);
  Dwarf_Attribute a = nullptr;
  if (dwarf_attr(die_, DW_AT_data_member_location, &a, &err) != DW_DLV_OK) return std::nullopt;
  Dwarf_Half form = 0;
  std::optional<int64_t> out;
  dwarf_whatform(a, &form, &err);
  const unsigned char* p = nullptr;
  const unsigned char* end = nullptr;
  Dwarf_Block* block = nullptr;
  if (form == DW_FORM_exprloc) {
    Dwarf_Unsigned len = 0;
    Dwarf_Ptr ptr = nullptr;
    if (dwarf_formexprloc(a, &len, &ptr, &err) == DW_DLV_OK) {
      p = static_cast<const unsigned char*>(ptr);
      end = p + len;
    }
  } else if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
             form == DW_FORM_block) {
    if (dwarf_formblock(a, &block, &err) == DW_DLV_OK) {
      p = static_cast<const unsigned char*>(block->bl_data);
      end = p + block->bl_len;
    }
  } else {
    dwarf_dealloc_attribute(a);
    return constant(DW_AT_data_member_location);
  }
  if (p && p < end && (*p == DW_OP_plus_uconst || *p == DW_OP_constu)) {
    ++p;
    out = static_cast<int64_t>(uleb(p, end));
  }
  if (block) dwarf_dealloc(dbg_, block, DW_DLA_BLOCK);
  dwarf_dealloc_attribute(a);
  return out;
}

std::optional<uint64_t> Die::ref(Dwarf_Half attr) const {
  Err err(dbg_);
  Dwarf_Attribute a = nullptr;
  if (dwarf_attr(die_, attr, &a, &err) != DW_DLV_OK) return std::nullopt;
  Dwarf_Off off = 0;
  std::optional<uint64_t> out;
  Dwarf_Half form = 0;
  // A dwz alt-file reference points into a file we did not open.
  if (dwarf_whatform(a, &form, &err) == DW_DLV_OK && form != DW_FORM_GNU_ref_alt &&
      dwarf_global_formref(a, &off, &err) == DW_DLV_OK)
    out = off;
  dwarf_dealloc_attribute(a);
  return out;
}

Die Die::child() const {
  Err err(dbg_);
  Dwarf_Die c = nullptr;
  if (dwarf_child(die_, &c, &err) != DW_DLV_OK) return {};
  return Die(dbg_, c);
}

Die Die::sibling() const {
  Err err(dbg_);
  Dwarf_Die s = nullptr;
  if (dwarf_siblingof_b(dbg_, die_, true, &s, &err) != DW_DLV_OK) return {};
  return Die(dbg_, s);
}

DwarfFile::DwarfFile(const std::string& path) {
  std::vector<char> true_path(4096, '\0');
  Dwarf_Error e = nullptr;
  // A non-null true_path buffer makes libdwarf follow build-id/debuglink.
  int rc = dwarf_init_path(path.c_str(), true_path.data(), true_path.size(), DW_DLC_READ,
                           DW_GROUPNUMBER_ANY, nullptr, nullptr, &dbg_, nullptr, 0, nullptr, &e);
  if (rc == DW_DLV_OK) {
    true_path_ = true_path.data();
    if (true_path_.empty()) true_path_ = path;
    return;
  }
  dbg_ = nullptr;
  // The error of a failed init belongs to no Dwarf_Debug; libdwarf frees
  // it at exit, so only its text is kept.
  if (rc == DW_DLV_ERROR && e) error_ = dwarf_errmsg(e);
}

DwarfFile::~DwarfFile() {
  if (dbg_) dwarf_finish(dbg_, nullptr);
}

bool DwarfFile::next_cu() {
  Err err(dbg_);
  Dwarf_Unsigned header_length = 0, typeoffset = 0, next = 0;
  Dwarf_Half version = 0, address_size = 0, length_size = 0, extension_size = 0, cu_type = 0;
  Dwarf_Off abbrev = 0;
  Dwarf_Sig8 sig;
  int rc = dwarf_next_cu_header_d(dbg_, true, &header_length, &version, &abbrev, &address_size,
                                  &length_size, &extension_size, &sig, &typeoffset, &next,
                                  &cu_type, &err);
  if (rc != DW_DLV_OK) return false;
  cu_version_ = version;
  cu_address_size_ = address_size;
  return true;
}

Die DwarfFile::cu_die() const {
  Err err(dbg_);
  Dwarf_Die d = nullptr;
  if (dwarf_siblingof_b(dbg_, nullptr, true, &d, &err) != DW_DLV_OK) return {};
  return Die(dbg_, d);
}

Die DwarfFile::at(uint64_t offset) const {
  Err err(dbg_);
  Dwarf_Die d = nullptr;
  if (dwarf_offdie_b(dbg_, offset, true, &d, &err) != DW_DLV_OK) return {};
  return Die(dbg_, d);
}

}  // namespace cpydbg::dwarf
