// The one ELF reader, for the generator (build-id, debuglink, DT_NEEDED, the
// bytes behind a symbol) and for run time (symbol tables and PT_LOAD segments
// of the files mapped into a target, see target/elf_symbols.h). The file is
// mapped, not read: libpython with DWARF is tens of MB and a lookup touches a
// few pages. ELF64 little-endian only, the only kind we produce tables for
// (x86_64, aarch64). Every offset and count comes from the file and is
// bounds-checked: a truncated or hostile file gives ok() == false or nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpydbg {

struct ElfSymbol {
  std::string_view name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;    // STT_*
  bool local = false;  // STB_LOCAL
};

struct ElfSegment {  // a PT_LOAD program header
  uint64_t vaddr = 0, offset = 0, filesz = 0;
  uint32_t flags = 0;  // PF_R | PF_W | PF_X
};

// What a file exports (.dynsym) with its GNU hash table, copied out of the
// file: a lookup hashes the name and walks one bucket, with nothing built
// first. Made by ElfFile::exported_symbols().
class ExportedSymbols {
 public:
  // The value of the defined data or function symbol `name`, as
  // ElfFile::for_each_symbol visits it; nullopt when the file does not export it.
  std::optional<uint64_t> find(std::string_view name) const;

 private:
  friend class ElfFile;
  std::string symbols_, names_, hash_;  // .dynsym, .dynstr, .gnu.hash
};

class ElfFile {
 public:
  // Never throws: ok() is false and error() says why.
  explicit ElfFile(const std::string& path);
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  std::string arch() const;  // "x86_64", "aarch64", "i386", or "machine-N"
  // What ok() files are (see above).
  bool little_endian() const { return true; }
  int pointer_size() const { return 8; }
  bool has_interpreter() const;             // PT_INTERP: an executable, not a library
  std::string build_id() const;             // hex, "" when absent
  // The descriptors of every note of `type` owned by `owner` ("GNU", "CORE"),
  // from the note sections, or from the PT_NOTE segments of a file without
  // sections (a core file).
  std::vector<std::string_view> notes(uint32_t type, std::string_view owner) const;
  // The file's bytes at a file offset (empty when out of range).
  std::string_view file_bytes(uint64_t offset, uint64_t size) const;
  std::string debuglink() const;            // .gnu_debuglink file name, "" when absent
  std::vector<std::string> needed() const;  // DT_NEEDED entries
  const std::vector<ElfSegment>& load_segments() const { return loads_; }

  // Every defined symbol (undefined ones name other files' definitions),
  // .symtab first (local symbols too), then .dynsym; only .dynsym's (what
  // the file exports) when `exported_only`.
  void for_each_symbol(const std::function<void(const ElfSymbol&)>& visit,
                       bool exported_only = false) const;
  // At least as many as for_each_symbol visits (the tables' entries), and
  // the bytes of their string tables: what an index of them must hold.
  size_t symbol_entries(bool exported_only = false) const;
  size_t symbol_name_bytes(bool exported_only = false) const;
  // The first defined symbol of that name, in for_each_symbol's order.
  std::optional<ElfSymbol> symbol(std::string_view name) const;
  // .dynsym with its .gnu.hash; nullopt when the file has no GNU hash table
  // (then for_each_symbol(visit, true) is the way).
  std::optional<ExportedSymbols> exported_symbols() const;

  // Bytes at a virtual address from a section that has file contents
  // (empty when NOBITS or out of range, e.g. in a separate .debug file).
  std::string_view bytes_at(uint64_t addr, uint64_t size) const;
  // The contents of the section called `name` and its virtual address;
  // nullopt when absent, NOBITS or outside the file. `compressed`: the bytes
  // are an Elf64_Chdr and a zlib stream (SHF_COMPRESSED, distributions'
  // separate debug files).
  struct SectionBytes {
    uint64_t addr = 0;
    std::string_view bytes;
    bool compressed = false;
  };
  std::optional<SectionBytes> section_bytes(std::string_view name) const;
  // A NUL-terminated string at a virtual address ("" when unreadable).
  std::string string_at(uint64_t addr, size_t max = 256) const;
  // True when addr lies in an allocated, non-executable data section.
  bool in_rodata(uint64_t addr) const;

 private:
  struct Section {
    std::string_view name;
    uint32_t type = 0, link = 0;
    uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  };
  void parse(const std::string& path);
  const Section* section(std::string_view name) const;
  // The section's bytes; empty when NOBITS or when it lies outside the file.
  std::string_view contents(const Section& s) const;

  std::string_view data_;  // the mapping
  std::string error_;
  uint16_t machine_ = 0;
  bool has_interp_ = false;
  std::vector<Section> sections_;
  std::vector<ElfSegment> loads_;
  std::vector<std::string_view> note_segments_;  // PT_NOTE contents
};

}  // namespace cpydbg
