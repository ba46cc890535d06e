// cpydbg::Target over LLDB's SB API: one process of one SBTarget (live or a
// core file). Every SB call can fail; failures become false / nullopt, never
// exceptions, as the Target contract asks.
#pragma once

#include <lldb/API/LLDB.h>

#include <memory>

#include "cpydbg/target.h"
#include "target/module_symbols.h"
#include "target/thread_syscalls.h"

namespace cpydbg::lldb_plugin {

class LldbTarget final : public Target {
 public:
  LldbTarget(lldb::SBTarget target, lldb::SBProcess process)
      : target_(target), process_(process) {}

  bool read(uint64_t addr, void* buf, size_t size) override;
  bool write(uint64_t addr, const void* buf, size_t size) override;
  ProcessKind process_kind() override;
  std::optional<uint64_t> symbol(std::string_view name) override;
  std::optional<uint64_t> api_symbol(std::string_view name) override {
    return modules().find_api(name);
  }
  std::optional<SelectedThread> selected_thread() override;
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override;
  uint64_t generation() override;
  std::vector<std::string> module_paths() override;
  std::vector<uint64_t> thread_lwps() override;
  std::vector<NativeFrame> native_frames(uint64_t lwp, size_t max) override;
  std::vector<FrameValues> native_frame_values(uint64_t lwp, const std::vector<size_t>& levels,
                                               const std::vector<std::string>& names) override;
  bool select_native_frame(size_t level) override;
  std::optional<size_t> selected_native_level() override;
  CodeSymbol symbol_at(uint64_t addr) override { return modules().symbol_at(addr); }
  std::optional<ThreadSyscall> thread_syscall(uint64_t lwp) override;

 private:
  lldb::SBFrame selected_frame();
  // The symbols and read-only file contents of every loaded module, from
  // the files themselves (as the gdb bridge reads them): LLDB only says
  // which file is loaded where. Its own symbol addresses are wrong for
  // distro-stripped files (it places them in the wrong section).
  ModuleSymbols& modules();

  lldb::SBTarget target_;
  lldb::SBProcess process_;
  std::unique_ptr<ModuleSymbols> modules_;
  uint32_t modules_stop_id_ = 0;  // the module list of a live process changes as it runs
  uint32_t modules_count_ = 0;
  CoreThreadRegisters core_registers_;
};

}  // namespace cpydbg::lldb_plugin
