#include "target/elf_symbols.h"

#include <elf.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

namespace cpydbg {
namespace {

// Which file a path named: device, inode, modification time.
ElfSymbols::FileIdentity identity_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
}
using FileKey = std::pair<std::string, ElfSymbols::FileIdentity>;

}  // namespace

std::shared_ptr<const ElfSymbols> ElfSymbols::load(const std::string& path) {
  static std::mutex mutex;
  static std::map<FileKey, std::shared_ptr<const ElfSymbols>> cache;

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  FileKey key{path, identity_of(st)};
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::shared_ptr<ElfSymbols> syms;
  if (ElfFile elf(path); elf.ok()) {
    syms.reset(new ElfSymbols);
    syms->path_ = path;
    syms->identity_ = key.second;
    syms->loads_ = elf.load_segments();
    syms->exported_ = elf.exported_symbols();
    if (!syms->exported_) syms->exported_index_.build(elf, /*exported_only=*/true);
  }
  cache.emplace(key, syms);  // a failure is cached too: it will fail again
  return syms;
}

const ElfSymbols::Index& ElfSymbols::all() const {
  std::call_once(all_built_, [this] {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 || identity_of(st) != identity_)
      return;  // replaced since: only what was read of it stands
    if (ElfFile elf(path_); elf.ok()) all_.build(elf, /*exported_only=*/false);
  });
  return all_;
}

namespace {

uint32_t hash_of(std::string_view name) { return uint32_t(std::hash<std::string_view>()(name)); }

}  // namespace

void ElfSymbols::Index::build(const ElfFile& elf, bool exported_only) {
  // Sized up front for every entry of the tables: no arena growth.
  symbols.reserve(elf.symbol_entries(exported_only));
  names.reserve(std::min<size_t>(elf.symbol_name_bytes(exported_only), UINT32_MAX));
  elf.for_each_symbol(
      [this](const ElfSymbol& sym) {
        // TLS values are offsets into a thread's block, not addresses;
        // sections and files are not things to look up.
        if (sym.type != STT_OBJECT && sym.type != STT_FUNC && sym.type != STT_NOTYPE &&
            sym.type != STT_GNU_IFUNC)
          return;
        if (names.size() + sym.name.size() > UINT32_MAX) return;
        bool function = (sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC) && sym.size > 0;
        symbols.push_back({sym.value, uint32_t(names.size()), uint32_t(sym.name.size()),
                           uint32_t(std::min<uint64_t>(sym.size, UINT32_MAX)), sym.local,
                           function});
        names += sym.name;
      },
      exported_only);
}

std::optional<uint64_t> ElfSymbols::Index::scan(std::string_view wanted) const {
  const Symbol* found = nullptr;
  for (const Symbol& sym : symbols) {
    if (name_of(sym) != wanted) continue;
    if (!sym.local) return sym.value;
    if (!found) found = &sym;
  }
  return found ? std::optional<uint64_t>(found->value) : std::nullopt;
}

void ElfSymbols::Index::hash() const {
  size_t capacity = 16;
  while (capacity < symbols.size() + symbols.size() / 2) capacity *= 2;
  slots.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    const std::string_view name = name_of(symbols[i]);
    const uint32_t h = hash_of(name);
    size_t slot = h & mask;
    for (; slots[slot].symbol; slot = (slot + 1) & mask)
      if (slots[slot].hash == h && name_of(symbols[slots[slot].symbol - 1]) == name) break;
    // The slot keeps the first definition, unless a global one follows a local.
    if (!slots[slot].symbol || (symbols[slots[slot].symbol - 1].local && !symbols[i].local))
      slots[slot] = {h, i + 1};
  }
}

std::optional<uint64_t> ElfSymbols::Index::find(std::string_view wanted) const {
  // A scan reads the symbols in order, a few ns each; the index costs about
  // as much as this many scans to build.
  constexpr unsigned kScansBeforeIndexing = 8;
  if (scans.fetch_add(1, std::memory_order_relaxed) < kScansBeforeIndexing) return scan(wanted);
  std::call_once(hashed, [this] { hash(); });
  const size_t mask = slots.size() - 1;
  const uint32_t h = hash_of(wanted);
  for (size_t slot = h & mask; !slots.empty() && slots[slot].symbol; slot = (slot + 1) & mask) {
    if (slots[slot].hash != h) continue;
    const Symbol& sym = symbols[slots[slot].symbol - 1];
    if (name_of(sym) == wanted) return sym.value;
  }
  return std::nullopt;
}

std::optional<uint64_t> ElfSymbols::find_exported(std::string_view name) const {
  return exported_ ? exported_->find(name) : exported_index_.find(name);
}

std::optional<uint64_t> ElfSymbols::find(std::string_view name) const {
  // An exported definition is global: the one the full index would give.
  if (auto v = find_exported(name)) return v;
  return all().find(name);
}

const std::vector<ElfSymbols::Function>& ElfSymbols::functions_by_address() const {
  std::call_once(functions_sorted_, [this] {
    const std::vector<Index::Symbol>& symbols = all().symbols;
    for (uint32_t i = 0; i < symbols.size(); ++i)
      if (symbols[i].function) functions_.push_back({symbols[i].value, i, symbols[i].local});
    // By address; at one address the global alias first (kill, not __GI_kill).
    std::sort(functions_.begin(), functions_.end(), [](const Function& x, const Function& y) {
      return x.value != y.value ? x.value < y.value : x.local < y.local;
    });
  });
  return functions_;
}

std::string_view ElfSymbols::function_at(uint64_t vaddr) const {
  // The closest function starting at or before vaddr whose extent holds it;
  // a few steps back at most, past small functions laid out inside a larger
  // one's extent or ones that do not reach it.
  const std::vector<Function>& functions = functions_by_address();
  const Index& index = all();
  auto it = std::upper_bound(functions.begin(), functions.end(), vaddr,
                             [](uint64_t a, const Function& f) { return a < f.value; });
  const Index::Symbol* best = nullptr;
  for (int looked = 0; it != functions.begin() && looked < 16; ++looked) {
    const Index::Symbol& f = index.symbols[(--it)->symbol];
    if (best && f.value != best->value) break;
    if (vaddr - f.value < f.size) best = &f;  // at one start, the global comes last
  }
  return best ? index.name_of(*best) : std::string_view();
}

bool ElfSymbols::contains(uint64_t vaddr) const {
  for (const ElfSegment& s : loads_)
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return true;
  return false;
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
