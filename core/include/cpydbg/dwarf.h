// DWARF -> Layout: read a CPython build's debug info (libpython, a python
// executable or a separate .debug file) and fill the struct/enum/constant
// part of a layout table. Lives in the cpydbg_dwarf library, which only the
// generator and tests link (it pulls in libdwarf).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg {

// A struct or enum to record: the table key and the DWARF names to look for,
// in order of preference. A plain name matches a typedef first, then a
// struct/union/enum tag of that name; "struct X"/"union X"/"enum X" match
// only the tag.
struct WantedType {
  std::string key;
  std::vector<std::string> names;
};

const std::vector<WantedType>& default_wanted_structs();
const std::vector<WantedType>& default_wanted_enums();

struct ExtractOptions {
  std::vector<WantedType> structs = default_wanted_structs();
  std::vector<WantedType> enums = default_wanted_enums();
  int max_depth = 3;          // levels of nested aggregates flattened into dotted names
  size_t max_members = 100;   // an aggregate with more members stays one field
  // ELF file to read the version from when `path` is a separate .debug file
  // (whose .text/.rodata hold no data). Default: `path` itself.
  std::string version_from;
  // Force the version ("3.11.2"); empty = detect from the ELF.
  std::string version;
  // Refuse DWARF without PyObject (false only for test fixtures).
  bool require_cpython = true;
};

// What extraction found and did not find, for the generator to report.
struct ExtractReport {
  std::string dwarf_path;                    // the file the DWARF came from
  std::vector<std::string> missing_structs;  // wanted keys absent from this build
  std::vector<std::string> missing_enums;
  std::vector<std::string> notes;            // how version/flavour were decided, oddities
  int dwarf_version_min = 0, dwarf_version_max = 0;
  size_t compile_units = 0;
};

// No DWARF anywhere we (and libdwarf) looked. what() is one line naming the
// places searched and what to install.
class NoDebugInfoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws NoDebugInfoError when there is no DWARF, LayoutError when the DWARF
// holds no CPython (no PyObject) or the version cannot be determined.
// The returned layout's `opcodes` are left empty.
Layout extract_layout(const std::string& path, const ExtractOptions& options = {},
                      ExtractReport* report = nullptr);

// PY_VERSION_HEX of a CPython ELF file from its own data (Py_Version, or
// the PY_VERSION string that Py_GetVersion formats), 0 when not found.
// `how` (optional) receives where the value came from.
uint32_t detect_version_hex(const std::string& elf_path, std::string* how = nullptr);

}  // namespace cpydbg
