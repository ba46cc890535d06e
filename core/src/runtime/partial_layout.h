// A partial layout table built from a process's own _Py_DebugOffsets, for a
// 3.13+ Python that has no table (or whose built-in table is switched off
// or not trusted). It holds the offsets and sizes the block gives and, beyond
// them, only facts that no build of that minor version can change, each
// listed by partial_layout_facts(). What it lacks stays absent: the commands
// that need it refuse with one line (runtime/coverage.h), never guess.
// Built straight into the Layout model, no JSON in between.
#pragma once

#include <string>
#include <vector>

#include "cpydbg/layout.h"
#include "runtime/debug_offsets.h"
#include "target/reader.h"

namespace cpydbg {

inline constexpr const char* kPartialFromDebugOffsets = "_Py_DebugOffsets";

// `mem` is read for the one configure-time choice the block leaves out: the
// size of an int's digit (PyLong_Type.tp_itemsize); without it ints stay
// uncovered.
Layout partial_layout(const DebugOffsets& offsets, const Flavour& flavour, Reader& mem);

// What a partial table of this version holds beyond the block's own
// entries, one line each ("PyObject.ob_refcnt: the word before ob_type ...").
std::vector<std::string> partial_layout_facts(const Layout& layout);

}  // namespace cpydbg
