// LLDB type summaries for the CPython pointer types (`frame variable v`,
// `p v`, `bt`'s argument values show the Python value), from C++ callbacks
// (LLDB's embedded Python is not needed), in a category of their own:
// `type category disable cpydbg` switches them off.
#pragma once

#include <lldb/API/LLDB.h>

#include "sessions.h"

namespace cpydbg::lldb_plugin {

// Create the "cpydbg" category with a summary for a pointer to each of
// Session::summarized_types(), formatted by `sessions`, and enable it.
bool register_summaries(lldb::SBDebugger debugger, Sessions& sessions);

}  // namespace cpydbg::lldb_plugin
