// What each command, and each family of objects the formatter prints, needs
// from the layout table; for a partial table (one built from
// _Py_DebugOffsets) which of that is missing. A command whose feature is
// missing refuses with one line naming what, and an object whose family is
// missing prints as a marker instead of a guessed repr. A full table holds
// everything its version needs (cpydbg-layout check sees to it), so it
// covers everything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg {

enum class Feature : uint8_t {
  Stack,       // threads, frames, code names and line numbers
  Locals,      // a frame's arguments, locals and cells
  ValueStack,  // pyopstack: bytecode, stack depth, the value stack
  Globals,     // py-print of globals and builtins
  ThreadNames, // the threading module's names in pystack -a
  // The formatter's families.
  Int, Float, Complex, Str, Bytes, ByteArray, Tuple, List, Dict, Set, Range, Slice, MemoryView,
  Weakref, Function, Method, CFunction, MethodWrapper, Code, Frame, Generator, Module, Type,
  Exception,
  Instance, Cell,
  kCount
};

class Coverage {
 public:
  explicit Coverage(const Layout& layout);

  bool has(Feature f) const { return missing_[size_t(f)].empty(); }
  // "PyDictKeysObject.dk_log2_size", … ("opcode tables" for the bytecode).
  const std::vector<std::string>& missing(Feature f) const { return missing_[size_t(f)]; }
  // The one line a command refusing `f` prints: what needs what, and how to
  // get a table that has it.
  std::string refusal(Feature f) const;
  // The features a partial table leaves out, as pyinfo lists them.
  std::vector<Feature> uncovered() const;

  // "pyopstack", "dict objects": what the user asked for.
  static const char* describe(Feature f);

 private:
  std::vector<std::string> missing_[size_t(Feature::kCount)];
  std::string python_version_, source_;
};

}  // namespace cpydbg
