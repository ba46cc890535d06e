// Py_DEBUG / Py_TRACE_REFS / Py_GIL_DISABLED, decided from what the DWARF
// contains (never from file names).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "cpydbg/layout.h"
#include "dwarf/index.h"

namespace cpydbg::dwarf {

// Variable/function names the index should note for detect_flavour.
const std::set<std::string>& flavour_markers();

// `layout` must already hold the structs. Appends why to `notes`.
Flavour detect_flavour(const Layout& layout, const DwarfIndex& index,
                       std::vector<std::string>& notes);

}  // namespace cpydbg::dwarf
