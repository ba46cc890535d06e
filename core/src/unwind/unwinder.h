// A native stack walk from a thread's registers with the files' own call
// frame information: what gdb's unwinder finds, for a fraction of its cost
// (gdb reads each frame's DWARF compilation unit in full to place it). It
// vouches for its answer only where it is sure to agree with the debugger:
// any frame it cannot unwind by the book (no CFI, a DWARF expression, a
// signal trampoline, a stack that does not grow) ends the walk unvouched,
// and the caller asks the debugger instead.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "unwind/cfi.h"

namespace cpydbg::unwind {

struct Registers {
  std::array<uint64_t, kRegisters> value{};
  uint32_t known = 0;  // bit n: value[n] is known

  bool has(int reg) const { return (known >> reg) & 1; }
  void set(int reg, uint64_t v) {
    value[size_t(reg)] = v;
    known |= 1u << reg;
  }
};

// The registers of a struct user_regs_struct (x86-64, as NT_PRSTATUS and
// PTRACE_GETREGS give it: 27 words), in DWARF numbering.
Registers from_user_regs(const std::array<uint64_t, 27>& words);

// A file's CFI and where it is loaded, for the code at a runtime address.
struct Code {
  const CallFrameInfo* cfi = nullptr;
  uint64_t bias = 0;
};
using CodeAt = std::function<Code(uint64_t addr)>;
using ReadMemory = std::function<bool(uint64_t addr, void* buf, size_t size)>;

struct PhysicalFrame {
  uint64_t pc = 0;
  uint64_t lookup = 0;  // the address that names it: pc, or pc - 1 for a caller (the call)
  uint64_t function_start = 0;  // runtime address of its FDE's first byte
  uint64_t cfa = 0;             // its canonical frame address (the caller's stack pointer)
  Registers regs;               // as this frame sees them
};

struct Walk {
  std::vector<PhysicalFrame> frames;
  bool vouched = false;  // the debugger's unwinder finds exactly these frames
  std::string why;       // when not vouched: where and why the walk gave up
};

// Walks at most `max` frames from `start`. The walk ends after a frame whose
// function starts at `last_function` (gdb's "backtrace past-main" off: the
// frame of main is the last it shows); 0 for none.
Walk walk(const Registers& start, const CodeAt& code_at, const ReadMemory& read, size_t max,
          uint64_t last_function);

}  // namespace cpydbg::unwind
