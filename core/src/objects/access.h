// Small, bounded readers of Python objects the walker itself needs (names,
// filenames, tuples of variable names, bytecode). The repr formatter builds
// on these. Every reader returns nullopt when memory or the object is bad.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/python.h"

namespace cpydbg {

// tp_flags bits, identical in 2.7 and every 3.x.
inline constexpr uint64_t kTpFlagHeapType = 1ull << 9;
inline constexpr uint64_t kTpFlagLongSubclass = 1ull << 24;
inline constexpr uint64_t kTpFlagBaseExcSubclass = 1ull << 30;
inline constexpr uint64_t kTpFlagTypeSubclass = 1ull << 31;

class ObjectAccess {
 public:
  explicit ObjectAccess(Python& py) : py_(py) {}
  Python& python() { return py_; }

  std::optional<uint64_t> type_of(uint64_t obj);
  std::optional<int64_t> refcnt(uint64_t obj);
  std::optional<int64_t> var_size(uint64_t obj);
  // The type's tp_name ("int", "collections.OrderedDict").
  std::optional<std::string> type_name(uint64_t type);
  // The tp_name of the object's type, when both reads succeed.
  std::optional<std::string> type_name_of(uint64_t obj);
  std::optional<uint64_t> tp_flags(uint64_t type);
  // True when obj's type is the built-in type `type_symbol` (e.g.
  // "PyUnicode_Type") or derives from it (tp_base chain).
  bool is_instance(uint64_t obj, const char* type_symbol);

  // str (3.x str, 2.7 str or unicode) as UTF-8, at most max_chars code points;
  // *truncated says whether it was cut. Bytes objects are read as Latin-1.
  std::optional<std::string> text(uint64_t obj, size_t max_chars = 4096,
                                   bool* truncated = nullptr);
  // bytes (2.7 str) contents, at most max_bytes.
  std::optional<std::string> bytes(uint64_t obj, size_t max_bytes = 1 << 20,
                                   bool* truncated = nullptr);
  // Items of a tuple (or list), at most max_items.
  std::optional<std::vector<uint64_t>> tuple_items(uint64_t obj, size_t max_items = 4096);
  std::optional<std::vector<uint64_t>> list_items(uint64_t obj, size_t max_items = 4096);

  // Code points of a 3.x str, for the repr formatter.
  struct Str {
    std::vector<uint32_t> code_points;
    size_t length = 0;  // full length (code_points may hold fewer)
  };
  std::optional<Str> unicode(uint64_t obj, size_t max_chars);

 private:
  std::optional<uint64_t> bits(uint64_t obj, const Bitfield& f);
  Python& py_;
};

// Append code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace cpydbg
