// The user's Python breakpoints, as pybreak lists them. They belong to the
// debugger's program, not to one process: the sessions of every run of the
// same program share one list (a breakpoint set before `run` is there when
// the interpreter comes up, and again on the next run).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpydbg_agent.h"

namespace cpydbg {

struct PythonBreakpoint {
  enum class Kind { Line, Function, Main };
  uint32_t number = 0;
  uint32_t slot = 0;     // its place in the agent's table, for as long as it lives
  Kind kind = Kind::Line;
  std::string file;      // Line: as typed
  int line = 0;          // Line
  std::string function;  // Function: a name or qualified name
  std::string condition; // "" or a Python expression

  // "app.py:42", "handle_request", "the main script's first line"
  std::string location() const;
};

class PythonBreakpoints {
 public:
  // Parse "FILE:LINE | FUNCTION [if CONDITION]" and add it; throws
  // CommandError with what is wrong.
  const PythonBreakpoint& add(const std::string& spec);
  // The temporary breakpoint at the main script's first line.
  const PythonBreakpoint& add_main();
  // False when there is no breakpoint `number`.
  bool remove(uint32_t number);
  void clear() { list_.clear(); }

  const std::vector<PythonBreakpoint>& list() const { return list_; }
  const PythonBreakpoint* find(uint32_t number) const;

  // The table of the agent's request: one slot per breakpoint.
  void fill(cpydbg_agent_request& request) const;

 private:
  const PythonBreakpoint& push(PythonBreakpoint bp);
  std::vector<PythonBreakpoint> list_;
  uint32_t next_number_ = 1;
};

}  // namespace cpydbg
