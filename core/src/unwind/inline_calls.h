// What a file's DWARF says about a code address: the calls inlined there
// and the call sites, which gdb shows as frames of their own (inlined calls,
// tail calls), and where the variables are. Our native walk needs it to number frames as gdb does; the
// DWARF reader (unwind/dwarf_inline.h) provides it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpydbg::unwind {

// A call's DW_TAG_call_site: gdb draws a frame for each function that
// tail-called its way from the caller's call to the callee.
struct CallSite {
  uint64_t return_pc = 0;      // link-time
  bool computed = false;       // DW_AT_call_target: the callee is computed at run time
  bool resolvable = true;      // false: its target DIE gives no address (gdb finds none)
  uint64_t target = 0;         // the callee's link-time address in this file, when defined here
  std::string target_name;     // else its name, looked up in the symbol tables
  // What it passes in registers: DWARF register, the expression of the
  // value in the caller's frame (DW_AT_call_value), for DW_OP_entry_value.
  struct RegisterValue {
    int reg;
    std::string value;
  };
  std::vector<RegisterValue> register_values;
};

struct InlineCalls {
  std::vector<std::string> inlined;  // the inlined functions' names, innermost first
  std::string function;              // the enclosing subprogram's name; "" when none covers it
  uint64_t function_entry = 0;       // its link-time entry (first range), 0 when unknown
  bool at_inline_entry = false;      // the address starts one of those inlined calls
  std::optional<CallSite> call;      // the call site that returns to `return_pc`, when asked
};

// Where gdb's `frame.read_var(name)` finds a variable at an address.
struct VariableLocation {
  enum Kind {
    Elsewhere,     // not in the function's scopes: gdb would go on to static and global names
    OptimizedOut,  // no location at this address
    Expression,    // `expression` gives it
  } kind = Elsewhere;
  std::string expression;  // DWARF location expression
  std::string frame_base;  // the subprogram's DW_AT_frame_base, for DW_OP_fbreg
};

class InlineCallSource {
 public:
  virtual ~InlineCallSource() = default;
  // At link-time address `addr` of the file `path` (or its separate debug
  // file), with the call site returning to `return_pc` (0: none asked):
  // nothing when the file has no DWARF there; nullopt when it has DWARF this
  // reader cannot read, so that no one guesses.
  virtual std::optional<InlineCalls> at(const std::string& path, uint64_t addr,
                                        uint64_t return_pc = 0) = 0;
  // Variable `name` at `addr`, in the scopes of the function `depth`
  // levels out from the innermost there (0: the innermost inlined call, or
  // the subprogram when nothing is inlined); nullopt as above.
  virtual std::optional<VariableLocation> variable(const std::string& path, uint64_t addr,
                                                   size_t depth, const std::string& name) = 0;
  // The tail calls the function whose code holds `addr` makes; nullopt as above.
  virtual std::optional<std::vector<CallSite>> tail_calls(const std::string& path,
                                                          uint64_t addr) = 0;
};

}  // namespace cpydbg::unwind
