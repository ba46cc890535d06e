// ELF64-LE reader; see elf_file.h.
#include "elf/elf_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cpydbg {
namespace {

// A copy of the struct at `off` (+ index * sizeof(T)) inside `data`, or
// nothing when it would reach past the end (offsets near 2^64 included).
// Copied, not cast: a hostile file's offsets need not be aligned.
template <typename T>
std::optional<T> at(std::string_view data, uint64_t off, uint64_t index = 0) {
  if (index > data.size() / sizeof(T)) return std::nullopt;
  uint64_t pos = off + index * sizeof(T);
  if (pos < off || pos > data.size() || data.size() - pos < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, data.data() + pos, sizeof(T));
  return value;
}

// The NUL-terminated string at `off` of a string table ("" when it is not one).
std::string_view string_in(std::string_view table, uint64_t off) {
  if (off >= table.size()) return {};
  size_t end = table.find('\0', off);
  return end == std::string_view::npos ? std::string_view() : table.substr(off, end - off);
}

}  // namespace

ElfFile::ElfFile(const std::string& path) {
  // O_NONBLOCK: a FIFO where a file was expected must not hang us.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error_ = "cannot open " + path + ": " + std::strerror(errno);
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
    ::close(fd);
    error_ = path + " is not an ELF file";
    return;
  }
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    error_ = "cannot map " + path + ": " + std::strerror(errno);
    return;
  }
  data_ = std::string_view(static_cast<const char*>(map), static_cast<size_t>(st.st_size));
  parse(path);
}

ElfFile::~ElfFile() {
  if (!data_.empty()) ::munmap(const_cast<char*>(data_.data()), data_.size());
}

void ElfFile::parse(const std::string& path) {
  auto eh = at<Elf64_Ehdr>(data_, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
    error_ = path + " is not an ELF file";
    return;
  }
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
    error_ = path + ": only 64-bit little-endian ELF files are supported";
    return;
  }
  machine_ = eh->e_machine;
  for (unsigned i = 0; i < eh->e_phnum; ++i) {
    auto ph = at<Elf64_Phdr>(data_, eh->e_phoff, i);
    if (!ph) break;
    if (ph->p_type == PT_INTERP) has_interp_ = true;
    if (ph->p_type == PT_LOAD) loads_.push_back({ph->p_vaddr, ph->p_offset, ph->p_filesz, ph->p_flags});
    if (ph->p_type == PT_NOTE) {
      std::string_view n = file_bytes(ph->p_offset, ph->p_filesz);
      if (!n.empty()) note_segments_.push_back(n);
    }
  }
  std::vector<uint32_t> name_offsets;
  for (unsigned i = 0; i < eh->e_shnum; ++i) {
    auto sh = at<Elf64_Shdr>(data_, eh->e_shoff, i);
    if (!sh) break;
    name_offsets.push_back(sh->sh_name);
    sections_.push_back(
        {{}, sh->sh_type, sh->sh_link, sh->sh_flags, sh->sh_addr, sh->sh_offset, sh->sh_size});
  }
  // Names last: they live in one of the sections.
  if (eh->e_shstrndx < sections_.size()) {
    std::string_view names = contents(sections_[eh->e_shstrndx]);
    for (size_t i = 0; i < sections_.size(); ++i)
      sections_[i].name = string_in(names, name_offsets[i]);
  }
}

std::string_view ElfFile::contents(const Section& s) const {
  if (s.type == SHT_NOBITS || s.offset > data_.size() || s.size > data_.size() - s.offset)
    return {};
  return data_.substr(s.offset, s.size);
}

const ElfFile::Section* ElfFile::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string ElfFile::arch() const {
  switch (machine_) {
    case EM_X86_64:
      return "x86_64";
    case EM_AARCH64:
      return "aarch64";
    case EM_386:
      return "i386";
    default:
      return "machine-" + std::to_string(machine_);
  }
}

bool ElfFile::has_interpreter() const { return has_interp_; }

