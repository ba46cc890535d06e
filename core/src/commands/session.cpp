// Session: command table, argument splitting, attach-on-first-use, and the
// boundary where every error becomes one line of text.
#include "cpydbg/session.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "commands/command_stats.h"
#include "commands/context.h"
#include "runtime/stackref.h"
#include "target/glibc_threads.h"
#include "cpydbg/registry.h"

namespace cpydbg {

struct Session::State {
  Context ctx;
  bool layouts_checked = false;  // a $CPYDBG_LAYOUTS problem is said once per session
  // The generation at which attaching last failed: views asked about every
  // frame of every `bt` must not retry it (and its symbol lookups) each time.
  std::optional<uint64_t> attach_failed_at;
  CommandStats stats;  // CPYDBG_STATS
  State(Target& t, std::shared_ptr<PythonBreakpoints> breakpoints)
      : ctx(t, breakpoints ? std::move(breakpoints) : std::make_shared<PythonBreakpoints>()) {}
};

namespace {

struct Entry {
  CommandInfo info;
  CommandFn fn;
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {{"pystack", "", "Show the Python stack of the selected thread (-a: every thread).",
        "pystack [-a|--all] [-l|--locals] [-n|--native] [--limit N]\n"
        "Print the Python frames innermost first: '#N File \"f\", line L, in name' and the\n"
        "source line. -a: every thread, headed 'Thread <pthread_t> (tid <kernel id>)\n"
        "\"<threading name>\" [<states>]', the states among: holds the GIL,\n"
        "garbage-collecting, finalizing (the runtime), daemon. -l: each frame's\n"
        "arguments and locals.\n"
        "-n: the thread's native frames instead, innermost first ('#N  0xPC in function ()\n"
        "from file'), each eval loop frame followed by the Python frames it runs; with -a\n"
        "also the threads that run no Python. Names come from the mapped files' symbol\n"
        "tables, else from the debugger's debug info ('?" "?' when neither has one).\n"
        "--limit N: at most N frames per thread (native ones with -n)."},
       cmd_pystack},
      {{"pyobj", "", "Print the Python object at an address or expression.",
        "pyobj [--depth D] [--max-items N] <address | expression>\n"
        "Print type, refcount and address of the object, then its bounded repr, then:\n"
        "where a generator or coroutine is (suspended at / running at / finished), an\n"
        "exception's traceback, the attributes (__dict__, __slots__) of an instance of a\n"
        "class defined in Python."},
       cmd_pyobj},
      {{"pyopstack", "", "Show the bytecode and value stack of a Python frame.",
        "pyopstack [-a] [N] | pyopstack -g <generator address | expression>\n"
        "For Python frame N (default: the selected one): the instructions around the\n"
        "current one (arrow on it; argument with its meaning: name, constant, local,\n"
        "jump target, operator), the value-stack depth and where it came from (saved\n"
        "by the interpreter, checked against the bytecode; or computed from the\n"
        "bytecode), and every stack slot bottom to top. Values the current instruction\n"
        "has already taken off the stack (a call's arguments, the operands of a `+`\n"
        "that is running __radd__) follow, marked '(taken by OPNAME)'.\n"
        "-a: every frame of the thread. -g: the frame of a suspended generator,\n"
        "coroutine or async generator object."},
       cmd_pyopstack},
      {{"opcode-stack", "pyopstack", "Alias of pyopstack.", "opcode-stack [-a] [N] | opcode-stack -g <generator>"}, cmd_pyopstack},
      {{"pyframe", "", "Select Python frame N of the selected thread.", "pyframe [N]"}, cmd_pyframe},
      {{"pyup", "", "Select the Python frame that called this one.", "pyup [N]"}, cmd_pyup},
      {{"pydown", "", "Select the Python frame this one called.", "pydown [N]"}, cmd_pydown},
      {{"pylocals", "", "Print the selected Python frame's arguments, locals and cells.",
        "pylocals\nIn a class body: the names of its namespace so far."}, cmd_pylocals},
      {{"pylist", "", "List source lines around the selected Python frame's line.",
        "pylist [LINE]"}, cmd_pylist},
      {{"pyinfo", "", "Show the detected Python version, layout table and sanity checks.",
        "pyinfo [--python-version X.Y]\n"
        "The version and where it was read, the layout table and where it came from, and\n"
        "the sanity checks it passed. For 3.13+ also the process's own _Py_DebugOffsets\n"
        "(checked against the table: a table that disagrees is not trusted) and, when no\n"
        "table fits (or CPYDBG_BUILTIN_LAYOUTS=0 switched the built-in ones off), the\n"
        "partial layout built from them: what it adds and what it does not cover.\n"
        "--python-version forces the version when it cannot be detected."},
       cmd_pyinfo},
      {{"pybreak", "", "Set a Python breakpoint, or list them.",
        "pybreak FILE:LINE [if CONDITION] | pybreak FUNCTION [if CONDITION] | pybreak --main | pybreak\n"
        "Stop when Python runs line LINE of FILE (a path, or its end: app.py matches\n"
        "/srv/app.py), or when FUNCTION (a name or a qualified name: Class.method on\n"
        "3.11+) is called, at its first line. CONDITION is a Python expression evaluated\n"
        "in that frame: the program stops when it is true, or when it raises (the error\n"
        "is shown). --main: stop once, at the first line of the main script (set it\n"
        "before running the program). Without arguments: list the Python breakpoints\n"
        "(number, location, hits in this process, condition).\n"
        "Live processes only, started by the debugger (set before `run`, they wait for\n"
        "the interpreter) or attached to. cpydbg's agent library is loaded into the\n"
        "process (LD_PRELOAD for a program the debugger starts, else at the next safe\n"
        "point: a thread entering the eval loop or releasing the GIL) and traces Python\n"
        "only while a Python breakpoint or step exists. After a stop, pystack, pylocals,\n"
        "pyopstack and pyobj see the stopped frame; pywhere says why it stopped."},
       cmd_pybreak},
      {{"pydelete", "", "Delete Python breakpoints: those numbered, or all.",
        "pydelete [N ...]\n"
        "Without numbers, every Python breakpoint goes; once none is left (and no step\n"
        "is under way) the agent removes its trace function and the program runs at full\n"
        "speed again."},
       cmd_pydelete},
      {{"pystep", "", "Run to the next Python line, entering calls.",
        "pystep\n"
        "Continue the selected thread to the next Python line it runs, in this frame, a\n"
        "function it calls, or its caller once it returns. Other threads run meanwhile."},
       cmd_pystep},
      {{"pynext", "", "Run to the next Python line of the selected frame, over calls.",
        "pynext\n"
        "Continue until the selected Python frame reaches its next line (calls it makes\n"
        "run to completion), or returns: then the caller's next line."},
       cmd_pynext},
      {{"pyfinish", "", "Run until the selected Python frame returns; show its value.",
        "pyfinish\n"
        "Continue until the selected Python frame returns (or yields), and stop there:\n"
        "the frame is still on the stack, and the value it returns is printed like pyobj."},
       cmd_pyfinish},
      {{"pywhere", "", "Show where and why Python stopped: breakpoint, step or return.",
        "pywhere\n"
        "After a stop at a Python breakpoint, step or pyfinish: which one, the frame and\n"
        "its source line, and for pyfinish the value returned. Printed at every such stop."},
       cmd_pywhere},
      {{"py-bt", "", "libpython's py-bt: the Python backtrace in libpython's format.",
        "py-bt\n"
        "'Traceback (most recent call first):', then each Python frame from the\n"
        "selected one outwards as '  File \"F\", line L, in NAME' and its source line,\n"
        "as libpython.py prints them."},
       cmd_py_bt},
      {{"py-bt-full", "", "libpython's py-bt-full: each frame with its locals.",
        "py-bt-full\n"
        "Each Python frame from the selected one outwards as '#N Frame 0x…, for file F,\n"
        "line L, in NAME (local=value, …)' and its source line, as libpython.py prints\n"
        "them (values in libpython's style)."},
       cmd_py_bt_full},
      {{"py-print", "", "libpython's py-print: a Python variable of the selected frame.",
        "py-print NAME\n"
        "Look NAME up from the selected Python frame as libpython does: its locals, cells\n"
        "and free variables (the cell's contents), a class body's namespace, then globals,\n"
        "then builtins; print \"local|global|builtin 'NAME' = value\", or \"'NAME' not\n"
        "found\"."}, cmd_pyprint},
      {{"py-locals", "", "libpython's py-locals: the locals of the selected frame.",
        "py-locals\n"
        "'NAME = value' for each local of the selected Python frame; from 3.11, as\n"
        "libpython does, for each frame of its eval-loop activation under 'Locals for F'."},
       cmd_py_locals},
      {{"py-list", "", "libpython's py-list: source around the selected frame's line.",
        "py-list [START | START, END]\n"
        "Source lines of the selected Python frame ('>' on its current line): around it,\n"
        "START to START+10, or START to END."},
       cmd_py_list},
      {{"py-up", "", "libpython's py-up: select the calling eval-loop activation.",
        "py-up\n"
        "Select the Python frames of the next older eval-loop activation (from 3.11 one\n"
        "activation runs several frames) and print each as py-bt-full does. At a fresh\n"
        "stop the first py-up selects the innermost one."},
       cmd_py_up},
      {{"py-down", "", "libpython's py-down: select the called eval-loop activation.",
        "py-down\n"
        "Select the Python frames of the next newer eval-loop activation and print each\n"
        "as py-bt-full does."},
       cmd_py_down},
  };
  return entries;
}

}  // namespace

