#include "target/reader.h"

namespace cpydbg {

void Reader::reset() {
  pages_.clear();
  last_ = nullptr;
  start_command();
}

void Reader::start_command(uint64_t page_budget) { pages_left_ = page_budget; }

const Reader::Page* Reader::fetch(uint64_t page_addr) {
  auto it = pages_.find(page_addr);
  if (it == pages_.end()) {
    if (pages_left_ == 0) return nullptr;
    --pages_left_;
    auto p = std::make_unique<Page>();
    p->readable = target_.read(page_addr, p->bytes, kPageSize);
    it = pages_.emplace(page_addr, std::move(p)).first;
  }
  last_addr_ = page_addr;
  return last_ = it->second.get();
}

bool Reader::read(uint64_t addr, void* buf, size_t size) {
  if (size == 0) return true;
  if (addr + size < addr) return false;  // wraps around the address space
  auto* out = static_cast<uint8_t*>(buf);
  while (size > 0) {
    uint64_t base = addr & ~(kPageSize - 1);
    const Page* p = page(base);
    if (!p || !p->readable) return false;
    size_t off = addr - base;
    size_t n = std::min<size_t>(size, kPageSize - off);
    std::memcpy(out, p->bytes + off, n);
    out += n;
    addr += n;
    size -= n;
  }
  return true;
}

std::optional<uint64_t> Reader::uint(uint64_t addr, size_t size) {
  switch (size) {
    case 1: if (auto v = get<uint8_t>(addr)) return *v; break;
    case 2: if (auto v = get<uint16_t>(addr)) return *v; break;
    case 4: if (auto v = get<uint32_t>(addr)) return *v; break;
    case 8: return get<uint64_t>(addr);
  }
  return std::nullopt;
}

std::optional<int64_t> Reader::sint(uint64_t addr, size_t size) {
  switch (size) {
    case 1: if (auto v = get<int8_t>(addr)) return *v; break;
    case 2: if (auto v = get<int16_t>(addr)) return *v; break;
    case 4: if (auto v = get<int32_t>(addr)) return *v; break;
    case 8: return get<int64_t>(addr);
  }
  return std::nullopt;
}

std::optional<std::string> Reader::cstring(uint64_t addr, size_t max) {
  std::string s;
  while (s.size() < max) {
    uint64_t base = addr & ~(kPageSize - 1);
    const Page* p = page(base);
    if (!p || !p->readable) return std::nullopt;
    for (size_t off = addr - base; off < kPageSize && s.size() < max; ++off, ++addr) {
      char c = static_cast<char>(p->bytes[off]);
      if (c == '\0') return s;
      s.push_back(c);
    }
  }
  return std::nullopt;
}

}  // namespace cpydbg
