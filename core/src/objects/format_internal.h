// Shared by the format_*.cpp files: the type classification and the state of
// one repr() call (output buffer, depth, cycle stack, limits). Not a public
// header; the API is format.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "objects/format.h"

namespace cpydbg::fmt {

// The families of types with their own repr, as CPython's own type objects
// decide them. Subclasses map to their built-in base only when they inherit
// its tp_repr (a user __repr__ cannot be run from a debugger).
enum class Kind : uint8_t {
  Object,  // no repr of our own: "<T object at 0x…>"
  None, NotImplemented, Ellipsis, Bool, Int, Int27, Float, Complex,
  Str, Bytes, Unicode27, ByteArray,
  Tuple, List, Dict, Set, FrozenSet, Range, Slice, MemoryView, Weakref,
  Function, Method, CFunction, MethodWrapper, Code, Frame, Generator, Coroutine, AsyncGenerator,
  Module, Type, Exception, Cell, Instance27, Class27,
};

// What a layout must cover to print this kind (nullopt: nothing at all).
std::optional<Feature> feature_of(Kind kind);

// Sizes no real object reaches: a larger count means the memory is not what
// we think it is (2^34 pointers = 128 GiB).
inline constexpr int64_t kMaxSaneLength = int64_t(1) << 34;
// Decimal conversion is quadratic; beyond this many 30-bit digits (~18,000
// decimal digits) an int prints as a size marker.
inline constexpr int64_t kMaxIntDigits = 2000;

// Maps type addresses to kinds, learned once per process from the exported
// type symbols and cached per type seen.
class TypeTable {
 public:
  explicit TypeTable(ObjectAccess& access);
  Kind kind_of_type(uint64_t type);
  std::optional<uint64_t> type_symbol(Kind kind) const;

 private:
  ObjectAccess& obj_;
  std::unordered_map<uint64_t, Kind> builtin_;  // exact built-in type -> kind
  std::unordered_map<uint64_t, Kind> cache_;    // any type seen -> kind
  std::unordered_map<uint64_t, uint64_t> repr_of_;  // built-in type -> its tp_repr
};

// One repr() call.
class Context {
 public:
  Context(Python& py, ObjectAccess& access, TypeTable& types, CodeCache& codes,
          const FormatOptions& options);

  Python& py;
  ObjectAccess& obj;
  Reader& mem;
  const Offsets& off;
  const FormatOptions& opt;
  TypeTable& types;
  CodeCache& codes;  // the session's
  std::string out;

  // The whole repr of `addr` into out (dispatch by type, depth, cycles).
  void repr(uint64_t addr);
  // True once out has reached max_output: every loop stops early.
  bool full() const { return out.size() >= opt.max_output; }

  // Container recursion: false (and "[...]"-style text written) when addr is
  // already being printed further up or the depth limit is reached.
  bool enter(uint64_t addr, std::string_view cut_text);
  void leave();
  int depth() const { return static_cast<int>(active_.size()); }

  bool libpython() const { return opt.style == ReprStyle::Libpython; }

  // --- small helpers every family uses ---
  // An object's address as its repr names it after " at ": "0x7f3a…" like
  // C's %p; libpython's style says "remote 0x7f3a…".
  void address(uint64_t addr);
  void unreadable(uint64_t addr);           // "<unreadable object at 0x…>"
  void generic(uint64_t addr);              // "<T object at 0x…>" (object.__repr__)
  std::optional<uint64_t> ptr(uint64_t addr) { return mem.ptr(addr); }
  std::optional<uint64_t> field(uint64_t obj, uint64_t offset);  // kAbsent-safe pointer field
  // Text of a str object (3.x str, 2.7 str/unicode), bounded; nullopt if not text.
  std::optional<std::string> text(uint64_t str, size_t max = 400);
  // tp_name without the module part ("OrderedDict" for "collections.OrderedDict").
  std::optional<std::string> short_type_name(uint64_t type);
  // A heap type's __module__ from its dict (nullopt when absent / not str).
  std::optional<std::string> type_module(uint64_t type);
  // Python's type.__qualname__ (heap: ht_qualname, 2.7: ht_name; static: short tp_name).
  std::optional<std::string> type_qualname(uint64_t type);
  // The value of str key `key` in dict `dict`, or nullopt.
  std::optional<uint64_t> dict_get(uint64_t dict, std::string_view key);

 private:
  std::vector<uint64_t> active_;  // containers being printed (Py_ReprEnter)
};

// ---- the families (one file each) ------------------------------------------
void format_number(Context& c, Kind kind, uint64_t addr);      // format_numbers.cpp
void format_text(Context& c, Kind kind, uint64_t addr);        // format_strings.cpp
void format_sequence(Context& c, Kind kind, uint64_t addr);    // format_containers.cpp
void format_dict(Context& c, uint64_t addr);                   // format_dict.cpp
void format_callable(Context& c, Kind kind, uint64_t addr);    // format_callables.cpp
void format_misc(Context& c, Kind kind, uint64_t addr);        // format_misc.cpp
void format_type_or_instance(Context& c, Kind kind, uint64_t addr);  // format_types.cpp
// An instance of a heap type (or a 2.7 old-style instance) with its
// attributes, in the context's style (format_types.cpp).
void format_instance(Context& c, uint64_t addr);
// libpython's "Frame 0x…, for file …" view of a frame (format_callables.cpp).
void format_frame_summary(Context& c, const FrameInfo& frame);

// Quoted repr of code points with Python's escaping rules.
//   style: '3' = 3.x str, 'u' = 2.7 unicode, 'b' = bytes / 2.7 str,
//          'a' = bytearray (escapes ' even between double quotes).
void quote(std::string& out, const std::vector<uint32_t>& cps, char style, bool truncated);
// Python 3's shortest float repr ("1.0", "1e+16", "inf"); add_dot_0 false
// gives complex's component style ("1", "1e+16").
std::string float_repr(double value, bool add_dot_0 = true);

// Items of a dict in iteration order, every layout (2.7, 3.6–3.10, 3.11+
// combined and split). `limit` bounds the pairs returned; *total gets ma_used.
struct DictItem {
  uint64_t key = 0, value = 0;
};
std::optional<std::vector<DictItem>> dict_items(Context& c, uint64_t dict, size_t limit,
                                                int64_t* total = nullptr);
// Items of split-table values with the given keys (an instance's inline
// values, 3.11+), in insertion order.
std::optional<std::vector<DictItem>> values_items(Context& c, uint64_t keys, uint64_t values,
                                                  size_t limit);
// An instance's __dict__ items in every layout (tp_dictoffset; 3.11 managed
// dict/values before the object; 3.12 tagged PyDictOrValues; 3.13 managed
// dict or inline values after tp_basicsize; 2.7 old-style in_dict).
std::optional<std::vector<DictItem>> instance_dict(Context& c, uint64_t obj, size_t limit);
// The instance attribute `name` from its __dict__.
std::optional<uint64_t> instance_attr(Context& c, uint64_t obj, std::string_view name);
// __dict__ items then __slots__, for ObjectFormatter::attributes.
std::optional<std::vector<ObjectFormatter::Attribute>> instance_attributes(Context& c,
                                                                         uint64_t addr,
                                                                         size_t max);
// getattr(obj, "__name__") where it is a plain field: functions, classes
// (new- and old-style), modules, built-in functions.
std::optional<std::string> dunder_name(Context& c, uint64_t obj);
// The line a frame object is at, as PyFrame_GetLineNumber says.
std::optional<int> frame_line(Context& c, uint64_t frame_object);

}  // namespace cpydbg::fmt
