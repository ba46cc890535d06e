// C spellings and byte sizes of DWARF types, cached by DIE offset (a table
// asks for the same few hundred types over and over).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dwarf/dwarf_file.h"

namespace cpydbg::dwarf {

class TypeCache {
 public:
  TypeCache(const DwarfFile& file, int address_size) : file_(file), address_size_(address_size) {}

  // "PyObject *", "Py_ssize_t", "char[8]", "void (*)()"; "void" for none.
  std::string spell(std::optional<uint64_t> type);
  // Bytes; arrays without a bound (flexible) are 0; nullopt when unknown.
  std::optional<uint64_t> size(std::optional<uint64_t> type);
  // Follow typedef/const/volatile/restrict/_Atomic to the real type.
  std::optional<uint64_t> strip(std::optional<uint64_t> type);
  Dwarf_Half tag(uint64_t type);

 private:
  std::string spell_uncached(uint64_t type, int depth);
  std::optional<uint64_t> size_uncached(uint64_t type, int depth);

  const DwarfFile& file_;
  int address_size_;
  std::unordered_map<uint64_t, std::string> spelled_;
  std::unordered_map<uint64_t, std::optional<uint64_t>> sizes_;
  std::unordered_map<uint64_t, Dwarf_Half> tags_;
};

// Array dimensions of a DW_TAG_array_type DIE: element counts, 0 for an
// unbounded (flexible) dimension.
std::vector<uint64_t> array_dims(const Die& array);

}  // namespace cpydbg::dwarf
