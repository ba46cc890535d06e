// Test helper: a live process with some bytes replaced, to corrupt what the
// core reads without corrupting the process.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <map>

#include "cpydbg/target.h"

namespace cpydbg::test {

class OverlayTarget : public Target {
 public:
  explicit OverlayTarget(Target& base) : base_(base) {}
  void patch(uint64_t addr, const void* bytes, size_t n) {
    auto* p = static_cast<const uint8_t*>(bytes);
    for (size_t i = 0; i < n; ++i) bytes_[addr + i] = p[i];
  }
  template <typename T>
  void patch(uint64_t addr, T value) { patch(addr, &value, sizeof value); }

  bool read(uint64_t addr, void* buf, size_t size) override {
    if (!base_.read(addr, buf, size)) return false;
    for (auto it = bytes_.lower_bound(addr); it != bytes_.end() && it->first < addr + size; ++it)
      static_cast<uint8_t*>(buf)[it->first - addr] = it->second;
    return true;
  }
  std::optional<uint64_t> symbol(std::string_view name) override { return base_.symbol(name); }
  // Numbers only (pyobj 0x…), like a debugger without symbols.
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override {
    std::string text(expr);
    char* end = nullptr;
    uint64_t value = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || *end) {
      if (error) *error = "not a number";
      return std::nullopt;
    }
    return value;
  }
  std::vector<std::string> module_paths() override { return base_.module_paths(); }

 private:
  Target& base_;
  std::map<uint64_t, uint8_t> bytes_;
};

}  // namespace cpydbg::test
