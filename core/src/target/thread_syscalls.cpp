#include "target/thread_syscalls.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace cpydbg {

std::optional<ThreadSyscall> proc_thread_syscall(int pid, uint64_t lwp) {
#if defined(__x86_64__)
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(lwp) + "/syscall";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char text[256];
  ssize_t got = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (got <= 0) return std::nullopt;
  text[got] = '\0';
  // "NR ARG1 … ARG6 SP PC" (the arguments in hex), "-1 SP PC" outside a
  // system call, "running" when the thread is not stopped.
  ThreadSyscall call;
  long long number = 0;
  unsigned long long a[6] = {};
  int n = std::sscanf(text, "%lld %llx %llx %llx %llx %llx %llx", &number, &a[0], &a[1], &a[2],
                      &a[3], &a[4], &a[5]);
  if (n < 1) return std::nullopt;
  call.number = number < 0 ? -1 : number;
  if (call.number >= 0 && n < 7) return std::nullopt;
  for (int i = 0; i < 6; ++i) call.args[i] = a[i];
  return call;
#else
  (void)pid;
  (void)lwp;
  return std::nullopt;
#endif
}

std::unordered_map<uint64_t, UserRegs> core_thread_registers(const ElfFile& core) {
  std::unordered_map<uint64_t, UserRegs> out;
  if (core.arch() != "x86_64") return out;
  // struct elf_prstatus (linux/elfcore.h) on x86-64: pr_pid at 32, then
  // pr_reg, a struct user_regs_struct, at 112.
  constexpr size_t kPid = 32, kRegs = 112, kSize = kRegs + sizeof(UserRegs);
  for (std::string_view note : core.notes(NT_PRSTATUS, "CORE")) {
    if (note.size() < kSize) continue;
    int32_t pid;
    std::memcpy(&pid, note.data() + kPid, 4);
    UserRegs regs;
    std::memcpy(regs.data(), note.data() + kRegs, sizeof regs);
    out[uint64_t(uint32_t(pid))] = regs;
  }
  return out;
}

ThreadSyscall syscall_in(const UserRegs& regs) {
  // user_regs_struct's indices of the system call's number and arguments.
  constexpr size_t kOrigRax = 15, kArgs[6] = {14 /*rdi*/, 13 /*rsi*/, 12 /*rdx*/, 7 /*r10*/,
                                               9 /*r8*/, 8 /*r9*/};
  ThreadSyscall call;
  call.number = int64_t(regs[kOrigRax]);
  if (call.number < 0) call.number = -1;
  for (size_t i = 0; i < 6; ++i) call.args[i] = regs[kArgs[i]];
  return call;
}

std::optional<UserRegs> CoreThreadRegisters::of(uint64_t lwp, const CorePath& core_path) {
  if (!by_lwp_) {
    std::string path = core_path();
    by_lwp_ = path.empty() ? std::unordered_map<uint64_t, UserRegs>{}
                           : core_thread_registers(ElfFile(path));
  }
  auto it = by_lwp_->find(lwp);
  if (it == by_lwp_->end()) return std::nullopt;
  return it->second;
}

std::string mapped_core_file(const std::vector<uint64_t>& lwps) {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> seen;
  for (std::string line; std::getline(maps, line);) {
    // start-end perms offset dev inode path: a file mapped from offset 0, not
    // a device (reading one could block).
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    if (path.empty() || path[0] != '/' || path.rfind("/dev/", 0) == 0 ||
        offset.find_first_not_of('0') != std::string::npos || !seen.insert(path).second)
      continue;
    // Only an ELF core will do: its header says so in 18 bytes.
    unsigned char ident[18] = {};
    std::ifstream head(path, std::ios::binary);
    if (!head.read(reinterpret_cast<char*>(ident), sizeof ident) ||
        std::memcmp(ident, ELFMAG, SELFMAG) != 0 || (ident[16] | ident[17] << 8) != ET_CORE)
      continue;
    auto threads = core_thread_registers(ElfFile(path));
    if (!lwps.empty() && std::all_of(lwps.begin(), lwps.end(),
                                     [&](uint64_t lwp) { return threads.count(lwp) != 0; }))
      return path;
  }
  return "";
}

}  // namespace cpydbg
