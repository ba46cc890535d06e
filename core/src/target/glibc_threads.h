// pthread_t of a thread, found from its kernel id the way libthread_db does
// it: glibc describes its own thread structures in `_thread_db_*` data
// symbols, and keeps every thread's `struct pthread` on two lists in
// `_rtld_global`. Needed where the debugger does not expose the fs_base
// register (LLDB 14); works from plain memory, so core files too.
#pragma once

#include <cstdint>
#include <optional>

#include "cpydbg/target.h"

namespace cpydbg::lldb_plugin {

std::optional<uint64_t> glibc_pthread_of(Target& target, uint64_t lwp);

}  // namespace cpydbg::lldb_plugin
