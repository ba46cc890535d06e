// What the core needs from a debugger: memory, symbols, the selected thread,
// and (optionally) expression evaluation. Each front end adapts its debugger
// to this; tests use an in-memory fake. Every call can fail and says so by
// returning false / nullopt — never by throwing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpydbg {

// What the debugger has open: nothing yet (a program not started), a live
// process, or a core file. Python breakpoints need a live process.
enum class ProcessKind { None, Live, Core };

struct SelectedThread {
  uint64_t lwp = 0;      // kernel thread id (native_thread_id, 3.11+)
  uint64_t pthread = 0;  // pthread_t (thread_id of every version)
};

// What a target has done for the core so far: each implementation counts
// its own reads and its calls into the debugger (gdb: callbacks into its
// Python; LLDB: SB API requests, a native frame counting as one). bench/
// reports them per command, beside the time, to show the distance to the
// floor; counting costs an increment.
struct TargetStats {
  uint64_t reads = 0, bytes_read = 0, round_trips = 0;
};

class Target {
 public:
  virtual ~Target() = default;

  const TargetStats& stats() const { return stats_; }

  // Read exactly `size` bytes at `addr`. False if any byte is unreadable.
  virtual bool read(uint64_t addr, void* buf, size_t size) = 0;

  // Write `size` bytes at `addr` of a live, stopped process (the agent's
  // request, cpydbg_agent.h). At most kMaxWrite bytes; false if refused.
  static constexpr size_t kMaxWrite = 1 << 20;
  virtual bool write(uint64_t /*addr*/, const void* /*buf*/, size_t /*size*/) { return false; }

  virtual ProcessKind process_kind() { return ProcessKind::None; }

  // Address of a symbol (exported or local) from the symbol table; works
  // without DWARF. Nullopt when absent.
  virtual std::optional<uint64_t> symbol(std::string_view name) = 0;
  // A name of the Python C API (a release build lacks the debug ones, a
  // version those of another). Where the process exports that API (libpython,
  // or an executable that exports it), only exported names are searched, so
  // an absent one costs no search of the full tables; where it exports none
  // (a program that links Python in without exporting it), all, as symbol().
  virtual std::optional<uint64_t> api_symbol(std::string_view name) { return symbol(name); }

  // The thread the user selected in the debugger, if any.
  virtual std::optional<SelectedThread> selected_thread() { return std::nullopt; }

  // Evaluate a debugger expression to an integer (pyobj's argument).
  virtual std::optional<uint64_t> evaluate(std::string_view /*expr*/, std::string* error) {
    if (error) *error = "expressions are not supported by this target";
    return std::nullopt;
  }

  // The threads the debugger knows (kernel ids), in its own order.
  virtual std::vector<uint64_t> thread_lwps() { return {}; }

  // The native frames of thread `lwp`, innermost first, as the debugger's
  // unwinder finds them, at most `max` (at most kMaxNativeFrames: every front
  // end stops there, so their answers agree). Inlined calls are frames of their own,
  // with the pc of the frame they are inlined into. `function` is the
  // debugger's name for the frame, "" when it has none.
  static constexpr size_t kMaxNativeFrames = 4096;
  struct NativeFrame {
    uint64_t pc = 0;
    std::string function;
    bool inlined = false;  // inlined into the next (older) frame
  };
  virtual std::vector<NativeFrame> native_frames(uint64_t /*lwp*/, size_t /*max*/ = kMaxNativeFrames) {
    return {};
  }

  // For the frames at `levels` (indices into native_frames(lwp)), the integer
  // values of the named locals/arguments; nullopt where the debugger cannot
  // evaluate one (no DWARF, optimised out). pyopstack reads the eval loop's
  // `stack_pointer` this way.
  using FrameValues = std::vector<std::optional<uint64_t>>;
  virtual std::vector<FrameValues> native_frame_values(uint64_t /*lwp*/,
                                                       const std::vector<size_t>& levels,
                                                       const std::vector<std::string>& names) {
    return std::vector<FrameValues>(levels.size(), FrameValues(names.size()));
  }

  // The system call thread `lwp` is in at this stop, read past the debugger
  // (/proc for a live process, the core's register notes): what a blocked
  // thread waits for, for a fraction of what unwinding it costs. Nullopt
  // when the target cannot say (then the native frames tell).
  struct ThreadSyscall {
    int64_t number = -1;  // x86-64 Linux numbering; -1: not in a system call
    uint64_t args[6] = {};
  };
  virtual std::optional<ThreadSyscall> thread_syscall(uint64_t /*lwp*/) { return std::nullopt; }

  // Make native frame `level` of the selected thread the debugger's selected
  // frame (pyframe follows the Python frame into its eval loop activation).
  virtual bool select_native_frame(size_t /*level*/) { return false; }
  // The level of the selected thread's frame the debugger has selected (0:
  // the innermost); nullopt when it cannot say. libpython's commands start there.
  virtual std::optional<size_t> selected_native_level() { return std::nullopt; }

  // The function (ELF symbol whose extent holds `addr`; "" when none does)
  // and the path of the mapped file it lies in ("" when none), from the
  // mapped files' own symbol tables: the same answer in every debugger.
  struct CodeSymbol {
    std::string function, module;
  };
  virtual CodeSymbol symbol_at(uint64_t /*addr*/) { return {}; }

  // Changes whenever the process may have run since the last call (stop id).
  // The core drops its caches and Python-frame selection when it changes.
  virtual uint64_t generation() { return 0; }

  // Paths of the loaded executable and shared libraries; the libpython
  // soname tells the version when no symbol does (2.7, 3.6 … 3.10).
  virtual std::vector<std::string> module_paths() { return {}; }

 protected:
  TargetStats stats_;
};

}  // namespace cpydbg
