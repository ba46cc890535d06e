// The symbol tables of one ELF file on disk (.symtab and .dynsym, local
// symbols included: 2.7's interp_head and 3.11's _PyOpcode_Deopt are static)
// plus its PT_LOAD segments for computing the load bias. Read once per file
// and shared process-wide: a debugger session attaches to many processes of
// the same interpreter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
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
  // The same among the symbols the file exports (.dynsym) only: what the
  // Python API's names are everywhere, stripped builds included.
  std::optional<uint64_t> find_exported(std::string_view name) const;

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

  using FileIdentity = std::tuple<uint64_t, uint64_t, int64_t, int64_t>;  // dev, inode, mtime

 private:
  // The symbols of one or both tables, read in one pass with a handful of
  // allocations (the names in one arena). Names are looked up by scanning
  // them until lookups that many would cost what an index does; then an
  // open-addressing index is built: its probes land at random in a table of
  // half a megabyte, a cache miss each, and libpython's 22,000 entries take
  // a millisecond, most of a first native stack that asks for a static name
  // or two (a call site's target) and never again.
  struct Index {
    struct Symbol {
      uint64_t value = 0;
      uint32_t name = 0, name_size = 0;  // in names
      uint32_t size = 0;                 // functions: their extent (saturated)
      bool local = false, function = false;
    };
    std::string names;
    // Every definition in table order (.dynsym repeats .symtab's globals; a
    // static function may share its name with others). A lookup finds the
    // first global one, else the first.
    std::vector<Symbol> symbols;
    struct Slot {
      uint32_t hash = 0;    // beside the symbol: names are compared only when it matches
      uint32_t symbol = 0;  // + 1; 0 = empty
    };
    mutable std::vector<Slot> slots;  // a power of two of them, by name hash
    mutable std::atomic<unsigned> scans{0};
    mutable std::once_flag hashed;

    void build(const ElfFile& elf, bool exported_only);
    std::optional<uint64_t> find(std::string_view name) const;
    std::optional<uint64_t> scan(std::string_view name) const;
    void hash() const;
    std::string_view name_of(const Symbol& s) const {
      return std::string_view(names).substr(s.name, s.name_size);
    }
  };

  // Attaching looks a score of exported names up in every mapped file, and
  // indexing libpython's .symtab (15,000 symbols) would be most of its time:
  // exported names are found through the file's own hash table, both tables
  // are read on the first lookup that cannot be answered so (a static name,
  // a native stack's functions). The file is not kept mapped
  // (truncated under us, it would SIGBUS): it is opened again then, if it is
  // still the file that was loaded.
  const Index& all() const;
  std::string path_;
  FileIdentity identity_;
  std::vector<ElfSegment> loads_;
  std::optional<ExportedSymbols> exported_;  // .dynsym with the file's GNU hash table
  Index exported_index_;                     // .dynsym, for a file without one
  mutable std::once_flag all_built_;
  mutable Index all_;
  // The function symbols by start address (at one start, the global alias
  // first), sorted on first use: only native stacks ask. The start is kept
  // beside the index so that sorting and searching do not chase it.
  struct Function {
    uint64_t value;
    uint32_t symbol;  // into all().symbols
    bool local;
  };
  mutable std::once_flag functions_sorted_;
  mutable std::vector<Function> functions_;
  const std::vector<Function>& functions_by_address() const;
};

}  // namespace cpydbg
