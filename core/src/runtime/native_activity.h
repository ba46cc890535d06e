// What a thread's C code is doing, read from the names of its native frames
// (MixedStack's: the mapped files' ELF names, else the debugger's): the
// frames libpython names in its backtraces between the Python ones, and the
// states `pystack -a` shows for a thread blocked in C; or, cheaper, from the
// system call such a thread is blocked in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cpydbg/target.h"
#include "runtime/mixed_stack.h"
#include "runtime/walker.h"

namespace cpydbg {

// A native frame libpython's py-bt shows a line for.
struct LibpythonFrame {
  enum class Kind { None, WaitingForGil, GarbageCollecting, BuiltinCall, WrapperCall };
  Kind kind = Kind::None;
  // BuiltinCall, WrapperCall: the C variable holding what is called
  // ("func", "func_obj" or "wp"), as each version's libpython reads it.
  const char* variable = nullptr;
};
LibpythonFrame libpython_frame(const Python& py, const std::vector<NativeFrameInfo>& frames,
                               size_t level);

// What the thread's C code does, from its frames below the innermost eval
// loop frame (`frames` innermost first; a prefix of the stack will do).
struct NativeActivity {
  bool collecting_garbage = false;
  // "waiting for the GIL", "waiting on a lock", "in sleep", "in select", or "".
  std::string blocked;
};
NativeActivity native_activity(const Python& py, const std::vector<NativeFrameInfo>& frames);

// What a thread in system call `call` (or in none) waits for, without the
// native frames: a futex inside `gil`, the GIL's extent, is the GIL; a call
// that is not a wait, nothing. Nullopt when only the frames can say: a futex
// (a wait, or 2.7's hand-over of its GIL lock waking a waiter) while the
// GIL's extent is unknown, a call restarted after a signal. (What
// else the frames tell, the garbage collector at work, the interpreter's
// own state says where it can: Walker::knows_gc_state.)
std::optional<NativeActivity> syscall_activity(const Target::ThreadSyscall& call,
                                               const std::optional<MemoryExtent>& gil);

}  // namespace cpydbg
