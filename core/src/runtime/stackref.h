// The object references in a 3.14+ frame (f_executable, f_funcobj, the
// fast locals and the value stack) are _PyStackRef, a tagged word
// (Include/internal/pycore_stackref.h, builds with the GIL):
//   bits & 3 == 3   a tagged int, the value bits >> 2 (arithmetic), no object;
//   bits == 1       NULL (PyStackRef_NULL is Py_TAG_REFCNT alone);
//   bits & 1        a reference the frame does not count (immortal objects,
//                   deferred reclamation): the object at bits & ~1;
//   bits & 3 == 2   never made (Py_TAG_INVALID);
//   else            a counted reference: the object at bits.
// Up to 3.13 the same slots are plain PyObject *.
#pragma once

#include <cstdint>

namespace cpydbg {

struct StackRef {
  enum class Kind : uint8_t { Null, Object, TaggedInt, Invalid };
  Kind kind = Kind::Null;
  uint64_t object = 0;     // Kind::Object
  int64_t tagged_int = 0;  // Kind::TaggedInt
};

inline StackRef decode_stackref(uint64_t bits, bool tagged) {
  using K = StackRef::Kind;
  if (!tagged) return bits ? StackRef{K::Object, bits, 0} : StackRef{};
  // Zeroed memory (a frame slot never written) reads as NULL too.
  if (bits == 0 || bits == 1) return {};
  switch (bits & 3) {
    case 3: return {K::TaggedInt, 0, static_cast<int64_t>(bits) >> 2};
    case 2: return {K::Invalid, 0, 0};
    default: return {K::Object, bits & ~uint64_t(1), 0};
  }
}

}  // namespace cpydbg
