// cpydbg::Target over LLDB's SB API: one process of one SBTarget (live or a
// core file). Every SB call can fail; failures become false / nullopt, never
// exceptions, as the Target contract asks.
#pragma once

#include <lldb/API/LLDB.h>

#include "cpydbg/target.h"

namespace cpydbg::lldb_plugin {

class LldbTarget final : public Target {
 public:
  LldbTarget(lldb::SBTarget target, lldb::SBProcess process)
      : target_(target), process_(process) {}

  bool read(uint64_t addr, void* buf, size_t size) override;
  std::optional<uint64_t> symbol(std::string_view name) override;
  std::optional<SelectedThread> selected_thread() override;
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override;
  uint64_t generation() override;
  std::vector<std::string> module_paths() override;
  std::vector<FrameValues> native_frame_values(std::string_view function,
                                               const std::vector<std::string>& names) override;

 private:
  lldb::SBFrame selected_frame();
  bool read_from_file(uint64_t addr, void* buf, size_t size);

  lldb::SBTarget target_;
  lldb::SBProcess process_;
};

}  // namespace cpydbg::lldb_plugin
