// Capturing the bytecode facts (OpcodeTable) of one CPython build.
//
// The opcode numbering, stack effects and cache sizes are not in DWARF; the
// build's own `opcode`/`dis` modules know them. collect_opcodes runs the
// build's interpreter with an embedded probe script (layouts/opcode_probe.py,
// compiled into the binary so an installed generator needs no data files),
// then cross-checks what the interpreter said against the tables the binary
// itself carries (_PyOpcode_Deopt, _PyOpcode_Caches in .symtab, 3.11+).
// Lives in cpydbg_dwarf: only the generator and tests link it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg {

// interpreter:       path of the python executable of the build.
// elf_with_symbols:  file with .symtab (libpython or the executable, or its
//                    separate debug file); "" skips the symbol cross-check.
// version_hex:       PY_VERSION_HEX of the build; the probe's own version
//                    must have the same major.minor or LayoutError is thrown.
// notes:             when non-null, receives one line per oddity found
//                    (opcodes whose stack effect does not fit StackEffect,
//                    symbol/interpreter disagreements, missing symbols).
// Throws LayoutError when the interpreter cannot be run or its output is
// unusable.
OpcodeTable collect_opcodes(const std::string& interpreter,
                            const std::string& elf_with_symbols,
                            uint32_t version_hex,
                            std::vector<std::string>* notes);

// The probe script's text (embedded at build time), for debugging and tests.
const std::string& opcode_probe_script();

}  // namespace cpydbg
