// A thread's native frames numbered as gdb numbers them (each inlined call
// a frame of its own; none past main), from our own walk: the CFI unwinder,
// the ELF tables for main, the DWARF for inlined calls. Nullopt whenever the
// walk cannot vouch for agreeing with gdb frame for frame; then the front
// end asks gdb, which is always right and slow. The frames' variables
// come from the same walk, read as gdb reads them.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "cpydbg/target.h"
#include "target/module_symbols.h"
#include "unwind/inline_calls.h"
#include "unwind/unwinder.h"

namespace cpydbg::unwind {

class GdbFrames {
 public:
  // Nullopt where the walk cannot vouch for every frame.
  static std::optional<GdbFrames> walk(const Registers& start, ModuleSymbols& modules,
                                       InlineCallSource& dwarf, const ReadMemory& read,
                                       size_t max);

  const std::vector<Target::NativeFrame>& frames() const { return frames_; }

  // The level of the one frame gdb shows with this pc and stack pointer;
  // nullopt when none has them, or several do (the inlined calls and the
  // function of one physical frame share both, as tail-call frames may).
  std::optional<size_t> level_of(uint64_t pc, uint64_t sp) const;

  // The values of `names` in the frames at `levels` (Target::native_frame_values),
  // as gdb's `frame.read_var` finds them; nullopt where one needs gdb (an
  // entry value gdb may read otherwise, a tail-call frame, a name outside
  // the function).
  std::optional<std::vector<Target::FrameValues>> values(const std::vector<size_t>& levels,
                                                         const std::vector<std::string>& names,
                                                         ModuleSymbols& modules,
                                                         InlineCallSource& dwarf,
                                                         const ReadMemory& read) const;

 private:
  // Where a frame of frames_ comes from: a physical frame of the walk, and
  // which function of those at its pc (0: the innermost inlined call, …, the
  // subprogram last); no depth for a tail-call frame.
  struct Origin {
    size_t physical;
    std::optional<size_t> depth;
  };
  // DW_OP_entry_value of register `reg` in physical frame `physical`, as
  // unwind::EntryValue says.
  std::optional<std::optional<uint64_t>> entry_value(size_t physical, int reg,
                                                     ModuleSymbols& modules,
                                                     InlineCallSource& dwarf,
                                                     const ReadMemory& read) const;

  std::vector<Target::NativeFrame> frames_;
  std::vector<Origin> origins_;
  std::vector<PhysicalFrame> physical_;
  // By physical frame: the call site that returns into it (none for the
  // innermost), the entry of the function it runs.
  std::vector<std::optional<CallSite>> calls_;
  std::vector<uint64_t> entries_;
  // By function entry: whether gdb refuses its entry values (it can tail-call
  // itself, or the search fails); nullopt: DWARF we cannot read.
  mutable std::map<uint64_t, std::optional<bool>> self_tail_calls_;
};

}  // namespace cpydbg::unwind
