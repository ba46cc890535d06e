// A Target over a live process by pid, with no debugger in between: memory
// through pread(2) on /proc/<pid>/mem (one syscall per cached page, far
// cheaper than a debugger round trip) and symbols from the ELF .symtab and
// .dynsym of every file mapped in /proc/<pid>/maps. The gdb bridge uses it
// for fast reads of a process gdb has stopped; tests use it directly.
//
// The process may be stopped or running; reads of a running process are as
// consistent as the caller makes them (call refresh() after it ran).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpydbg/target.h"
#include "target/module_symbols.h"

namespace cpydbg {

class LiveProcessTarget : public Target {
 public:
  // Opens /proc/<pid>/mem and reads the maps. ok() says whether it worked.
  explicit LiveProcessTarget(int pid);
  ~LiveProcessTarget() override;
  LiveProcessTarget(const LiveProcessTarget&) = delete;
  LiveProcessTarget& operator=(const LiveProcessTarget&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  int pid() const { return pid_; }

  bool read(uint64_t addr, void* buf, size_t size) override;
  bool write(uint64_t addr, const void* buf, size_t size) override;
  ProcessKind process_kind() override { return ProcessKind::Live; }
  std::optional<uint64_t> symbol(std::string_view name) override;
  std::optional<uint64_t> api_symbol(std::string_view name) override {
    return symbols_.find_api(name);
  }
  std::optional<SelectedThread> selected_thread() override;
  uint64_t generation() override { return generation_; }
  std::vector<std::string> module_paths() override;
  CodeSymbol symbol_at(uint64_t addr) override { return symbols_.symbol_at(addr); }
  std::optional<ThreadSyscall> thread_syscall(uint64_t lwp) override;

  // The process may have run: re-read the maps (libraries come and go) and
  // change generation() so readers drop their cached pages.
  void refresh();

  const std::vector<Mapping>& mappings() const { return symbols_.mappings(); }
  ModuleSymbols& modules() { return symbols_; }

 private:
  void read_maps();

  int pid_;
  int fd_ = -1;
  int write_fd_ = -1;  // opened on the first write: most sessions never write
  std::string error_;
  uint64_t generation_ = 1;
  ModuleSymbols symbols_;  // in map order: the executable first
};

}  // namespace cpydbg
