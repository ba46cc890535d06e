// Runtime -> interpreters -> threads -> Python frames, for every version
// family. All loops are bounded and cycle-checked: a corrupt process yields
// a shorter list and a `problem`, never a hang.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/python.h"

namespace cpydbg {

struct MemoryExtent {
  uint64_t start = 0, size = 0;
  bool contains(uint64_t addr) const { return addr >= start && addr - start < size; }
};

struct ThreadInfo {
  uint64_t tstate = 0;
  uint64_t interp = 0;
  uint64_t thread_id = 0;         // pthread_t
  uint64_t native_thread_id = 0;  // kernel tid (3.11+), else 0
  bool holds_gil = false;
  // The garbage collector runs in this thread: the interpreter's GC is
  // collecting and this thread holds the GIL (3.7+; unknown before).
  bool collecting_garbage = false;
  bool finalizing = false;  // this thread is finalizing the runtime (Py_FinalizeEx; 3.6+)
  uint64_t first_frame = 0;       // innermost PyFrameObject / _PyInterpreterFrame
};

struct FrameInfo {
  uint64_t addr = 0;         // PyFrameObject (≤3.10) or _PyInterpreterFrame (3.11+)
  uint64_t code = 0;         // PyCodeObject
  uint64_t frame_object = 0; // PyFrameObject, when one exists
  int64_t unit_offset = -1;  // byte offset of the current instruction's code unit; -1 = not started
  uint64_t localsplus = 0;   // first fast-local slot
  uint64_t stack_base = 0;   // value stack slot 0
  std::optional<int64_t> saved_depth;  // stack depth the frame itself recorded, when valid
  uint64_t globals = 0, locals = 0, builtins = 0;  // dicts (locals: 0 in optimised frames)
  bool innermost = false;    // first frame of its thread (its stack pointer is not saved)
  bool is_generator = false; // owned by a generator/coroutine (3.11+) or has f_gen
  bool is_entry = false;     // 3.11: first frame of a call into the eval loop from C
  // Which activation of the eval loop (_PyEval_EvalFrameDefault, 2.7's
  // PyEval_EvalFrameEx) runs the frame, counted from the innermost, 0. Up to
  // 3.10 each frame has its own; from 3.11 one runs several, down to the one
  // called from C (3.11 is_entry; 3.12+ the one above a shim frame).
  size_t activation = 0;
};

// Where a generator, coroutine or async generator is, as gi_running /
// gi_frame.f_lineno / inspect.getgeneratorstate would say.
struct GeneratorInfo {
  enum class State { NotStarted, Suspended, Running, Finished };
  State state = State::Finished;
  std::optional<FrameInfo> frame;  // absent once finished
};

struct WalkLimits {
  size_t max_frames = 100000;
  size_t max_threads = 10000;
};

class Walker {
 public:
  explicit Walker(Python& py) : py_(py) {}

  // Every thread of every interpreter; `problem` says where a chain broke.
  std::vector<ThreadInfo> threads(std::string* problem, const WalkLimits& limits = {});
  // The Python frames of one thread, innermost first, shim frames skipped.
  // `activations`, when given, receives how many eval loop activations the
  // chain spans (some may run no frame shown: not started yet, or only
  // frames still setting up).
  std::vector<FrameInfo> frames(const ThreadInfo& thread, std::string* problem,
                                const WalkLimits& limits = {}, size_t* activations = nullptr);
  // The frame at `addr`: a PyFrameObject ≤3.10, a _PyInterpreterFrame 3.11+.
  std::optional<FrameInfo> read_frame(uint64_t addr);
  // The frame a frame object stands for (3.11+: the interpreter frame it
  // points to, which it owns once the function has returned).
  std::optional<FrameInfo> frame_of_object(uint64_t frame_object);
  // The state and frame of the generator/coroutine object at `gen`; nullopt
  // when its memory is unreadable.
  std::optional<GeneratorInfo> generator(uint64_t gen);
  // Where the interpreter's GIL lies, with the mutexes and condition variables
  // it waits on; nullopt when the layout does not say (2.7 and 3.6 keep them
  // in static variables).
  std::optional<MemoryExtent> gil_extent(uint64_t interp);
  // Whether ThreadInfo::collecting_garbage can be read (3.7+; 2.7 and 3.6
  // where the symbol table names the collector's flag).
  bool knows_gc_state();

 private:
  std::optional<uint64_t> gil_holder(uint64_t interp);
  std::optional<uint64_t> finalizing_thread();  // the thread state finalizing the runtime
  bool gc_collecting(uint64_t interp);         // the interpreter's GC is collecting
  std::optional<uint64_t> static_gc_flag();    // 2.7's and 3.6's flag, where named
  Python& py_;
};

}  // namespace cpydbg
