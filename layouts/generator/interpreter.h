// Finding the python executable that belongs to a build, for the opcode
// probe (the bytecode tables are not in DWARF).
#pragma once

#include <string>

namespace cpydbg::tool {

// `file` itself when it is a python executable; else <prefix>/bin/pythonX.Y
// (or pythonX) next to a <prefix>/lib/libpythonX.Y*.so; "" when none.
std::string find_interpreter(const std::string& file, int major, int minor);

}  // namespace cpydbg::tool
