#include "target/module_symbols.h"

#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "target/elf_symbols.h"
#include "unwind/cfi.h"

namespace cpydbg {

ModuleSymbols::ModuleSymbols(std::vector<Mapping> maps, std::string alt_root)
    : maps_(std::move(maps)), alt_root_(std::move(alt_root)) {
  for (const Mapping& m : maps_) {
    // Only real files carry symbols ("[heap]", "/dev/zero (deleted)" do not).
    if (m.path.empty() || m.path[0] != '/' || m.path.ends_with(" (deleted)")) continue;
    bool known = false;
    for (const Module& mod : modules_) known = known || mod.path == m.path;
    if (!known) modules_.push_back({m.path, "", "", 0, false, nullptr, nullptr, false});
  }
}

void ModuleSymbols::load(Module& mod) {
  mod.loaded = true;
  // Debuggers name a file by the path they were given or found (LLDB:
  // bin/python, gdb's core mappings: bin/python3.12): say what it is.
  std::error_code ec;
  mod.display_path = std::filesystem::canonical(mod.path, ec).string();
  if (ec) mod.display_path = mod.path;
  mod.opened = mod.path;
  mod.syms = ElfSymbols::load(mod.opened);
  if (!mod.syms && !alt_root_.empty()) mod.syms = ElfSymbols::load(mod.opened = alt_root_ + mod.path);
  if (!mod.syms) return;
  // The lowest mapping of the file fixes its bias; a file whose mappings fit
  // no PT_LOAD is not what the process loaded (replaced on disk): no symbols.
  for (const Mapping& m : maps_) {
    if (m.path != mod.path) continue;
    if (auto b = mod.syms->bias(m.start, m.offset)) {
      mod.bias = *b;
      return;
    }
    break;
  }
  mod.syms.reset();
}

std::optional<uint64_t> ModuleSymbols::find_exported(std::string_view name) {
  for (Module& mod : modules_) {
    if (!mod.loaded) load(mod);
    if (!mod.syms) continue;
    if (auto v = mod.syms->find_exported(name)) return *v + mod.bias;
  }
  return std::nullopt;
}

bool ModuleSymbols::exports_python_api() {
  if (!exports_python_api_) exports_python_api_ = find_exported("Py_IsInitialized").has_value();
  return *exports_python_api_;
}

std::optional<uint64_t> ModuleSymbols::find(std::string_view name) {
  // What the dynamic linker would bind first; the full tables (static names)
  // only for what no file exports.
  if (auto v = find_exported(name)) return v;
  for (Module& mod : modules_) {
    if (!mod.syms) continue;
    if (auto v = mod.syms->find(name)) return *v + mod.bias;
  }
  return std::nullopt;
}

bool ModuleSymbols::read_file_backed(uint64_t addr, void* buf, size_t size) {
  for (Module& mod : modules_) {
    if (!mod.loaded) load(mod);
    if (!mod.syms || addr < mod.bias) continue;
    auto offset = mod.syms->read_only_file_offset(addr - mod.bias, size);
    if (!offset) continue;
    // O_NONBLOCK: the path is the target's word for it; a FIFO must not hang us.
    int fd = ::open(mod.opened.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    ssize_t got = ::pread(fd, buf, size, static_cast<off_t>(*offset));
    ::close(fd);
    return got >= 0 && size_t(got) == size;
  }
  return false;
}

ModuleSymbols::Module* ModuleSymbols::module_holding(uint64_t addr) {
  for (Module& mod : modules_) {
    if (!mod.loaded) load(mod);
    if (mod.syms && addr >= mod.bias && mod.syms->contains(addr - mod.bias)) return &mod;
  }
  return nullptr;
}

Target::CodeSymbol ModuleSymbols::symbol_at(uint64_t addr) {
  Module* mod = module_holding(addr);
  if (!mod) return {};
  return {std::string(mod->syms->function_at(addr - mod->bias)), mod->display_path};
}

std::optional<ModuleSymbols::CodeFile> ModuleSymbols::code_at(uint64_t addr) {
  Module* mod = module_holding(addr);
  if (!mod) return std::nullopt;
  if (!mod->cfi_loaded) {
    mod->cfi_loaded = true;
    mod->cfi = unwind::CallFrameInfo::load(mod->opened);
  }
  return CodeFile{&mod->opened, mod->bias, mod->cfi.get()};
}

std::vector<std::string> ModuleSymbols::paths() const {
  std::vector<std::string> paths;
  for (const Module& mod : modules_) paths.push_back(mod.path);
  return paths;
}

}  // namespace cpydbg
