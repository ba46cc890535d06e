// Minimal ELF64-LE reader; see elf_file.h.
#include "dwarf/elf_file.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace cpydbg::dwarf {
namespace {
constexpr uint32_t kShtSymtab = 2, kShtNote = 7, kShtNobits = 8, kShtDynsym = 11, kShtDynamic = 6;
constexpr uint64_t kShfAlloc = 2, kShfExec = 4;
constexpr uint32_t kPtInterp = 3;
}  // namespace

template <typename T>
T ElfFile::read(uint64_t off) const {
  T v{};
  if (off + sizeof(T) <= data_.size()) std::memcpy(&v, data_.data() + off, sizeof(T));
  return v;
}

ElfFile::ElfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error_ = "cannot open " + path;
    return;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  data_ = ss.str();
  if (data_.size() < 64 || data_.compare(0, 4, "\x7f" "ELF") != 0) {
    error_ = path + " is not an ELF file";
    return;
  }
  is64_ = data_[4] == 2;
  little_ = data_[5] == 1;
  if (!is64_ || !little_) {
    error_ = path + ": only 64-bit little-endian ELF files are supported";
    return;
  }
  machine_ = read<uint16_t>(18);
  uint64_t phoff = read<uint64_t>(32), shoff = read<uint64_t>(40);
  uint16_t phentsize = read<uint16_t>(54), phnum = read<uint16_t>(56);
  uint16_t shentsize = read<uint16_t>(58), shnum = read<uint16_t>(60), shstrndx = read<uint16_t>(62);
  for (uint16_t i = 0; i < phnum; ++i) phdr_types_.push_back(read<uint32_t>(phoff + i * phentsize));
  for (uint16_t i = 0; i < shnum; ++i) {
    uint64_t b = shoff + uint64_t(i) * shentsize;
    Section s;
    s.name = std::to_string(read<uint32_t>(b));  // resolved below
    s.type = read<uint32_t>(b + 4);
    s.flags = read<uint64_t>(b + 8);
    s.addr = read<uint64_t>(b + 16);
    s.offset = read<uint64_t>(b + 24);
    s.size = read<uint64_t>(b + 32);
    s.link = read<uint32_t>(b + 40);
    s.entsize = read<uint64_t>(b + 56);
    sections_.push_back(std::move(s));
  }
  if (shstrndx < sections_.size()) {
    std::string_view names = contents(sections_[shstrndx]);
    for (auto& s : sections_) {
      size_t at = std::stoul(s.name);
      s.name = at < names.size() ? std::string(names.substr(at, names.find('\0', at) - at)) : "";
    }
  }
}

std::string_view ElfFile::contents(const Section& s) const {
  if (s.type == kShtNobits || s.offset > data_.size() || s.size > data_.size() - s.offset)
    return {};
  return std::string_view(data_).substr(s.offset, s.size);
}

const ElfFile::Section* ElfFile::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string ElfFile::arch() const {
  switch (machine_) {
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 3: return "i386";
    default: return "machine-" + std::to_string(machine_);
  }
}

bool ElfFile::has_interpreter() const {
  for (uint32_t t : phdr_types_)
    if (t == kPtInterp) return true;
  return false;
}

std::string ElfFile::build_id() const {
  for (const auto& s : sections_) {
    if (s.type != kShtNote) continue;
    std::string_view n = contents(s);
    size_t pos = 0;
    while (pos + 12 <= n.size()) {
      uint32_t namesz, descsz, type;
      std::memcpy(&namesz, n.data() + pos, 4);
      std::memcpy(&descsz, n.data() + pos + 4, 4);
      std::memcpy(&type, n.data() + pos + 8, 4);
      size_t name_at = pos + 12, desc_at = name_at + ((namesz + 3) & ~3u);
      if (desc_at + descsz > n.size()) break;
      if (type == 3 && namesz == 4 && n.substr(name_at, 3) == "GNU") {
        static const char* hex = "0123456789abcdef";
        std::string out;
        for (uint32_t i = 0; i < descsz; ++i) {
          unsigned char c = n[desc_at + i];
          out += hex[c >> 4];
          out += hex[c & 15];
        }
        return out;
      }
      pos = desc_at + ((descsz + 3) & ~3u);
    }
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
    if (s.type != kShtDynamic || s.link >= sections_.size()) continue;
    std::string_view strtab = contents(sections_[s.link]);
    std::string_view dyn = contents(s);
    for (size_t at = 0; at + 16 <= dyn.size(); at += 16) {
      int64_t tag;
      uint64_t val;
      std::memcpy(&tag, dyn.data() + at, 8);
      std::memcpy(&val, dyn.data() + at + 8, 8);
      if (tag == 0) break;
      if (tag == 1 && val < strtab.size())
        out.emplace_back(strtab.substr(val, strtab.find('\0', val) - val));
    }
  }
  return out;
}

std::optional<ElfSymbol> ElfFile::symbol(std::string_view name) const {
  for (uint32_t want : {kShtSymtab, kShtDynsym}) {
    for (const auto& s : sections_) {
      if (s.type != want || s.link >= sections_.size()) continue;
      std::string_view strtab = contents(sections_[s.link]);
      std::string_view syms = contents(s);
      for (size_t at = 0; at + 24 <= syms.size(); at += 24) {
        uint32_t name_off;
        uint16_t shndx;
        std::memcpy(&name_off, syms.data() + at, 4);
        std::memcpy(&shndx, syms.data() + at + 6, 2);
        if (shndx == 0 || name_off >= strtab.size()) continue;  // undefined
        std::string_view n = strtab.substr(name_off);
        if (n.size() < name.size() + 1 || n.compare(0, name.size(), name) != 0 ||
            n[name.size()] != '\0')
          continue;
        ElfSymbol sym;
        std::memcpy(&sym.value, syms.data() + at + 8, 8);
        std::memcpy(&sym.size, syms.data() + at + 16, 8);
        return sym;
      }
    }
  }
  return std::nullopt;
}

std::string_view ElfFile::bytes_at(uint64_t addr, uint64_t size) const {
  for (const auto& s : sections_) {
    if (!(s.flags & kShfAlloc) || addr < s.addr || addr - s.addr >= s.size) continue;
    std::string_view c = contents(s);
    if (c.empty() || addr - s.addr + size > c.size()) return {};
    return c.substr(addr - s.addr, size);
  }
  return {};
}

std::string ElfFile::string_at(uint64_t addr, size_t max) const {
  for (const auto& s : sections_) {
    if (!(s.flags & kShfAlloc) || addr < s.addr || addr - s.addr >= s.size) continue;
    std::string_view c = contents(s).substr(std::min<uint64_t>(addr - s.addr, contents(s).size()));
    size_t end = c.find('\0');
    if (end == std::string_view::npos || end > max) return "";
    return std::string(c.substr(0, end));
  }
  return "";
}

bool ElfFile::in_rodata(uint64_t addr) const {
  for (const auto& s : sections_)
    if ((s.flags & kShfAlloc) && !(s.flags & kShfExec) && s.type != kShtNobits &&
        addr >= s.addr && addr - s.addr < s.size)
      return true;
  return false;
}

}  // namespace cpydbg::dwarf
