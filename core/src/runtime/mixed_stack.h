// One thread's native frames with the Python frames each eval loop
// activation runs: what `pystack -n`, gdb's frame filter and pyframe's
// native frame selection share. Native frames come from the debugger's
// unwinder; functions are named from the mapped files' ELF tables where
// those name them, so that every debugger prints the same name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpydbg/target.h"
#include "runtime/walker.h"

namespace cpydbg {

struct NativeFrameInfo {
  uint64_t pc = 0;
  std::string function;  // "" when neither the debugger nor the ELF tables name it
  std::string module;    // file name (no directory); "" when no mapped file holds pc
  bool inlined = false;  // inlined into the next (older) frame
  bool is_eval = false;  // an activation of the eval loop
  std::vector<size_t> python;  // indices into MixedStack::python it runs, innermost first
};

struct MixedStack {
  std::vector<NativeFrameInfo> native;
  std::vector<FrameInfo> python;  // as Walker::frames gives them
  bool truncated = false;         // the unwinder stopped at Target::kMaxNativeFrames
  std::string problem;            // why the attribution may be off, "" when it fits
};

// The eval loop's C function in this version.
const char* eval_function(const Python& py);

// Thread `lwp`'s innermost `max` native frames, named as MixedStack names
// them, without the Python frames.
std::vector<NativeFrameInfo> native_frames_of(Python& py, uint64_t lwp, size_t max);

// `thread` may be null: a thread with no Python state (only native frames).
MixedStack mixed_stack(Python& py, Walker& walker, uint64_t lwp, const ThreadInfo* thread);

// The native level of the activation running Python frame `index`, if any.
std::optional<size_t> native_level_of(const MixedStack& stack, size_t index);

}  // namespace cpydbg
