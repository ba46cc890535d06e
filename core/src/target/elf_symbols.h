// The symbol table of one ELF file on disk (.symtab and .dynsym, local
// symbols included: 2.7's interp_head and 3.11's _PyOpcode_Deopt are static)
// plus its PT_LOAD segments for computing the load bias. Parsed once per file
// and shared process-wide: a debugger session attaches to many processes of
// the same interpreter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "elf/elf_file.h"

namespace cpydbg {

class ElfSymbols {
 public:
  // Null when the file cannot be read or is not a 64-bit little-endian ELF.
  // Cached by path, inode and modification time.
  static std::shared_ptr<const ElfSymbols> load(const std::string& path);

  // Link-time address (st_value) of a defined data or function symbol. A
  // global definition wins over a local one of the same name.
  std::optional<uint64_t> find(std::string_view name) const;

  // The function symbol whose extent [value, value + size) holds link-time
  // address `vaddr`; "" when none does. Of aliases, a global name wins.
  std::string_view function_at(uint64_t vaddr) const;
  // True when `vaddr` lies in one of the file's PT_LOAD segments.
  bool contains(uint64_t vaddr) const;

  // Load bias for a mapping of file offset `offset` at `start`; nullopt when
  // no PT_LOAD segment covers that offset.
  std::optional<uint64_t> bias(uint64_t start, uint64_t offset) const;

  // File offset of the `size` bytes at link-time address `vaddr`, when they
  // lie in the file-backed part of one read-only PT_LOAD segment: what a core
  // file leaves out (unmodified file mappings) is then the file's own bytes.
  std::optional<uint64_t> read_only_file_offset(uint64_t vaddr, uint64_t size) const;

  size_t size() const { return globals_.size() + locals_.size(); }

 private:
  void index(const ElfFile& elf);

  struct Function {
    uint64_t start = 0, size = 0;
    bool local = false;
    std::string name;
  };
  std::vector<ElfSegment> loads_;
  std::unordered_map<std::string, uint64_t> globals_, locals_;
  std::vector<Function> functions_;  // by start address
};

}  // namespace cpydbg
