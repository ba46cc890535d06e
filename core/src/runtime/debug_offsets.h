// CPython 3.13+'s _Py_DebugOffsets: the block at the start of _PyRuntime in
// which every build (stripped ones too) states its own version, flavour and
// the offsets out-of-process tools need. Its shape changes between minor
// versions (fields are inserted inside its groups), so each shape cpydbg
// reads is spelled out in debug_offsets.cpp from that version's header. The
// block is decoded in one bounded read; the cookie and version are checked
// first, then every size and offset, and a block with anything implausible
// in it is refused whole, never followed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "target/reader.h"

namespace cpydbg {

// One uint64_t of the block, as the version's header declares it, and where
// it lands in a layout table.
struct DebugOffsetsField {
  enum class Check : uint8_t {
    Size,               // sizeof a struct: 1 .. kMaxStructSize
    Offset,             // an offset inside the struct named by `within`
    FreeThreadedOffset, // as Offset in free-threaded builds, 0 in the others
    Count,              // a plain number (an array length)
  };
  const char* name;     // "thread_state.current_frame"
  Check check;
  const char* within;   // the Size entry bounding an Offset; nullptr: its group's "size"
  // Where a table keeps it: struct and member ("" for a Size: the struct's
  // size); nullptr when no table struct has it.
  const char* strukt;
  const char* member;
  // sizeof the member, also its alignment (1 for arrays of char); 0 for an
  // embedded struct whose size the block does not give.
  uint8_t size;
  const char* type;     // the member's C type
  // An Offset the header measures from the start of an enclosing struct
  // (PyInterpreterState for the GIL's fields) although the member belongs to
  // an embedded one (_gil_runtime_state): the entry whose value to subtract.
  const char* relative_to = nullptr;
};

class DebugOffsets {
 public:
  static constexpr uint64_t kMaxStructSize = 16u << 20;

  uint64_t address = 0;      // of the block: _PyRuntime
  uint32_t version_hex = 0;  // the block's PY_VERSION_HEX
  bool free_threaded = false;
  int shape_minor = 0;       // whose header shape decoded it: 13 for 3.13, 14 for 3.14
  uint64_t size = 0;         // bytes of the block

  struct Entry {
    const DebugOffsetsField* field;
    uint64_t value;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  // The value of "group.field"; nullopt when this shape has no such entry.
  std::optional<uint64_t> get(std::string_view name) const;
  // Where a table keeps the entry, resolved: (struct, member, value as the
  // table would record it). Nullopt for entries no table struct has and for
  // free-threaded-only ones of a build that is not.
  struct Place {
    std::string strukt, member;  // member "" = the struct's size
    uint64_t value = 0;
  };
  std::optional<Place> place(const Entry& e) const;

 private:
  friend struct DebugOffsetsDecoder;
  std::vector<Entry> entries_;
};

struct DebugOffsetsRead {
  bool present = false;             // the cookie "xdebugpy" is at _PyRuntime
  std::optional<DebugOffsets> offsets;
  // Why `offsets` is empty although the cookie is there: one line naming the
  // implausible value ("thread_state.current_frame (70000) lies outside
  // thread_state.size (824)"), or the minor version cpydbg has no shape for.
  std::string problem;
  bool header_ok = false;           // cookie, version and flavour were sound
  uint32_t version_hex = 0;         // from a sound header
  bool free_threaded = false;       // from a sound header
};

// Decode the block at `runtime` (the address of _PyRuntime). `py_version` is
// the Py_Version symbol's value where it could be read: the block's version
// must agree with it.
DebugOffsetsRead read_debug_offsets(Reader& mem, uint64_t runtime,
                                    std::optional<uint32_t> py_version);

// Decode a block already in memory (`bytes` from its start); the same checks.
DebugOffsetsRead decode_debug_offsets(const uint8_t* bytes, size_t size, uint64_t address,
                                      std::optional<uint32_t> py_version);

// The fields of the block of 3.<minor> in header order after the 24-byte
// header; empty when cpydbg has no shape for that minor version.
const std::vector<DebugOffsetsField>& debug_offsets_shape(int minor);
// "3.13 and 3.14": the minor versions with a shape, for messages.
std::string debug_offsets_versions();

}  // namespace cpydbg
