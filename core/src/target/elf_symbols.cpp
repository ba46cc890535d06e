#include "target/elf_symbols.h"

#include <elf.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

namespace cpydbg {
namespace {

using FileKey = std::tuple<std::string, uint64_t, uint64_t, int64_t, int64_t>;

}  // namespace

std::shared_ptr<const ElfSymbols> ElfSymbols::load(const std::string& path) {
  static std::mutex mutex;
  static std::map<FileKey, std::shared_ptr<const ElfSymbols>> cache;

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  FileKey key{path, st.st_dev, st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::shared_ptr<ElfSymbols> syms;
  if (ElfFile elf(path); elf.ok()) {
    syms.reset(new ElfSymbols);
    syms->index(elf);
  }
  cache.emplace(key, syms);  // a failure is cached too: it will fail again
  return syms;
}

void ElfSymbols::index(const ElfFile& elf) {
  loads_ = elf.load_segments();
  elf.for_each_symbol([this](const ElfSymbol& sym) {
    // TLS values are offsets into a thread's block, not addresses; sections
    // and files are not things to look up.
    if (sym.type != STT_OBJECT && sym.type != STT_FUNC && sym.type != STT_NOTYPE &&
        sym.type != STT_GNU_IFUNC)
      return;
    (sym.local ? locals_ : globals_).emplace(sym.name, sym.value);  // first definition wins
    if ((sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC) && sym.size > 0)
      functions_.push_back({sym.value, sym.size, sym.local, std::string(sym.name)});
  });
  // By address; at one address the global alias first (kill, not __GI_kill).
  std::sort(functions_.begin(), functions_.end(), [](const Function& a, const Function& b) {
    return a.start != b.start ? a.start < b.start : a.local < b.local;
  });
}

std::string_view ElfSymbols::function_at(uint64_t vaddr) const {
  // The closest function starting at or before vaddr whose extent holds it;
  // a few steps back at most, past small functions laid out inside a larger
  // one's extent or ones that do not reach it.
  auto it = std::upper_bound(functions_.begin(), functions_.end(), vaddr,
                             [](uint64_t a, const Function& f) { return a < f.start; });
  const Function* best = nullptr;
  for (int looked = 0; it != functions_.begin() && looked < 16; ++looked) {
    --it;
    if (best && it->start != best->start) break;
    if (vaddr - it->start < it->size) best = &*it;  // at one start, the global comes last
  }
  return best ? std::string_view(best->name) : std::string_view();
}

bool ElfSymbols::contains(uint64_t vaddr) const {
  for (const ElfSegment& s : loads_)
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return true;
  return false;
}

std::optional<uint64_t> ElfSymbols::find(std::string_view name) const {
  std::string key(name);
  if (auto it = globals_.find(key); it != globals_.end()) return it->second;
  if (auto it = locals_.find(key); it != locals_.end()) return it->second;
  return std::nullopt;
}

std::optional<uint64_t> ElfSymbols::bias(uint64_t start, uint64_t offset) const {
  for (const ElfSegment& s : loads_) {
    // Mappings start on page boundaries, segments need not: compare pages.
    uint64_t seg_page = s.offset & ~uint64_t(0xfff);
    if (offset >= seg_page && offset < s.offset + std::max<uint64_t>(s.filesz, 1))
      return start - (s.vaddr - (s.offset - seg_page)) - (offset - seg_page);
  }
  return std::nullopt;
}

std::optional<uint64_t> ElfSymbols::read_only_file_offset(uint64_t vaddr, uint64_t size) const {
  for (const ElfSegment& s : loads_) {
    if (s.flags & PF_W) continue;
    if (vaddr >= s.vaddr && vaddr - s.vaddr <= s.filesz && size <= s.filesz - (vaddr - s.vaddr))
      return s.offset + (vaddr - s.vaddr);
  }
  return std::nullopt;
}

}  // namespace cpydbg
