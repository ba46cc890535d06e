// A DWARF location expression evaluated in one frame of our native walk,
// as gdb's `frame.read_var` reads a pointer-sized variable: a register's
// value, the 8 bytes at a computed address, or a computed value
// (DW_OP_stack_value). The operations GCC emits for such variables; any
// other (entry values, pieces, implicit values) is left to the debugger.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "unwind/unwinder.h"

namespace cpydbg::unwind {

struct FrameContext {
  const Registers& regs;  // as the frame sees them
  uint64_t cfa;           // the frame's canonical frame address
  uint64_t bias;          // of the file the expression comes from (DW_OP_addr)
  const ReadMemory& read;
};

// Nullopt: an expression we do not evaluate (ask the debugger). Inner
// nullopt: no value, as gdb would say (a register not saved, memory not
// readable).
std::optional<std::optional<uint64_t>> evaluate_location(std::string_view expression,
                                                         std::string_view frame_base,
                                                         const FrameContext& frame);

}  // namespace cpydbg::unwind
