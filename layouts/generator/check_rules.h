// Consistency rules for one layout table (cpydbg-layout check).
#pragma once

#include <string>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg::tool {

// Every problem found, one line each; empty when the table is good.
std::vector<std::string> check_layout(const Layout& layout);
// Things worth knowing that do not make the table bad.
std::vector<std::string> check_warnings(const Layout& layout);

}  // namespace cpydbg::tool
