// A caching, bounded view of target memory. Front ends cross a language or
// process boundary per read (gdb's read_memory costs microseconds), so the
// walker reads whole pages once per command and serves fields from them.
// Every read can fail; every command has a read budget so a corrupt target
// can never make it run away.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "cpydbg/target.h"

namespace cpydbg {

class Reader {
 public:
  static constexpr uint64_t kPageSize = 4096;
  static constexpr uint64_t kDefaultPageBudget = 200000;  // ~800 MiB of reads per command

  explicit Reader(Target& target) : target_(target) {}

  Target& target() { return target_; }

  // Drop cached pages (the process ran) and restart the budget.
  void reset();
  // Restart the budget only (a new command on an unchanged process).
  void start_command(uint64_t page_budget = kDefaultPageBudget);
  bool budget_exhausted() const { return pages_left_ == 0; }

  bool read(uint64_t addr, void* buf, size_t size);

  template <typename T>
  std::optional<T> get(uint64_t addr) {
    T value;
    if (!read(addr, &value, sizeof value)) return std::nullopt;
    return value;
  }
  std::optional<uint64_t> ptr(uint64_t addr) { return get<uint64_t>(addr); }
  // Read an unsigned/signed integer field of `size` bytes (1, 2, 4 or 8).
  std::optional<uint64_t> uint(uint64_t addr, size_t size);
  std::optional<int64_t> sint(uint64_t addr, size_t size);
  // NUL-terminated string of at most `max` bytes; nullopt if unreadable or
  // not terminated within `max`.
  std::optional<std::string> cstring(uint64_t addr, size_t max = 256);

 private:
  struct Page {
    bool readable = false;
    uint8_t bytes[kPageSize];
  };
  const Page* page(uint64_t page_addr) {
    // Reads come in runs on one page (the fields of one struct).
    if (page_addr == last_addr_ && last_) return last_;
    return fetch(page_addr);
  }
  const Page* fetch(uint64_t page_addr);

  Target& target_;
  std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
  uint64_t last_addr_ = 0;
  const Page* last_ = nullptr;
  uint64_t pages_left_ = kDefaultPageBudget;
};

}  // namespace cpydbg