std::vector<std::string_view> ElfFile::notes(uint32_t type, std::string_view owner) const {
  std::vector<std::string_view> regions, out;
  for (const auto& s : sections_)
    if (s.type == SHT_NOTE) regions.push_back(contents(s));
  if (sections_.empty()) regions = note_segments_;
  for (std::string_view n : regions) {
    size_t pos = 0;
    while (auto note = at<Elf64_Nhdr>(n, pos)) {
      uint64_t name_at = pos + sizeof(Elf64_Nhdr);
      uint64_t desc_at = name_at + ((uint64_t(note->n_namesz) + 3) & ~uint64_t(3));
      if (desc_at > n.size() || note->n_descsz > n.size() - desc_at) break;
      // The owner's name is stored with its NUL.
      std::string_view name = n.substr(name_at, note->n_namesz);
      if (note->n_type == type && name.size() == owner.size() + 1 &&
          name.substr(0, owner.size()) == owner && name.back() == '\0')
        out.push_back(n.substr(desc_at, note->n_descsz));
      pos = desc_at + ((uint64_t(note->n_descsz) + 3) & ~uint64_t(3));
    }
  }
  return out;
}

std::string_view ElfFile::file_bytes(uint64_t offset, uint64_t size) const {
  if (offset > data_.size() || size > data_.size() - offset) return {};
  return data_.substr(offset, size);
}

std::string ElfFile::build_id() const {
  static const char* hex = "0123456789abcdef";
  for (std::string_view id : notes(NT_GNU_BUILD_ID, "GNU")) {
    std::string out;
    for (unsigned char c : id) {
      out += hex[c >> 4];
      out += hex[c & 15];
    }
    return out;
  }
  return "";
}

std::string ElfFile::debuglink() const {
  const Section* s = section(".gnu_debuglink");
  if (!s) return "";
  std::string_view c = contents(*s);
  return std::string(c.substr(0, c.find('\0')));
}

std::vector<std::string> ElfFile::needed() const {
  std::vector<std::string> out;
  for (const auto& s : sections_) {
    if (s.type != SHT_DYNAMIC || s.link >= sections_.size()) continue;
    std::string_view strtab = contents(sections_[s.link]);
    std::string_view dyn = contents(s);
    for (uint64_t i = 0; auto d = at<Elf64_Dyn>(dyn, 0, i); ++i) {
      if (d->d_tag == DT_NULL) break;
      if (d->d_tag == DT_NEEDED) {
        std::string_view name = string_in(strtab, d->d_un.d_val);
        if (!name.empty()) out.emplace_back(name);
      }
    }
  }
  return out;
}

void ElfFile::for_each_symbol(const std::function<void(const ElfSymbol&)>& visit,
                              bool exported_only) const {
  for (uint32_t want : {SHT_SYMTAB, SHT_DYNSYM}) {
    if (exported_only && want != SHT_DYNSYM) continue;
    for (const auto& s : sections_) {
      if (s.type != want || s.link >= sections_.size()) continue;
      std::string_view strtab = contents(sections_[s.link]);
      std::string_view syms = contents(s);
      for (uint64_t i = 1; auto sym = at<Elf64_Sym>(syms, 0, i); ++i) {  // 0: the null symbol
        if (sym->st_shndx == SHN_UNDEF) continue;
        std::string_view name = string_in(strtab, sym->st_name);
        if (name.empty()) continue;
        visit({name, sym->st_value, sym->st_size, static_cast<uint8_t>(ELF64_ST_TYPE(sym->st_info)),
               ELF64_ST_BIND(sym->st_info) == STB_LOCAL});
      }
    }
  }
}

namespace {

bool is_symbol_table(uint32_t type, bool exported_only) {
  return type == SHT_DYNSYM || (type == SHT_SYMTAB && !exported_only);
}

}  // namespace

size_t ElfFile::symbol_entries(bool exported_only) const {
  size_t n = 0;
  for (const auto& s : sections_)
    if (is_symbol_table(s.type, exported_only)) n += contents(s).size() / sizeof(Elf64_Sym);
  return n;
}

size_t ElfFile::symbol_name_bytes(bool exported_only) const {
  size_t n = 0;
  for (const auto& s : sections_)
    if (is_symbol_table(s.type, exported_only) && s.link < sections_.size())
      n += contents(sections_[s.link]).size();
  return n;
}

