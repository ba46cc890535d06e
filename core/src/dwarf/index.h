// One pass over every compile unit's top-level DIEs, remembering where the
// named types and a few marker symbols are. C keeps types at CU level, so
// this skips the bodies of functions entirely; later lookups jump straight
// to a DIE by its offset.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "dwarf/dwarf_file.h"

namespace cpydbg::dwarf {

struct DwarfIndex {
  // "struct X" / "union X" / "enum X" -> a complete definition.
  std::unordered_map<std::string, uint64_t> tags;
  // Incomplete (declaration) tags, so a typedef to one can be completed.
  std::unordered_map<uint64_t, std::string> declarations;
  std::unordered_map<std::string, uint64_t> typedefs;
  // Global variables and functions whose names are in `markers` below.
  std::set<std::string> symbols;
  std::string producer;
  int dwarf_min = 0, dwarf_max = 0, address_size = 0;
  size_t cus = 0;

  // The complete definition for a tag name or for the declaration at `off`.
  std::optional<uint64_t> complete(uint64_t off) const;
};

// `markers`: the variable/function names worth noting (flavour detection).
DwarfIndex build_index(DwarfFile& file, const std::set<std::string>& markers);

}  // namespace cpydbg::dwarf
