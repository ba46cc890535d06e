// A thin RAII layer over libdwarf 20210528: one open DWARF file and DIE
// handles that free themselves. Every libdwarf error is turned into
// "absent" (an empty optional/false) because a layout generator must keep
// going past one odd DIE and report what it could not find.
#pragma once

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include <cstdint>
#include <optional>
#include <string>

namespace cpydbg::dwarf {

class Die {
 public:
  Die() = default;
  Die(Dwarf_Debug dbg, Dwarf_Die die) : dbg_(dbg), die_(die) {}
  Die(const Die&) = delete;
  Die& operator=(const Die&) = delete;
  Die(Die&& o) noexcept : dbg_(o.dbg_), die_(o.die_) { o.die_ = nullptr; }
  Die& operator=(Die&& o) noexcept;
  ~Die();

  explicit operator bool() const { return die_ != nullptr; }
  Dwarf_Die raw() const { return die_; }

  Dwarf_Half tag() const;
  uint64_t offset() const;          // global .debug_info offset
  std::string name() const;         // "" when unnamed
  bool has(Dwarf_Half attr) const;
  std::string string(Dwarf_Half attr) const;  // a string attribute, "" when absent
  bool flag(Dwarf_Half attr) const; // DW_FORM_flag / flag_present
  // An integer attribute in any constant form (data1..8, udata, sdata,
  // implicit_const), sign-extended only for signed forms.
  std::optional<int64_t> constant(Dwarf_Half attr) const;
  // The same, but dataN forms are read as signed (for enumerators of
  // signed enums).
  std::optional<int64_t> signed_constant(Dwarf_Half attr) const;
  // DW_AT_data_member_location as a constant or a DW_OP_plus_uconst /
  // DW_OP_constu expression (DWARF 2/3 producers).
  std::optional<int64_t> member_location() const;
  // A reference attribute (DW_AT_type, DW_AT_abstract_origin ...) as a
  // global .debug_info offset.
  std::optional<uint64_t> ref(Dwarf_Half attr) const;

  Die child() const;
  Die sibling() const;

 private:
  Dwarf_Debug dbg_ = nullptr;
  Dwarf_Die die_ = nullptr;
};

class DwarfFile {
 public:
  // Opens `path`; when it has no DWARF itself, libdwarf follows the
  // build-id and .gnu_debuglink to a separate debug file. found() is false
  // when no DWARF was found anywhere.
  explicit DwarfFile(const std::string& path);
  DwarfFile(const DwarfFile&) = delete;
  DwarfFile& operator=(const DwarfFile&) = delete;
  ~DwarfFile();

  bool found() const { return dbg_ != nullptr; }
  const std::string& true_path() const { return true_path_; }  // the file the DWARF is in
  const std::string& error() const { return error_; }
  Dwarf_Debug raw() const { return dbg_; }

  // Iterate CUs: call next_cu() until it returns false, cu_die() for the
  // current one.
  bool next_cu();
  Die cu_die() const;
  int cu_version() const { return cu_version_; }
  int cu_address_size() const { return cu_address_size_; }

  Die at(uint64_t offset) const;

 private:
  Dwarf_Debug dbg_ = nullptr;
  std::string true_path_;
  std::string error_;
  int cu_version_ = 0;
  int cu_address_size_ = 0;
};

}  // namespace cpydbg::dwarf
