#include "target/core_file.h"

#include <elf.h>

#include <cstring>

namespace cpydbg {
namespace {

// NT_FILE (linux/fs/binfmt_elf.c): count, page size, then count x {start,
// end, file offset in pages}, then count NUL-terminated paths.
std::vector<Mapping> file_mappings(std::string_view note) {
  std::vector<Mapping> out;
  auto word = [&](size_t i, uint64_t* v) {
    if ((i + 1) * 8 > note.size()) return false;
    std::memcpy(v, note.data() + i * 8, 8);
    return true;
  };
  uint64_t count = 0, page = 0;
  if (!word(0, &count) || !word(1, &page) || count > note.size() / 24) return out;
  size_t names = (2 + 3 * count) * 8;
  if (names > note.size()) return out;
  std::string_view paths = note.substr(names);
  for (uint64_t i = 0; i < count; ++i) {
    Mapping m;
    uint64_t pages = 0;
    if (!word(2 + 3 * i, &m.start) || !word(3 + 3 * i, &m.end) || !word(4 + 3 * i, &pages)) break;
    m.offset = pages * page;
    size_t end = paths.find('\0');
    if (end == std::string_view::npos) break;
    m.path = std::string(paths.substr(0, end));
    paths.remove_prefix(end + 1);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

CoreFileTarget::CoreFileTarget(const std::string& path) : core_(path) {
  if (!core_.ok()) {
    error_ = core_.error();
    return;
  }
  auto notes = core_.notes(NT_FILE, "CORE");
  if (notes.empty()) {
    error_ = path + " is not a core file (it has no NT_FILE note)";
    return;
  }
  symbols_ = ModuleSymbols(file_mappings(notes.front()));
}

const ElfFile* CoreFileTarget::mapped_file(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.emplace(path, std::make_unique<ElfFile>(path)).first;
  return it->second->ok() ? it->second.get() : nullptr;
}

size_t CoreFileTarget::read_some(uint64_t addr, uint8_t* buf, size_t size) {
  for (const ElfSegment& s : core_.load_segments()) {
    if (addr < s.vaddr || addr - s.vaddr >= s.filesz) continue;
    size_t n = std::min<uint64_t>(size, s.filesz - (addr - s.vaddr));
    std::string_view bytes = core_.file_bytes(s.offset + (addr - s.vaddr), n);
    if (bytes.size() != n) return 0;
    std::memcpy(buf, bytes.data(), n);
    return n;
  }
  for (const Mapping& m : symbols_.mappings()) {
    if (addr < m.start || addr >= m.end) continue;
    const ElfFile* file = mapped_file(m.path);
    if (!file) return 0;
    size_t n = std::min<uint64_t>(size, m.end - addr);
    std::string_view bytes = file->file_bytes(m.offset + (addr - m.start), n);
    if (bytes.size() != n) return 0;
    std::memcpy(buf, bytes.data(), n);
    return n;
  }
  return 0;
}

bool CoreFileTarget::read(uint64_t addr, void* buf, size_t size) {
  auto* out = static_cast<uint8_t*>(buf);
  while (size) {
    size_t n = read_some(addr, out, size);
    if (!n) return false;
    addr += n, out += n, size -= n;
  }
  return true;
}

}  // namespace cpydbg
