// LLDB hands a plugin command its arguments already split into words, with
// quotes removed. The core wants the line as typed, so put it back together,
// re-quoting words that would otherwise split differently.
#pragma once

#include <string>

namespace cpydbg::lldb_plugin {

std::string join_arguments(char** argv);

}  // namespace cpydbg::lldb_plugin
