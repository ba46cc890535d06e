// The system call each thread of a stopped x86-64 Linux process is in, read
// without the debugger: /proc/<pid>/task/<tid>/syscall for a live process,
// the registers (orig_rax, the argument registers) of each NT_PRSTATUS note
// of a core (kept: the native unwinder starts from them). Thread states need no more for a thread blocked in the kernel,
// and gdb takes about a millisecond to switch to a thread and unwind it.
#pragma once

#include <array>
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

// struct user_regs_struct of x86-64 (asm/user_64.h), as a core's
// NT_PRSTATUS notes and PTRACE_GETREGS give it.
using UserRegs = std::array<uint64_t, 27>;

// Each thread's registers by kernel thread id; empty for a core of another
// architecture.
std::unordered_map<uint64_t, UserRegs> core_thread_registers(const ElfFile& core);

// The system call in a thread's registers.
ThreadSyscall syscall_in(const UserRegs& regs);

// A core's threads' registers, read from the core on first use (a core does
// not change): their system calls, and where the native unwinder starts.
class CoreThreadRegisters {
 public:
  // `core_path` is asked once, on first use ("": no core, no answers).
  using CorePath = std::function<std::string()>;
  std::optional<UserRegs> of(uint64_t lwp, const CorePath& core_path);
  std::optional<ThreadSyscall> syscall(uint64_t lwp, const CorePath& core_path) {
    auto regs = of(lwp, core_path);
    return regs ? std::optional(syscall_in(*regs)) : std::nullopt;
  }

 private:
  std::optional<std::unordered_map<uint64_t, UserRegs>> by_lwp_;
};

// The path of a core file of threads `lwps` that this process (the debugger)
// has mapped, "" when none: LLDB maps the core it opens, and names it nowhere
// in its API.
std::string mapped_core_file(const std::vector<uint64_t>& lwps);

}  // namespace cpydbg
