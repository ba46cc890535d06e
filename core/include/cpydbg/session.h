// The commands, as both front ends see them: a command line in, text out.
// A Session belongs to one debugger target; it keeps the detected runtime,
// the memory cache and the selected Python frame between commands, and drops
// them when the target's generation (stop id) changes.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "cpydbg/target.h"

namespace cpydbg {

struct CommandInfo {
  std::string name;      // "pystack"
  std::string alias_of;  // "" or the command it maps onto ("py-bt" -> "pystack")
  std::string summary;   // one line for the debugger's command list
  std::string help;      // full help: syntax, options, what it prints
};

class PythonBreakpoints;

// Python breakpoints and stepping work through an agent library the front
// end loads into the process (agent/cpydbg_agent.h). What the front end must
// do after a command:
struct AgentNeeds {
  bool watch = false;    // keep native breakpoints on the agent's functions
                         // (kAgentHitFunction: a Python stop; kAgentLoadedFunction:
                         // the library was just loaded, arm the safe points)
  bool preload = false;  // no process yet: put the agent in the program's LD_PRELOAD
  bool arm = false;      // live process: break at the safe points (agent_safe_points)
                         // and make the calls agent_next_call says there
  bool resume = false;   // the command was a step: continue the process
};

// A call to make at a safe point: the thread stopped at the entry of one of
// agent_safe_points(), so it holds the GIL and no half-done work of its own.
struct AgentCall {
  enum Kind { None, Load, Activate };
  Kind kind = None;       // None: the agent is as it should be, disarm
  uint64_t function = 0;  // Activate: `int f(void)` to call there
};

inline constexpr const char* kAgentHitFunction = "cpydbg_agent_hit";
inline constexpr const char* kAgentLoadedFunction = "cpydbg_agent_loaded";
inline constexpr const char* kAgentLibrary = "libcpydbg-agent.so";

struct CommandResult {
  std::string output;  // text to print; ends with '\n' when not empty
  bool ok = true;      // false: `output` is the error message
};

struct FrameVariable {
  std::string name, value;  // value: the object's repr
  bool is_arg = false;
};

struct FrameVariables {
  std::vector<FrameVariable> variables;
  std::string more;  // "" or a line saying how many were left out
};

// A Python frame as a debugger's own frame views show it (gdb's frame filter).
struct PythonFrameView {
  size_t index = 0;  // its number in pystack
  std::string function, filename;
  int line = 0;
  FrameVariables variables;
};

class Session {
 public:
  // `breakpoints`: the list of the program's previous session (a relaunch
  // keeps its Python breakpoints); a new one when null.
  explicit Session(Target& target, std::shared_ptr<PythonBreakpoints> breakpoints = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Run `name` with the rest of the command line as typed. Never throws.
  CommandResult execute(std::string_view name, std::string_view args);

  // The Python frames, innermost first, that native frame `level` of the
  // debugger's selected thread runs (an eval loop activation); empty for any
  // other frame, or when the process holds no Python we can read. Never throws.
  std::vector<PythonFrameView> python_frames_at(size_t level);

  // What the debugger's own views (gdb pretty-printers, LLDB type summaries)
  // show for a pointer of a CPython type, in libpython's style (bounded like
  // pyobj): the repr of the object `addr` points at, or for a pointer to an
  // interpreter frame (`_PyInterpreterFrame *`, 3.11+) that frame. Nullopt
  // when the target holds no Python runtime this session can read (not
  // started yet, another program): the debugger then prints the pointer as
  // it would without us. Never throws.
  enum class Pointee { Object, InterpreterFrame };
  std::optional<std::string> summary(uint64_t addr, Pointee pointee);

  // The C type names (typedef or struct tag, without "struct ") whose
  // pointers those views cover, and what each points at.
  static const std::vector<std::pair<std::string, Pointee>>& summarized_types();

  // Every command and alias the front ends must register.
  static const std::vector<CommandInfo>& commands();

  // Python breakpoints: to hand to the next session of the same program.
  std::shared_ptr<PythonBreakpoints> python_breakpoints() const;
  // What the last command needs the front end to do for the agent.
  AgentNeeds agent_needs() const;
  // At a safe point: what to call there (after a Load, ask again). Never throws.
  AgentCall agent_next_call();
  // Before the debugger leaves a live process (detach, quit): an empty
  // request, so that the agent removes its trace function. The breakpoints
  // stay listed, for a later attach. Never throws.
  void agent_release();
  // The functions that are safe points: entered with the GIL held, by every
  // Python that runs code or waits. Their entry addresses in this process
  // (empty when the interpreter is not loaded yet).
  static const std::vector<std::string>& agent_safe_point_functions();
  std::vector<uint64_t> agent_safe_points();

 private:
  CommandResult run(std::string_view name, std::string_view args);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cpydbg
