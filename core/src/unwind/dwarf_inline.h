// InlineCallSource from the files' own DWARF, read here rather than with
// libdwarf (the gdb bridge cannot link it: gdb loads elfutils' libdw, whose
// functions share libdwarf's names). A lookup finds the compilation unit in
// .debug_aranges, then reads only the DIEs on the way down to the address:
// the subprogram, its lexical blocks and inlined calls, skipping every other
// DIE by its DW_AT_sibling. gdb expands the whole unit instead.
//
// The debug info is found where gdb finds it: in the file, else under each
// debug file directory by build-id, else by .gnu_debuglink. DWARF 2 to 5,
// compressed sections included. What it does not read (a dwz file's shared
// DIEs, a unit without aranges, a malformed DIE) makes the answer nullopt:
// the caller then asks the debugger.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "unwind/inline_calls.h"

namespace cpydbg::unwind {

class DwarfInlineCalls : public InlineCallSource {
 public:
  // `debug_dirs`: gdb's debug-file-directory, split at its ':'s.
  explicit DwarfInlineCalls(std::vector<std::string> debug_dirs = {"/usr/lib/debug"});
  ~DwarfInlineCalls() override;
  std::optional<InlineCalls> at(const std::string& path, uint64_t addr,
                                uint64_t return_pc = 0) override;
  std::optional<std::vector<CallSite>> tail_calls(const std::string& path, uint64_t addr) override;
  std::optional<VariableLocation> variable(const std::string& path, uint64_t addr, size_t depth,
                                           const std::string& name) override;

  class File;  // one file's DWARF sections and units

 private:
  File& file(const std::string& path);

  std::vector<std::string> debug_dirs_;
  std::map<std::string, std::unique_ptr<File>> files_;
};

}  // namespace cpydbg::unwind
