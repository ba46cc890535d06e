// Symbols of every ELF file mapped into a process, at their load addresses,
// from the process's file mappings: /proc/<pid>/maps for a live process, a
// core's NT_FILE note (as gdb's `info proc mappings` lists it) for a core.
// Each file's .symtab/.dynsym is read from disk once (ElfSymbols caches it),
// so a lookup is a hash probe: no debugger round trip, DWARF or not.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpydbg/target.h"

namespace cpydbg {

class ElfSymbols;
namespace unwind {
class CallFrameInfo;
}

// One file-backed mapping of the process.
struct Mapping {
  uint64_t start = 0, end = 0, offset = 0;
  std::string perms;  // "r-xp" (empty when the source does not say)
  std::string path;   // "" for anonymous mappings
};

class ModuleSymbols {
 public:
  // `alt_root` is tried as a prefix when a path cannot be opened as such
  // (a process in another mount namespace: "/proc/<pid>/root").
  explicit ModuleSymbols(std::vector<Mapping> maps = {}, std::string alt_root = "");

  // Load address of a symbol: the first module (the executable comes first)
  // that exports it, else the first that defines it (a static name).
  std::optional<uint64_t> find(std::string_view name);
  // Only among what the modules export (.dynsym): found, or found absent,
  // without reading any .symtab.
  std::optional<uint64_t> find_exported(std::string_view name);
  // Whether a module exports the Python C API (Py_IsInitialized).
  bool exports_python_api();
  // A name of that API (Target::api_symbol): find_exported where a module
  // exports it, else find.
  std::optional<uint64_t> find_api(std::string_view name) {
    return exports_python_api() ? find_exported(name) : find(name);
  }
  // Read `size` bytes at `addr` from the file of the module whose read-only
  // segment holds them (code, .rodata: what a core file leaves out). False
  // when no mapped file holds them all.
  bool read_file_backed(uint64_t addr, void* buf, size_t size);
  // The file `addr` lies in (symbolic links resolved) and the function
  // symbol holding it.
  Target::CodeSymbol symbol_at(uint64_t addr);
  // The file whose segments hold code address `addr`: the path it was read
  // from, its bias and its call frame information (null when it has none
  // we can use); nullopt when no mapped file holds addr.
  struct CodeFile {
    const std::string* path = nullptr;
    uint64_t bias = 0;
    const unwind::CallFrameInfo* cfi = nullptr;
  };
  std::optional<CodeFile> code_at(uint64_t addr);
  // Every mapped file, in map order.
  std::vector<std::string> paths() const;
  const std::vector<Mapping>& mappings() const { return maps_; }

 private:
  struct Module {
    std::string path;
    std::string opened;        // the path it was read from (path, or under alt_root)
    std::string display_path;  // path with symbolic links resolved
    uint64_t bias = 0;
    bool loaded = false;                     // symbols parsed (or tried)
    std::shared_ptr<const ElfSymbols> syms;  // null when unreadable / not ELF
    std::shared_ptr<const unwind::CallFrameInfo> cfi;  // read on first use
    bool cfi_loaded = false;
  };
  void load(Module& m);
  // The module whose PT_LOAD segments hold `addr` (loading them on the way).
  Module* module_holding(uint64_t addr);

  std::vector<Mapping> maps_;
  std::string alt_root_;
  std::vector<Module> modules_;
  std::optional<bool> exports_python_api_;
};

}  // namespace cpydbg
