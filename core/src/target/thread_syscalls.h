// The system call each thread of a stopped x86-64 Linux process is in, read
// without the debugger: /proc/<pid>/task/<tid>/syscall for a live process,
// the registers (orig_rax, the argument registers) of each NT_PRSTATUS note
// of a core. Thread states need no more for a thread blocked in the kernel,
// and gdb takes about a millisecond to switch to a thread and unwind it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpydbg/target.h"
#include "elf/elf_file.h"

namespace cpydbg {

using ThreadSyscall = Target::ThreadSyscall;

// Nullopt when the file cannot be read (no such thread, no permission, not x86-64).
std::optional<ThreadSyscall> proc_thread_syscall(int pid, uint64_t lwp);

// By kernel thread id; empty for a core of another architecture.
std::unordered_map<uint64_t, ThreadSyscall> core_thread_syscalls(const ElfFile& core);

// The system calls of a core's threads, read from the core on first use (a
// core does not change).
class CoreThreadSyscalls {
 public:
  // `core_path` is asked once, on first use ("": no core, no answers).
  std::optional<ThreadSyscall> of(uint64_t lwp, const std::function<std::string()>& core_path);

 private:
  std::optional<std::unordered_map<uint64_t, ThreadSyscall>> by_lwp_;
};

// The path of a core file of threads `lwps` that this process (the debugger)
// has mapped, "" when none: LLDB maps the core it opens, and names it nowhere
// in its API.
std::string mapped_core_file(const std::vector<uint64_t>& lwps);

}  // namespace cpydbg
