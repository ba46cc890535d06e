// The bounded repr of any object in the target, chosen by type: one small
// formatter per family of types (CPython libpython.py's shape), all bounded
// by FormatOptions so a corrupt or huge object prints quickly and briefly.
#pragma once

#include <cstdint>
#include <string>

#include "objects/access.h"

namespace cpydbg {

struct FormatOptions {
  int max_depth = 4;          // containers nested deeper print as "[...]"-style "…"
  size_t max_items = 50;      // items per container before "…"
  size_t max_string = 1000;   // code points / bytes of a str/bytes before "…"
  size_t max_output = 16384;  // total characters of one repr
};

class ObjectFormatter {
 public:
  explicit ObjectFormatter(Python& py);
  ~ObjectFormatter();

  // Python's repr() of the object at `addr`, bounded; "<unreadable object at
  // 0x…>" style text when memory or the object is bad. NULL prints "NULL".
  std::string repr(uint64_t addr, const FormatOptions& options = {});

  // The header pyobj prints above the repr: type name, refcount, address.
  std::string describe(uint64_t addr);

  ObjectAccess& access();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace cpydbg