std::optional<ElfSymbol> ElfFile::symbol(std::string_view name) const {
  std::optional<ElfSymbol> found;
  for_each_symbol([&](const ElfSymbol& sym) {
    if (!found && sym.name == name) found = sym;
  });
  return found;
}

std::optional<ExportedSymbols> ElfFile::exported_symbols() const {
  for (const auto& s : sections_) {
    if (s.type != SHT_GNU_HASH || s.link >= sections_.size()) continue;
    const Section& dynsym = sections_[s.link];
    if (dynsym.type != SHT_DYNSYM || dynsym.link >= sections_.size()) continue;
    ExportedSymbols out;
    out.hash_ = contents(s);
    out.symbols_ = contents(dynsym);
    out.names_ = contents(sections_[dynsym.link]);
    return out;
  }
  return std::nullopt;
}

std::optional<uint64_t> ExportedSymbols::find(std::string_view name) const {
  // .gnu.hash: nbuckets, symoffset, bloom_size, bloom_shift; the bloom words
  // (skipped: a bucket walk is as cheap); nbuckets bucket heads (symbol
  // indices); then one hash per symbol from symoffset on, its low bit set
  // on the last of a bucket.
  auto word = [this](uint64_t index) { return at<uint32_t>(hash_, 0, index); };
  auto nbuckets = word(0), symoffset = word(1), bloom_size = word(2);
  if (!nbuckets || !symoffset || !bloom_size || !*nbuckets) return std::nullopt;
  uint32_t hash = 5381;
  for (unsigned char c : name) hash = hash * 33 + c;
  const uint64_t buckets = 4 + uint64_t(*bloom_size) * 2;  // bloom words are 64-bit
  const uint64_t chains = buckets + *nbuckets;
  auto head = word(buckets + hash % *nbuckets);
  if (!head || *head < *symoffset) return std::nullopt;
  const uint64_t count = symbols_.size() / sizeof(Elf64_Sym);
  for (uint64_t index = *head; index < count; ++index) {  // bounded by the table
    auto chained = word(chains + (index - *symoffset));
    if (!chained) return std::nullopt;
    if ((*chained | 1) == (hash | 1)) {
      auto sym = at<Elf64_Sym>(symbols_, 0, index);
      if (!sym) return std::nullopt;
      uint8_t type = ELF64_ST_TYPE(sym->st_info);
      if (sym->st_shndx != SHN_UNDEF && string_in(names_, sym->st_name) == name &&
          (type == STT_OBJECT || type == STT_FUNC || type == STT_NOTYPE || type == STT_GNU_IFUNC))
        return sym->st_value;
    }
    if (*chained & 1) break;
  }
  return std::nullopt;
}

std::string_view ElfFile::bytes_at(uint64_t addr, uint64_t size) const {
  for (const auto& s : sections_) {
    if (!(s.flags & SHF_ALLOC) || addr < s.addr || addr - s.addr >= s.size) continue;
    std::string_view c = contents(s);
    uint64_t off = addr - s.addr;
    if (off > c.size() || size > c.size() - off) return {};
    return c.substr(off, size);
  }
  return {};
}

std::optional<ElfFile::SectionBytes> ElfFile::section_bytes(std::string_view name) const {
  const Section* s = section(name);
  if (!s) return std::nullopt;
  std::string_view c = contents(*s);
  if (c.size() != s->size) return std::nullopt;
  return SectionBytes{s->addr, c, (s->flags & SHF_COMPRESSED) != 0};
}

std::string ElfFile::string_at(uint64_t addr, size_t max) const {
  for (const auto& s : sections_) {
    if (!(s.flags & SHF_ALLOC) || addr < s.addr || addr - s.addr >= s.size) continue;
    std::string_view c = contents(s);
    c = c.substr(std::min<uint64_t>(addr - s.addr, c.size()));
    size_t end = c.find('\0');
    if (end == std::string_view::npos || end > max) return "";
    return std::string(c.substr(0, end));
  }
  return "";
}

bool ElfFile::in_rodata(uint64_t addr) const {
  for (const auto& s : sections_)
    if ((s.flags & SHF_ALLOC) && !(s.flags & SHF_EXECINSTR) && s.type != SHT_NOBITS &&
        addr >= s.addr && addr - s.addr < s.size)
      return true;
  return false;
}

}  // namespace cpydbg
