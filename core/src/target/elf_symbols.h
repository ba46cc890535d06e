// The symbol table of one ELF file on disk (.symtab and .dynsym, local
// symbols included: 2.7's interp_head and 3.11's _PyOpcode_Deopt are static)
// plus its PT_LOAD segments for computing the load bias. Parsed once per file
// and shared process-wide: a debugger session attaches to many processes of
// the same interpreter.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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

  size_t size() const { return names_indexed_; }  // distinct names

 private:
  void index(const ElfFile& elf);
  void insert(std::string_view name, uint64_t value, uint64_t size, bool local, bool function);

  // Built in one pass over the file's tables with a handful of allocations
  // (attaching looks a score of names up in every mapped file, so building
  // this dominates): the names in one arena, an open-addressing index over
  // them. The file is not kept mapped: truncated under us, it would SIGBUS.
  struct Symbol {
    uint64_t value = 0;
    uint32_t name = 0, name_size = 0;  // in names_
    uint32_t size = 0;                 // functions: their extent (saturated)
    bool local = false, function = false;
  };
  std::string_view name_of(const Symbol& s) const {
    return std::string_view(names_).substr(s.name, s.name_size);
  }
  std::vector<ElfSegment> loads_;
  std::string names_;
  // Every distinct definition (a static function may share its name with
  // others); the index holds the one a lookup of the name finds.
  std::vector<Symbol> symbols_;
  std::vector<uint32_t> slots_;  // symbol + 1 by name hash, 0 = empty; a power of two
  size_t names_indexed_ = 0;
  // The function symbols by start address (at one start, the global alias
  // first), sorted on first use: only native stacks ask.
  mutable std::once_flag functions_sorted_;
  mutable std::vector<uint32_t> functions_;
  const std::vector<uint32_t>& functions_by_address() const;
};

}  // namespace cpydbg
