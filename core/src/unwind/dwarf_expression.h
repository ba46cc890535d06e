// A DWARF location expression evaluated in one frame of our native walk,
// as gdb's `frame.read_var` reads a pointer-sized variable: a register's
// value, the 8 bytes at a computed address, or a computed value
// (DW_OP_stack_value). The operations GCC emits for such variables, entry
// values of registers included; any other (pieces, implicit values) is left
// to the debugger.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "unwind/unwinder.h"

namespace cpydbg::unwind {

// DW_OP_entry_value(DW_OP_regN): what register N held when the frame's
// function was entered, as its caller passed it. Nullopt: ask the
// debugger; inner nullopt: no value (gdb cannot tell it either).
using EntryValue = std::function<std::optional<std::optional<uint64_t>>(int reg)>;

struct FrameContext {
  const Registers& regs;  // as the frame sees them
  uint64_t cfa;           // the frame's canonical frame address
  uint64_t bias;          // of the file the expression comes from (DW_OP_addr)
  const ReadMemory& read;
  const EntryValue* entry_value = nullptr;  // none: entry values are left to the debugger
};

// Nullopt: an expression we do not evaluate (ask the debugger). Inner
// nullopt: no value, as gdb would say (a register not saved, memory not
// readable).
std::optional<std::optional<uint64_t>> evaluate_location(std::string_view expression,
                                                         std::string_view frame_base,
                                                         const FrameContext& frame);

}  // namespace cpydbg::unwind
