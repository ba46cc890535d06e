// What the commands need from a code object, read once per code address and
// kept for the session: after the process ran, a cached code object is
// checked against the fields it was decoded from before it is used again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpydbg/bytecode.h"
#include "objects/access.h"

namespace cpydbg {

// co_flags bits, the same in 2.7 and every 3.x. CO_OPTIMIZED: a function's
// names live in the slots below; without it (a class body, a module, exec)
// in the frame's locals dict.
constexpr uint32_t kCoOptimized = 0x1, kCoVarargs = 0x4, kCoVarkeywords = 0x8;

enum class SlotKind : uint8_t { Local, Cell, Free };

struct LocalSlot {
  std::string name;
  SlotKind kind = SlotKind::Local;
  bool is_arg = false;
};

struct CodeInfo {
  uint64_t addr = 0;
  std::string filename, name, qualname;
  int firstlineno = 0;
  int argcount = 0;        // positional + keyword-only + *args + **kwargs
  int stacksize = 0;
  uint32_t flags = 0;
  std::vector<uint8_t> bytecode;  // as executing (3.11+: quickened, with caches)
  // 3.12+ instrumented code: byte offset -> the opcode an INSTRUMENTED_LINE /
  // INSTRUMENTED_INSTRUCTION there stands for (from _co_monitoring).
  std::unordered_map<uint32_t, uint8_t> originals;
  std::vector<uint8_t> linetable; // co_lnotab / co_linetable
  std::vector<bytecode::LineRange> lines;  // linetable, decoded
  std::vector<uint8_t> exceptiontable;
  std::vector<LocalSlot> slots;   // fast locals, then cells, then free variables
  uint64_t consts = 0, names = 0;
};

// The source line of the instruction at byte offset `unit_offset` of
// `code`: co_firstlineno when it has not started (-1), -1 where the line
// table gives the instruction no line (as PyCode_Addr2Line).
int line_at(const CodeInfo& code, int64_t unit_offset);

// The object bound to slot `i` of the fast locals, cells and free variables
// that start at `localsplus` (a cell's contents, not the cell; 3.14+ slots
// are _PyStackRef); nullopt when unbound or unreadable.
std::optional<uint64_t> slot_value(ObjectAccess& access, uint64_t localsplus,
                                   const CodeInfo& code, size_t i);

class CodeCache {
 public:
  explicit CodeCache(ObjectAccess& access) : access_(access) {}
  // Null when the code object is unreadable.
  const CodeInfo* get(uint64_t code_addr);
  // The value-stack analysis of the code's bytecode (pyopstack), made once.
  const bytecode::StackAnalysis& stack_analysis(const CodeInfo& code);
  // The process ran: before its next use, each cached code object is
  // checked against the fields it was decoded from (3.11+: its bytecode,
  // which the interpreter rewrites as it runs, is read again).
  void process_ran() { ++stop_; }

 private:
  // The raw values of the fields a CodeInfo is decoded from: the type, the
  // pointers to its names, line and exception tables, constants, and its
  // numbers. While the code object at an address holds the same values, the
  // objects they point to (str, bytes, tuples of str: immutable, and kept
  // alive by the code object) hold what was decoded from them.
  using Fingerprint = std::vector<uint64_t>;
  struct Entry {
    std::unique_ptr<CodeInfo> info;  // null: unreadable
    Fingerprint fingerprint;
    uint64_t checked_at = 0;  // the stop_ it was read or checked at
    std::unique_ptr<bytecode::StackAnalysis> analysis;
  };
  std::optional<Fingerprint> fingerprint(uint64_t code_addr);
  std::unique_ptr<CodeInfo> read(uint64_t code_addr);
  // 3.11+: read the bytecode (and what instrumentation replaced) again.
  bool read_bytecode(uint64_t code_addr, CodeInfo& c);
  ObjectAccess& access_;
  uint64_t stop_ = 0;
  std::unordered_map<uint64_t, Entry> cache_;
};

}  // namespace cpydbg
