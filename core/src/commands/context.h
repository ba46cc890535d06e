// What every command sees: the attached runtime and its helpers, the
// selected thread and Python frame, and small shared printing pieces.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands/thread_names.h"
#include "agent/python_breakpoints.h"
#include "cpydbg/session.h"
#include "objects/format.h"
#include "runtime/code.h"
#include "runtime/mixed_stack.h"
#include "runtime/native_activity.h"
#include "runtime/walker.h"

namespace cpydbg {

// A command's words after the name, with quotes honoured.
std::vector<std::string> split_args(std::string_view args);

// A user error: printed as one line, the command fails.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parse a non-negative count option value ("--limit 10").
size_t parse_count(const std::string& option, const std::string& value);

struct Context {
  Target& target;
  Reader reader;
  std::string forced_version;
  uint64_t generation = ~uint64_t(0);
  std::unique_ptr<Python> py;
  std::unique_ptr<ObjectFormatter> formatter;
  CodeCache* code = nullptr;  // formatter's
  std::unique_ptr<Walker> walker;
  size_t selected_frame = 0;  // index into the selected thread's Python frames
  // A command chose selected_frame since the process last stopped; before
  // that libpython's py-up/py-down start below every Python frame.
  bool frame_chosen = false;
  // The thread (its thread state) the selection belongs to: in another
  // thread it starts afresh, as the debugger's own frame selection does.
  uint64_t selection_thread = 0;
  std::map<std::string, std::vector<std::string>> source_cache;
  // interpreter -> what threading knows of its threads (thread_names.h), for this stop.
  std::map<uint64_t, std::map<uint64_t, PythonThread>> known_threads;
  // kernel thread id -> its native and Python frames, for this stop.
  std::map<uint64_t, MixedStack> mixed_stacks;
  // kernel thread id -> what its C code does (thread_header), for this stop.
  std::map<uint64_t, NativeActivity> native_activities;

  // The command line as typed (a breakpoint's condition keeps its spacing).
  std::string raw_args;
  // Python breakpoints (shared with the other sessions of this program), the
  // step to write into the agent once it is there, and what the last command
  // needs the front end to do.
  std::shared_ptr<PythonBreakpoints> breakpoints;
  std::optional<cpydbg_agent_request> pending_step;
  AgentNeeds agent_needs;

  Context(Target& t, std::shared_ptr<PythonBreakpoints> shared)
      : target(t), reader(t), breakpoints(std::move(shared)) {}

  // Before each command or view: drop what the process may have changed
  // since the last one (its generation moved), and restart the read budget.
  void start_command();

  // Attach on first use (throws RuntimeError with the reason).
  Python& python();
  ObjectFormatter& fmt() { python(); return *formatter; }
  ObjectAccess& access() { return fmt().access(); }

  // The Python thread the debugger has selected, if it is one.
  std::optional<ThreadInfo> debugger_thread(const std::vector<ThreadInfo>& threads);
  // The thread the debugger has selected, else the GIL holder, else the first.
  ThreadInfo selected_thread(const std::vector<ThreadInfo>& threads);
  std::vector<FrameInfo> selected_frames(ThreadInfo* thread_out = nullptr);
  FrameInfo selected_frame_info();

  // Current source line of a frame (from the line table).
  int line_of(const FrameInfo& frame, const CodeInfo& code);
  // Source text of `line` in `filename`, if the file is readable here.
  std::optional<std::string> source_line(const std::string& filename, int line);
  // The frame's current source line without its indentation, if readable.
  std::optional<std::string> frame_source(const FrameInfo& frame);

  // `File "app.py", line 42, in handle`
  std::string location(const FrameInfo& frame);
  // `#3 File "app.py", line 42, in handle`
  std::string frame_line(size_t index, const FrameInfo& frame);
  // The frame line (marked "* " when selected), its source line and, with
  // `locals`, its locals, each line after `indent`.
  void print_frame(std::ostream& out, size_t index, const FrameInfo& frame, bool locals,
                   bool selected, const std::string& indent = "");
  // The object bound to slot `i` of a frame's fast locals, cells and free
  // variables (a cell's contents, not the cell); nullopt when unbound.
  std::optional<uint64_t> slot_value(const FrameInfo& frame, const CodeInfo& code, size_t i);
  // The repr of a frame slot (fast local or value stack) at `slot_addr`:
  // "NULL", a tagged int (3.14+), or the object's repr.
  std::string slot_repr(uint64_t slot_addr, const FormatOptions& options);
  // A frame's arguments, locals, cells and free variables (a class body's
  // namespace), with their reprs.
  FrameVariables frame_variables(const FrameInfo& frame, const FormatOptions& options);
  // "name = repr" lines of them.
  void print_locals(std::ostream& out, const FrameInfo& frame, const std::string& indent,
                    const FormatOptions& options);
  // "Thread 0x… (tid N) "name" [daemon, holds the GIL, garbage-collecting]":
  // pthread_t, kernel id, the threading module's name for it and what the
  // thread is doing, where each is known.
  std::string thread_header(const ThreadInfo& thread);
  // The kernel id of a Python thread: 3.11+ record it, glibc's struct
  // pthread knows it for older ones; 0 when neither says.
  uint64_t lwp_of(const ThreadInfo& thread);
  // The native frames of thread `lwp` with the Python frames each eval loop
  // activation runs (`thread`: its Python state, null when it has none);
  // computed once per stop.
  const MixedStack& mixed_stack_of(uint64_t lwp, const ThreadInfo* thread);
  // What thread `lwp`'s C code does (`thread`: its Python state): from the
  // system call it is blocked in, else from its innermost native frames.
  const NativeActivity& native_activity_of(const ThreadInfo& thread, uint64_t lwp);
  // Select the debugger's native frame of the eval loop activation that runs
  // Python frame `index` of the selected thread, when it can be found.
  void follow_in_native_frames(size_t index);
};

// Each command: words in, text out (appended to `out`).
using CommandFn = void (*)(Context&, const std::vector<std::string>& args, std::ostream& out);
void cmd_pystack(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyobj(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyprint(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyopstack(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyframe(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyup(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pydown(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pylocals(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pylist(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyinfo(Context&, const std::vector<std::string>&, std::ostream&);
// libpython's commands in its format (libpython.cpp).
void cmd_py_bt(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_py_bt_full(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_py_up(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_py_down(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_py_locals(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_py_list(Context&, const std::vector<std::string>&, std::ostream&);

// Session::summary's text (value_views.cpp); throws when Python is unreadable.
std::string value_summary(Context& ctx, uint64_t addr, Session::Pointee pointee);
void cmd_pybreak(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pydelete(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pystep(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pynext(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pyfinish(Context&, const std::vector<std::string>&, std::ostream&);
void cmd_pywhere(Context&, const std::vector<std::string>&, std::ostream&);

// The agent (commands/agent_sync.cpp): bring the one in the process in line
// with the breakpoints (and `step`, when given), and say what the front end
// must do. At a safe point: the call to make there.
AgentNeeds agent_sync(Context& ctx, const cpydbg_agent_request* step = nullptr);
AgentCall agent_next_call(Context& ctx);
void agent_release(Context& ctx);
std::vector<uint64_t> agent_safe_points(Context& ctx);

// pystack -n: the native frames of the selected thread (every thread with
// `all`), with each eval loop activation's Python frames under it.
void print_native_stacks(Context& ctx, const std::vector<ThreadInfo>& threads, bool all,
                         bool locals, size_t limit, std::ostream& out);

}  // namespace cpydbg
