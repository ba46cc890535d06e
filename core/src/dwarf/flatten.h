// One struct DIE -> StructInfo with every member flattened into dotted
// names and offsets from the outermost struct.
#pragma once

#include <functional>

#include "cpydbg/layout.h"
#include "dwarf/types.h"

namespace cpydbg::dwarf {

struct FlattenLimits {
  int max_depth = 3;         // nesting levels turned into dotted names
  size_t max_members = 100;  // larger aggregates stay a single field
};

// `complete` maps an incomplete struct/union DIE (DW_AT_declaration) to the
// offset of its definition elsewhere, if any.
using CompleteFn = std::function<std::optional<uint64_t>(uint64_t)>;

StructInfo flatten_struct(const DwarfFile& file, TypeCache& types, uint64_t struct_die,
                          const FlattenLimits& limits, const CompleteFn& complete);

}  // namespace cpydbg::dwarf
