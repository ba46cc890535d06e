// The bounded repr of any object in the target, chosen by type: one small
// formatter per family of types (CPython libpython.py's shape), all bounded
// by FormatOptions so a corrupt or huge object prints quickly and briefly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "objects/access.h"
#include "runtime/code.h"
#include "runtime/walker.h"

namespace cpydbg {

// Whose conventions a repr follows.
enum class ReprStyle : uint8_t {
  // Our own commands: Python's repr(), except that an instance of a class
  // defined in Python (whose __repr__ a debugger cannot run) shows its
  // attributes: <__main__.Point(x=3, label='p') at 0x7f…>.
  Python,
  // The debugger's own views (gdb pretty-printers, LLDB summaries) and the
  // libpython commands: libpython.py's conventions. Addresses "at remote
  // 0x…"; every instance of a heap type <Point(x=3, label='p') at remote
  // 0x…>; exceptions Name('arg',); built-in functions of a module
  // "<built-in method len of module object at remote 0x…>"; frames
  // "Frame 0x…, for file F, line L, in NAME (a=1)"; NULL "0x0"; an
  // unreadable object "<TYPE at remote 0x…>" ("unknown" without a type).
  Libpython,
};

struct FormatOptions {
  int max_depth = 4;          // containers nested deeper print as "[...]"-style "…"
  size_t max_items = 50;      // items per container before "…"
  size_t max_string = 1000;   // code points / bytes of a str/bytes before "…"
  size_t max_output = 16384;  // total characters of one repr
  ReprStyle style = ReprStyle::Python;

  // libpython.py's style and bounds: 1000 items and characters per object,
  // 1024 characters in all ("...(truncated)" after).
  static FormatOptions libpython();
};

class ObjectFormatter {
 public:
  explicit ObjectFormatter(Python& py);
  ~ObjectFormatter();

  // repr() of the object at `addr` in `options.style`, bounded; "<unreadable
  // object at 0x…>" style text when memory or the object is bad. NULL prints
  // "NULL" ("0x0" in libpython's style).
  std::string repr(uint64_t addr, const FormatOptions& options = {});

  // libpython's one-line view of a Python frame, "Frame 0x…, for file F,
  // line L, in NAME (a=1, b=2)": the frame's bound fast locals, cells and
  // free variables, their values in `options`' style.
  std::string frame_summary(const FrameInfo& frame, const FormatOptions& options);

  // The header pyobj prints above the repr: type name, address, refcount
  // ("immortal" in 3.12+ where it is) and len for sized built-ins, e.g.
  // "list at 0x7f3a…, refcnt 2, len 3".
  std::string describe(uint64_t addr);

  // len() of a str, bytes, bytearray, tuple, list, dict, set or frozenset;
  // nullopt for other types or an implausible size.
  std::optional<int64_t> length(uint64_t addr);

  // pyobj's detail view of a class instance: its __dict__ items (every
  // layout: tp_dictoffset, 3.11+ managed dicts and inline values, 2.7
  // old-style instances) then its __slots__ (tp_members of the type and its
  // bases), at most `max` of them. value is 0 for an unset slot. Nullopt when
  // the object has neither or is unreadable.
  struct Attribute {
    std::string name;
    uint64_t value = 0;
  };
  std::optional<std::vector<Attribute>> attributes(uint64_t addr, size_t max = 200);

  // The value of str key `key` in the dict at `dict` (py-print's globals and
  // builtins lookups); nullopt when absent or unreadable.
  std::optional<uint64_t> dict_get(uint64_t dict, std::string_view key);

  // The (key, value) pairs of the dict at `dict` in iteration order, at most
  // `max`; nullopt when it is unreadable.
  struct Item {
    uint64_t key = 0, value = 0;
  };
  std::optional<std::vector<Item>> dict_items(uint64_t dict, size_t max);

  // The feature a partial table lacks to print this object (a dict when
  // only _Py_DebugOffsets are known), or nullopt when it can be printed.
  std::optional<Feature> uncovered(uint64_t addr);

  ObjectAccess& access();
  // The code objects decoded this session, shared by the frames formatted
  // here and the commands (a 1,000-frame py-bt-full decodes one, not 1,000).
  CodeCache& codes();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace cpydbg
