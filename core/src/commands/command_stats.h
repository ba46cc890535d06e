// CPYDBG_STATS=<file>: a diagnostic for bench/. After each command the
// session appends one line to <file> saying what the command cost: its CPU
// and wall time inside the core, the target reads it made (bytes too), its
// calls into the debugger and the debugger's peak memory so far. Unset, the
// only cost is the target's counters (an increment per read).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cpydbg/target.h"

namespace cpydbg {

class CommandStats {
 public:
  CommandStats();  // reads CPYDBG_STATS once
  bool enabled() const { return !path_.empty(); }

  struct Mark {
    TargetStats target;
    uint64_t cpu_ns = 0, wall_ns = 0;
  };
  Mark start(const Target& target) const;
  // Append "name args<TAB>key=value ..." for the command started at `mark`.
  void finish(const Mark& mark, const Target& target, std::string_view name,
              std::string_view args, bool ok) const;

 private:
  std::string path_;
};

}  // namespace cpydbg
