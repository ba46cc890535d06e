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
  explicit Session(Target& target);
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

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cpydbg
