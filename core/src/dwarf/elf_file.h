// Just enough ELF reading for the generator: build-id, debuglink, symbols
// and the bytes behind a virtual address. Reads the whole file into memory
// (libpython is a few MB) and parses ELF64 little-endian, the only kind of
// table we produce (x86_64, aarch64).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpydbg::dwarf {

struct ElfSymbol {
  uint64_t value = 0;
  uint64_t size = 0;
};

class ElfFile {
 public:
  // Never throws: ok() is false and error() says why.
  explicit ElfFile(const std::string& path);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  std::string arch() const;        // "x86_64", "aarch64", "i386", or "machine-N"
  bool little_endian() const { return little_; }
  int pointer_size() const { return is64_ ? 8 : 4; }
  bool has_interpreter() const;    // PT_INTERP: an executable, not a library
  std::string build_id() const;    // hex, "" when absent
  std::string debuglink() const;   // .gnu_debuglink file name, "" when absent
  std::vector<std::string> needed() const;  // DT_NEEDED entries

  // .symtab first (local symbols too), then .dynsym.
  std::optional<ElfSymbol> symbol(std::string_view name) const;
  // Bytes at a virtual address from a section that has file contents
  // (empty when NOBITS or out of range, e.g. in a separate .debug file).
  std::string_view bytes_at(uint64_t addr, uint64_t size) const;
  // A NUL-terminated string at a virtual address ("" when unreadable).
  std::string string_at(uint64_t addr, size_t max = 256) const;
  // True when addr lies in an allocated, non-executable data section.
  bool in_rodata(uint64_t addr) const;

 private:
  struct Section {
    std::string name;
    uint32_t type = 0;
    uint64_t flags = 0, addr = 0, offset = 0, size = 0, link = 0, entsize = 0;
  };
  const Section* section(std::string_view name) const;
  std::string_view contents(const Section& s) const;
  template <typename T>
  T read(uint64_t off) const;

  std::string data_;
  std::string error_;
  bool is64_ = true, little_ = true;
  uint16_t machine_ = 0;
  std::vector<Section> sections_;
  std::vector<uint32_t> phdr_types_;
};

}  // namespace cpydbg::dwarf
