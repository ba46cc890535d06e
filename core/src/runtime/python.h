// The target's Python runtime as the walker sees it: which table, the
// offsets resolved from it once, and the few symbol addresses it needs.
// Nothing on the hot path looks a field up by name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpydbg/layout.h"
#include "runtime/coverage.h"
#include "runtime/debug_offsets.h"
#include "runtime/offsets.h"
#include "target/reader.h"

namespace cpydbg {

struct Detection {
  uint32_t version_hex = 0;    // 0 when only the series is known
  int major = 0, minor = 0;
  Flavour flavour;
  std::string how;             // "Py_Version", "_Py_DebugOffsets", "libpython3.9.so.1.0", ...
  std::optional<uint64_t> runtime;  // &_PyRuntime (3.7+)
  DebugOffsetsRead debug_offsets;  // 3.13+: the block at _PyRuntime, when there is one
};

struct SanityCheck {
  std::string what;  // "PyTuple_Type.tp_basicsize == offsetof(PyTupleObject, ob_item)"
  bool passed = false;
  std::string detail;  // "48 == 24" or why it could not be read
};

// Raised (as one line) when the target is not a Python we can read.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Python {
 public:
  // Detect the version, choose and verify a table. Throws RuntimeError with
  // one line saying what was found and what to do.
  static std::unique_ptr<Python> attach(Reader& reader, const std::string& forced_version);
  // attach()'s first step: which Python this is (and its _Py_DebugOffsets).
  // Throws RuntimeError when there is none or its version cannot be told.
  static Detection detect(Reader& reader, const std::string& forced_version);

  Reader& mem() { return reader_; }
  const Layout& layout() const { return *layout_; }
  const Offsets& off() const { return off_; }
  const Detection& detection() const { return detection_; }
  const std::vector<SanityCheck>& checks() const { return checks_; }
  std::string table_origin() const { return table_origin_; }
  // What the layout covers (everything, unless it is partial).
  const Coverage& coverage() const { return coverage_; }
  // Throws RuntimeError with Coverage::refusal's line when `f` is not covered.
  void require(Feature f) const;
  // Where the table and the process's _Py_DebugOffsets disagree, one line
  // each ("PyThreadState.current_frame: table 72, _Py_DebugOffsets 80").
  const std::vector<std::string>& disagreements() const { return disagreements_; }
  // The tables tried and not trusted before this one, with why ("" if none).
  const std::string& rejected_tables() const { return rejected_; }
  int minor() const { return detection_.minor; }
  int major() const { return detection_.major; }
  bool at_least(int major, int minor) const {
    return detection_.major > major || (detection_.major == major && detection_.minor >= minor);
  }

  // Symbol address, cached (including absence).
  std::optional<uint64_t> symbol(const std::string& name);
  // The same for a name of the C API (Target::api_symbol): one absent from
  // this version costs no index of the full symbol tables.
  std::optional<uint64_t> api_symbol(const std::string& name);

 private:
  Python(Reader& reader, std::shared_ptr<const Layout> layout, Detection detection);
  Reader& reader_;
  std::shared_ptr<const Layout> layout_;
  Offsets off_;
  Coverage coverage_;
  Detection detection_;
  std::vector<SanityCheck> checks_;
  std::vector<std::string> disagreements_;
  std::string table_origin_, rejected_;
  std::unordered_map<std::string, std::optional<uint64_t>> symbols_;
  std::unordered_map<std::string, std::optional<uint64_t>> api_symbols_;
};

}  // namespace cpydbg
