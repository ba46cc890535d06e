// Loading a table named on the command line: a JSON file path, or the name
// of a table the registry knows (built-in or $CPYDBG_LAYOUTS).
#pragma once

#include <string>

#include "cpydbg/layout.h"

namespace cpydbg::tool {

// Throws LayoutError naming the argument when it is neither.
// `origin` (optional) receives the file path or "built-in".
Layout load_table(const std::string& arg, std::string* origin = nullptr);

// The table name a file stem should carry ("cpython-3.11-debug-x86_64");
// a stem may add a variant after the series ("cpython-3.11-debian-x86_64").
bool stem_matches(const std::string& stem, const Layout& layout);

// The name a generated table gets: "cpython-3.11-x86_64", with a variant
// "cpython-3.11-debian-x86_64".
std::string table_name(const Layout& layout, const std::string& variant);

}  // namespace cpydbg::tool
