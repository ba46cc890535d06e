// pthread_t of a thread, found from its kernel id the way libthread_db does
// it: glibc describes its own thread structures in `_thread_db_*` data
// symbols, and keeps every thread's `struct pthread` on two lists in
// `_rtld_global` (before 2.34: libpthread's `__stack_user`/`stack_used`).
// For front ends whose debugger does not expose the fs_base register (LLDB
// 14); works from plain memory and symbols, so core files too.
#pragma once

#include <cstdint>
#include <optional>

#include "cpydbg/target.h"

namespace cpydbg {

std::optional<uint64_t> glibc_pthread_of(Target& target, uint64_t lwp);
// The other way: the kernel id glibc keeps in the thread's struct pthread.
std::optional<uint64_t> glibc_tid_of(Target& target, uint64_t pthread);

}  // namespace cpydbg
