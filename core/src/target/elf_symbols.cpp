#include "target/elf_symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

namespace cpydbg {
namespace {

// Bounds-checked view of a struct inside the mapped file: a truncated or
// hostile file must not make us read past its end.
template <typename T>
const T* at(const uint8_t* data, size_t size, uint64_t off, uint64_t index = 0) {
  uint64_t pos = off + index * sizeof(T);
  if (pos < off || pos > size || size - pos < sizeof(T)) return nullptr;
  return reinterpret_cast<const T*>(data + pos);
}

using FileKey = std::tuple<std::string, uint64_t, uint64_t, int64_t, int64_t>;

}  // namespace

std::shared_ptr<const ElfSymbols> ElfSymbols::load(const std::string& path) {
  static std::mutex mutex;
  static std::map<FileKey, std::shared_ptr<const ElfSymbols>> cache;

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
    ::close(fd);
    return nullptr;
  }
  FileKey key{path, st.st_dev, st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) {
    ::close(fd);
    return it->second;
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  std::shared_ptr<ElfSymbols> syms;
  if (map != MAP_FAILED) {
    syms.reset(new ElfSymbols);
    if (!syms->parse(static_cast<const uint8_t*>(map), size)) syms.reset();
    ::munmap(map, size);
  }
  cache.emplace(key, syms);  // a failure is cached too: it will fail again
  return syms;
}

bool ElfSymbols::parse(const uint8_t* data, size_t size) {
  const auto* eh = at<Elf64_Ehdr>(data, size, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
    return false;
  for (unsigned i = 0; i < eh->e_phnum; ++i) {
    const auto* ph = at<Elf64_Phdr>(data, size, eh->e_phoff, i);
    if (!ph) return false;
    if (ph->p_type == PT_LOAD) loads_.push_back({ph->p_vaddr, ph->p_offset, ph->p_filesz});
  }
  for (unsigned i = 0; i < eh->e_shnum; ++i) {
    const auto* sh = at<Elf64_Shdr>(data, size, eh->e_shoff, i);
    if (!sh) return false;
    if (sh->sh_type != SHT_SYMTAB && sh->sh_type != SHT_DYNSYM) continue;
    const auto* strsh = at<Elf64_Shdr>(data, size, eh->e_shoff, sh->sh_link);
    if (!strsh || strsh->sh_offset > size) continue;
    const char* strtab = reinterpret_cast<const char*>(data + strsh->sh_offset);
    uint64_t strsize = std::min<uint64_t>(strsh->sh_size, size - strsh->sh_offset);
    uint64_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    for (uint64_t s = 1; s < count; ++s) {
      const auto* sym = at<Elf64_Sym>(data, size, sh->sh_offset, s);
      if (!sym) break;
      int type = ELF64_ST_TYPE(sym->st_info);
      // Undefined symbols name other files' definitions; TLS values are
      // offsets into a thread's block, not addresses.
      if (sym->st_shndx == SHN_UNDEF || sym->st_name >= strsize) continue;
      if (type != STT_OBJECT && type != STT_FUNC && type != STT_NOTYPE &&
          type != STT_GNU_IFUNC)
        continue;
      size_t len = strnlen(strtab + sym->st_name, strsize - sym->st_name);
      if (len == 0 || sym->st_name + len >= strsize) continue;
      std::string name(strtab + sym->st_name, len);
      auto& table = ELF64_ST_BIND(sym->st_info) == STB_LOCAL ? locals_ : globals_;
      table.emplace(std::move(name), sym->st_value);  // first definition wins
    }
  }
  return true;
}

std::optional<uint64_t> ElfSymbols::find(std::string_view name) const {
  std::string key(name);
  if (auto it = globals_.find(key); it != globals_.end()) return it->second;
  if (auto it = locals_.find(key); it != locals_.end()) return it->second;
  return std::nullopt;
}

std::optional<uint64_t> ElfSymbols::bias(uint64_t start, uint64_t offset) const {
  for (const Segment& s : loads_) {
    // Mappings start on page boundaries, segments need not: compare pages.
    uint64_t seg_page = s.offset & ~uint64_t(0xfff);
    if (offset >= seg_page && offset < s.offset + std::max<uint64_t>(s.filesz, 1))
      return start - (s.vaddr - (s.offset - seg_page)) - (offset - seg_page);
  }
  return std::nullopt;
}

}  // namespace cpydbg
