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

uint64_t hash_of(std::string_view name) { return std::hash<std::string_view>()(name); }

}  // namespace

void ElfSymbols::Index::build(const ElfFile& elf, bool exported_only) {
  // Sized up front for every entry of the tables (.dynsym's repeats and the
  // sections and files make the index at most 2/3 full): no rehashing, no
  // arena growth.
  const size_t entries = elf.symbol_entries(exported_only);
  size_t capacity = 16;
  while (capacity < entries + entries / 2) capacity *= 2;
  slots.assign(capacity, 0);
  symbols.reserve(entries);
  names.reserve(std::min<size_t>(elf.symbol_name_bytes(exported_only), UINT32_MAX));
  elf.for_each_symbol(
      [this](const ElfSymbol& sym) {
        // TLS values are offsets into a thread's block, not addresses;
        // sections and files are not things to look up.
        if (sym.type != STT_OBJECT && sym.type != STT_FUNC && sym.type != STT_NOTYPE &&
            sym.type != STT_GNU_IFUNC)
          return;
        bool function = (sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC) && sym.size > 0;
        insert(sym.name, sym.value, sym.size, sym.local, function);
      },
      exported_only);
}

void ElfSymbols::Index::insert(std::string_view name, uint64_t value, uint64_t size, bool local,
                               bool function) {
  const size_t mask = slots.size() - 1;
  size_t slot = hash_of(name) & mask;
  const Symbol* known = nullptr;
  for (; slots[slot]; slot = (slot + 1) & mask) {
    const Symbol& s = symbols[slots[slot] - 1];
    if (name_of(s) == name) {
      known = &s;
      break;
    }
  }
  // .dynsym repeats .symtab's globals: those add nothing.
  if (known && known->value == value && known->local == local) return;
  Symbol sym{value, 0, uint32_t(name.size()), uint32_t(std::min<uint64_t>(size, UINT32_MAX)),
             local, function};
  if (known) {
    sym.name = known->name;
  } else {
    if (names.size() + name.size() > UINT32_MAX) return;
    sym.name = uint32_t(names.size());
    names += name;
  }
  // The first definition of a name is the one found, except that a global
  // one beats a local.
  const bool found = !known || (known->local && !local);
  symbols.push_back(sym);
  if (found) slots[slot] = uint32_t(symbols.size());
}

std::optional<uint64_t> ElfSymbols::Index::find(std::string_view wanted) const {
  const size_t mask = slots.size() - 1;
  for (size_t slot = hash_of(wanted) & mask; !slots.empty() && slots[slot]; slot = (slot + 1) & mask) {
    const Symbol& sym = symbols[slots[slot] - 1];
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

const std::vector<uint32_t>& ElfSymbols::functions_by_address() const {
  std::call_once(functions_sorted_, [this] {
    const std::vector<Index::Symbol>& symbols = all().symbols;
    for (uint32_t i = 0; i < symbols.size(); ++i)
      if (symbols[i].function) functions_.push_back(i);
    // By address; at one address the global alias first (kill, not __GI_kill).
    std::sort(functions_.begin(), functions_.end(), [&symbols](uint32_t a, uint32_t b) {
      const Index::Symbol &x = symbols[a], &y = symbols[b];
      return x.value != y.value ? x.value < y.value : x.local < y.local;
    });
  });
  return functions_;
}

std::string_view ElfSymbols::function_at(uint64_t vaddr) const {
  // The closest function starting at or before vaddr whose extent holds it;
  // a few steps back at most, past small functions laid out inside a larger
  // one's extent or ones that do not reach it.
  const std::vector<uint32_t>& functions = functions_by_address();
  const Index& index = all();
  auto it = std::upper_bound(functions.begin(), functions.end(), vaddr,
                             [&index](uint64_t a, uint32_t f) { return a < index.symbols[f].value; });
  const Index::Symbol* best = nullptr;
  for (int looked = 0; it != functions.begin() && looked < 16; ++looked) {
    const Index::Symbol& f = index.symbols[*--it];
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