std::vector<std::string> split_args(std::string_view args) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < args.size()) cur += args[++i];
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur), cur.clear(), in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

size_t parse_count(const std::string& option, const std::string& value) {
  try {
    size_t pos = 0;
    long long v = std::stoll(value, &pos, 0);
    if (pos == value.size() && v >= 0) return static_cast<size_t>(v);
  } catch (...) {
  }
  throw CommandError(option + " takes a non-negative number, not '" + value + "'");
}

Session::Session(Target& target, std::shared_ptr<PythonBreakpoints> breakpoints)
    : state_(std::make_unique<State>(target, std::move(breakpoints))) {}
Session::~Session() = default;

const std::vector<CommandInfo>& Session::commands() {
  static const std::vector<CommandInfo> infos = [] {
    std::vector<CommandInfo> v;
    for (const auto& e : table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

CommandResult Session::execute(std::string_view name, std::string_view args) {
  const CommandStats& stats = state_->stats;
  if (!stats.enabled()) return run(name, args);
  CommandStats::Mark mark = stats.start(state_->ctx.target);
  CommandResult result = run(name, args);
  stats.finish(mark, state_->ctx.target, name, args, result.ok);
  return result;
}

CommandResult Session::run(std::string_view name, std::string_view args) {
  Context& ctx = state_->ctx;
  auto entry = std::find_if(table().begin(), table().end(),
                            [&](const Entry& e) { return e.info.name == name; });
  if (entry == table().end()) return {"unknown cpydbg command '" + std::string(name) + "'\n", false};
  std::ostringstream out;
  try {
    ctx.start_command();
    ctx.raw_args = std::string(args);
    ctx.agent_needs = {};
    if (!state_->layouts_checked) {  // a mistyped directory must not go unnoticed
      state_->layouts_checked = true;
      const std::string& problem = LayoutRegistry::instance().override_problem();
      if (!problem.empty()) out << "warning: " << problem << "\n";
    }
    entry->fn(ctx, split_args(args), out);
    ctx.agent_needs.watch |= !ctx.breakpoints->list().empty() || ctx.pending_step.has_value();
  } catch (const std::exception& e) {
    std::string msg = e.what();
    return {out.str() + "cpydbg: " + msg + (msg.empty() || msg.back() != '\n' ? "\n" : ""),
            false};
  }
  return {out.str(), true};
}

std::vector<PythonFrameView> Session::python_frames_at(size_t level) {
  Context& ctx = state_->ctx;
  std::vector<PythonFrameView> views;
  try {
    ctx.start_command();
    if (state_->attach_failed_at == ctx.generation) return views;
    try {
      ctx.python();
    } catch (const RuntimeError&) {
      state_->attach_failed_at = ctx.generation;
      return views;
    }
    std::string problem;
    auto threads = ctx.walker->threads(&problem);
    auto thread = ctx.debugger_thread(threads);
    uint64_t lwp = thread ? ctx.lwp_of(*thread) : 0;
    if (!lwp) return views;
    const MixedStack& stack = ctx.mixed_stack_of(lwp, &*thread);
    if (level >= stack.native.size()) return views;
    for (size_t i : stack.native[level].python) {
      const FrameInfo& f = stack.python[i];
      PythonFrameView v;
      v.index = i;
      if (const CodeInfo* c = ctx.code->get(f.code)) {
        v.function = c->qualname;
        v.filename = c->filename;
        v.line = ctx.line_of(f, *c);
      }
      v.variables = ctx.frame_variables(f, {2, 20, 200, 2000});
      views.push_back(std::move(v));
    }
  } catch (const std::exception&) {
    views.clear();  // a corrupt process: the debugger's own view stays as it is
  }
  return views;
}

std::optional<std::string> Session::summary(uint64_t addr, Pointee pointee) {
  Context& ctx = state_->ctx;
  try {
    ctx.start_command();
    if (state_->attach_failed_at == ctx.generation) return std::nullopt;
    try {
      ctx.python();
    } catch (const RuntimeError&) {  // no Python here (yet): the debugger's own printing
      state_->attach_failed_at = ctx.generation;
      return std::nullopt;
    }
    return value_summary(ctx, addr, pointee);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::shared_ptr<PythonBreakpoints> Session::python_breakpoints() const {
  return state_->ctx.breakpoints;
}

AgentNeeds Session::agent_needs() const { return state_->ctx.agent_needs; }

AgentCall Session::agent_next_call() {
  Context& ctx = state_->ctx;
  try {
    ctx.start_command();
    ctx.reader.reset();  // the agent's calls ran the process without a new stop id
    return cpydbg::agent_next_call(ctx);
  } catch (const std::exception&) {
    return {};
  }
}

void Session::agent_release() {
  Context& ctx = state_->ctx;
  try {
    ctx.start_command();
    cpydbg::agent_release(ctx);
  } catch (const std::exception&) {
  }
}

const std::vector<std::string>& Session::agent_safe_point_functions() {
  // Before a thread waits (sleep, I/O, a lock), and whenever C code runs a
  // Python function (every call up to 3.10); 2.7's eval loop has the old name.
  static const std::vector<std::string> names = {"PyEval_SaveThread", "_PyEval_EvalFrameDefault",
                                                 "PyEval_EvalFrameEx"};
  return names;
}

std::vector<uint64_t> Session::agent_safe_points() {
  Context& ctx = state_->ctx;
  try {
    ctx.start_command();
    return cpydbg::agent_safe_points(ctx);
  } catch (const std::exception&) {
    return {};
  }
}

// ---- Context ----

void Context::start_command() {
  uint64_t gen = target.generation();
  if (gen != generation) {  // the process ran: nothing cached is true any more
    generation = gen;
    reader.reset();
    if (code) code->process_ran();
    selected_frame = 0;
    known_threads.clear();
    mixed_stacks.clear();
    native_activities.clear();
    frame_chosen = false;
    selection_thread = 0;
  }
  reader.start_command();
}

Python& Context::python() {
  if (!py) {
    py = Python::attach(reader, forced_version);
    formatter = std::make_unique<ObjectFormatter>(*py);
    code = &formatter->codes();
    walker = std::make_unique<Walker>(*py);
  }
  return *py;
}

std::optional<ThreadInfo> Context::debugger_thread(const std::vector<ThreadInfo>& threads) {
  auto sel = target.selected_thread();
  if (sel)
    for (const auto& t : threads)
      if ((sel->lwp && t.native_thread_id == sel->lwp) ||
          (sel->pthread && t.thread_id == sel->pthread))
        return t;
  return std::nullopt;
}

ThreadInfo Context::selected_thread(const std::vector<ThreadInfo>& threads) {
  if (threads.empty()) throw CommandError("the Python runtime has no threads (not initialised?)");
  if (auto t = debugger_thread(threads)) return *t;
  if (auto sel = target.selected_thread()) {
    bool comparable = sel->pthread != 0;  // else only 3.11+ native ids can tell
    for (const auto& t : threads) comparable |= sel->lwp && t.native_thread_id;
    // Showing the GIL holder instead would pass another thread's stack off
    // as the selected one's.
    if (comparable)
      throw CommandError("the selected thread (tid " + std::to_string(sel->lwp) +
                         ") runs no Python code; pystack -a shows every Python thread");
  }
  for (const auto& t : threads)
    if (t.holds_gil) return t;
  return threads.front();
}

std::vector<FrameInfo> Context::selected_frames(ThreadInfo* thread_out) {
  python();
  std::string problem;
  auto threads = walker->threads(&problem);
  ThreadInfo t = selected_thread(threads);
  if (thread_out) *thread_out = t;
  if (t.tstate != selection_thread) {
    selection_thread = t.tstate;
    selected_frame = 0;
    frame_chosen = false;
  }
  return walker->frames(t, &problem);
}

FrameInfo Context::selected_frame_info() {
  auto frames = selected_frames();
  if (frames.empty()) throw CommandError("no Python frames in the selected thread");
  if (selected_frame >= frames.size()) selected_frame = frames.size() - 1;
  return frames[selected_frame];
}

int Context::line_of(const FrameInfo& frame, const CodeInfo& c) {
  int line = line_at(c, frame.unit_offset);
  return line < 0 ? c.firstlineno : line;
}

std::optional<std::string> Context::source_line(const std::string& filename, int line) {
  auto it = source_cache.find(filename);
  if (it == source_cache.end()) {
    std::vector<std::string> lines;
    // The name comes from the target: a device (/dev/zero) would be read
    // forever and a FIFO would block, so only regular files of sane size.
    constexpr uintmax_t kMaxSourceBytes = 64 << 20;
    std::error_code ec;
    if (std::filesystem::is_regular_file(filename, ec) &&
        std::filesystem::file_size(filename, ec) <= kMaxSourceBytes) {
      std::ifstream in(filename);
      for (std::string l; lines.size() < 1000000 && std::getline(in, l);) lines.push_back(l);
    }
    it = source_cache.emplace(filename, std::move(lines)).first;
  }
  if (line < 1 || size_t(line) > it->second.size()) return std::nullopt;
  return it->second[line - 1];
}

std::optional<std::string> Context::frame_source(const FrameInfo& frame) {
  const CodeInfo* c = code->get(frame.code);
  if (!c) return std::nullopt;
  auto src = source_line(c->filename, line_of(frame, *c));
  if (!src) return std::nullopt;
  size_t start = src->find_first_not_of(" \t");
  return start == std::string::npos ? "" : src->substr(start);
}

std::string Context::location(const FrameInfo& frame) {
  const CodeInfo* c = code->get(frame.code);
  if (!c) return "<unreadable code object at " + std::to_string(frame.code) + ">";
  return "File \"" + c->filename + "\", line " + std::to_string(line_of(frame, *c)) + ", in " +
         c->qualname;
}

std::string Context::frame_line(size_t index, const FrameInfo& frame) {
  return "#" + std::to_string(index) + " " + location(frame);
}

void Context::print_frame(std::ostream& out, size_t index, const FrameInfo& f, bool locals,
                          bool selected, const std::string& indent) {
  out << indent << (selected ? "* " : "") << frame_line(index, f) << "\n";
  if (auto src = frame_source(f)) out << indent << "    " << *src << "\n";
  if (locals) print_locals(out, f, indent + "        ", {2, 20, 200, 2000});
}

uint64_t Context::lwp_of(const ThreadInfo& t) {
  // Before 3.11 the thread state has no kernel id; glibc's struct pthread does.
  return t.native_thread_id ? t.native_thread_id : glibc_tid_of(target, t.thread_id).value_or(0);
}

const MixedStack& Context::mixed_stack_of(uint64_t lwp, const ThreadInfo* thread) {
  auto it = mixed_stacks.find(lwp);
  if (it == mixed_stacks.end())
    it = mixed_stacks.emplace(lwp, mixed_stack(python(), *walker, lwp, thread)).first;
  return it->second;
}

const NativeActivity& Context::native_activity_of(const ThreadInfo& thread, uint64_t lwp) {
  auto it = native_activities.find(lwp);
  if (it != native_activities.end()) return it->second;
  // The system call the thread is in says what it waits for (gdb takes ~1 ms
  // to switch to a thread and unwind it: 100 threads would be most of
  // pystack -a's time), and that it waits for nothing when it is in none;
  // only the frames show the collector where the interpreter does not (2.7, 3.6).
  if (auto call = target.thread_syscall(lwp))
    if (auto activity = syscall_activity(*call, walker->gil_extent(thread.interp)))
      if (!activity->blocked.empty() || walker->knows_gc_state())
        return native_activities.emplace(lwp, *activity).first->second;
  // Else the frames below the innermost eval loop frame: a stack computed for
  // this stop has them, else the innermost few (unwinding costs the debugger
  // about 30 µs a frame), more only when they hold no eval frame.
  std::vector<NativeFrameInfo> frames;
  if (auto stack = mixed_stacks.find(lwp); stack != mixed_stacks.end()) {
    frames = stack->second.native;
  } else {
    for (size_t depth : {16, 64}) {
      frames = native_frames_of(python(), lwp, depth);
      if (frames.size() < depth ||
          std::any_of(frames.begin(), frames.end(), [](const auto& f) { return f.is_eval; }))
        break;
    }
  }
  return native_activities.emplace(lwp, cpydbg::native_activity(python(), frames)).first->second;
}

void Context::follow_in_native_frames(size_t index) {
  ThreadInfo thread;
  selected_frames(&thread);
  uint64_t lwp = lwp_of(thread);
  if (!lwp) return;
  if (auto level = native_level_of(mixed_stack_of(lwp, &thread), index))
    target.select_native_frame(*level);
}

std::string Context::thread_header(const ThreadInfo& t) {
  std::ostringstream s;
  s << "Thread 0x" << std::hex << t.thread_id << std::dec;
  uint64_t lwp = lwp_of(t);
  if (lwp) s << " (tid " << lwp << ")";
  auto threads = known_threads.find(t.interp);
  if (threads == known_threads.end())
    threads = known_threads.emplace(t.interp, python().coverage().has(Feature::ThreadNames)
                                                  ? python_threads(python(), fmt(), t.interp)
                                                  : std::map<uint64_t, PythonThread>{})
                  .first;
  auto thread = threads->second.find(t.thread_id);
  if (thread != threads->second.end()) s << " \"" << thread->second.name << "\"";
  const NativeActivity none;
  const NativeActivity& activity = lwp ? native_activity_of(t, lwp) : none;
  std::vector<std::string> states;
  if (t.holds_gil) states.push_back("holds the GIL");
  // A GIL holder is not waiting for it, whatever its frames look like.
  if (!activity.blocked.empty() && (!t.holds_gil || activity.blocked != "waiting for the GIL"))
    states.push_back(activity.blocked);
  if (t.collecting_garbage || activity.collecting_garbage) states.push_back("garbage-collecting");
  if (t.finalizing) states.push_back("finalizing");
  if (thread != threads->second.end() && thread->second.daemon) states.push_back("daemon");
  for (size_t i = 0; i < states.size(); ++i) s << (i ? ", " : " [") << states[i];
  if (!states.empty()) s << "]";
  return s.str();
}

std::optional<uint64_t> Context::slot_value(const FrameInfo& frame, const CodeInfo& c, size_t i) {
  return cpydbg::slot_value(access(), frame.localsplus, c, i);
}

std::string Context::slot_repr(uint64_t slot_addr, const FormatOptions& options) {
  auto bits = reader.ptr(slot_addr);
  if (!bits) return "<unreadable>";
  StackRef slot = decode_stackref(*bits, python().off().tagged_stackrefs);
  switch (slot.kind) {
    case StackRef::Kind::Null: return "NULL";
    case StackRef::Kind::Object: return fmt().repr(slot.object, options);
    case StackRef::Kind::TaggedInt: return std::to_string(slot.tagged_int) + " (a tagged int)";
    case StackRef::Kind::Invalid: break;
  }
  std::ostringstream s;
  s << "<invalid _PyStackRef 0x" << std::hex << *bits << ">";
  return s.str();
}

FrameVariables Context::frame_variables(const FrameInfo& frame, const FormatOptions& options) {
  FrameVariables out;
  const CodeInfo* c = code->get(frame.code);
  if (!c) return out;
  for (size_t i = 0; i < c->slots.size(); ++i)
    if (auto v = slot_value(frame, *c, i))
      out.variables.push_back({c->slots[i].name, fmt().repr(*v, options), c->slots[i].is_arg});
  // A class body's names (exec()'s with a locals dict too) are in its locals
  // dict, where py-print finds them. A function's locals dict is at most a
  // snapshot of the slots above, and a module's is its globals: neither.
  if ((c->flags & kCoOptimized) || !frame.locals || frame.locals == frame.globals ||
      !python().coverage().has(Feature::Dict) || !access().is_instance(frame.locals, "PyDict_Type"))
    return out;
  constexpr size_t kMaxNames = 200;
  auto items = fmt().dict_items(frame.locals, kMaxNames + 1);
  if (!items) return out;
  for (size_t i = 0; i < items->size() && i < kMaxNames; ++i) {
    const auto& item = (*items)[i];
    auto name = access().text(item.key, 200);  // a str key; else its repr
    out.variables.push_back(
        {name ? *name : fmt().repr(item.key, options), fmt().repr(item.value, options), false});
  }
  if (items->size() > kMaxNames)
    out.more = "… (more than " + std::to_string(kMaxNames) + " names)";
  return out;
}

void Context::print_locals(std::ostream& out, const FrameInfo& frame, const std::string& indent,
                           const FormatOptions& options) {
  FrameVariables vars = frame_variables(frame, options);
  for (const FrameVariable& v : vars.variables) out << indent << v.name << " = " << v.value << "\n";
  if (!vars.more.empty()) out << indent << vars.more << "\n";
}

}  // namespace cpydbg
