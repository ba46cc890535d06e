// A Target over a core file, with no debugger: memory from the core's
// PT_LOAD segments, and for what the core left out (file mappings the
// kernel or gcore did not dump, such as read-only data) the mapped file's
// own bytes; symbols from the files its NT_FILE note lists. It serves
// cpydbg-layout generate --from-debug-offsets; inside gdb and LLDB the
// debugger's own core support is the Target.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpydbg/target.h"
#include "elf/elf_file.h"
#include "target/module_symbols.h"

namespace cpydbg {

class CoreFileTarget : public Target {
 public:
  // ok() says whether `path` is a readable ELF core file.
  explicit CoreFileTarget(const std::string& path);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  bool read(uint64_t addr, void* buf, size_t size) override;
  std::optional<uint64_t> symbol(std::string_view name) override { return symbols_.find(name); }
  std::optional<uint64_t> api_symbol(std::string_view name) override {
    return symbols_.find_api(name);
  }
  std::vector<std::string> module_paths() override { return symbols_.paths(); }

  // The file mappings of the NT_FILE note.
  const std::vector<Mapping>& mappings() const { return symbols_.mappings(); }

 private:
  // One byte range at `addr`, from the core or a mapped file; the count read.
  size_t read_some(uint64_t addr, uint8_t* buf, size_t size);
  const ElfFile* mapped_file(const std::string& path);

  ElfFile core_;
  std::string error_;
  ModuleSymbols symbols_;
  std::map<std::string, std::unique_ptr<ElfFile>> files_;
};

}  // namespace cpydbg
