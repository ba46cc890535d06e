// The plugin's entry point: `plugin load libcpydbg-lldb.so` calls
// lldb::PluginInitialize, which registers every cpydbg command as a
// top-level LLDB command. Nothing may escape into LLDB: every exception is
// caught here and reported as one error line.
#include <lldb/API/LLDB.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <exception>
#include <string>

#include "agent.h"
#include "command_line.h"
#include "cpydbg/session.h"
#include "sessions.h"
#include "summaries.h"

namespace cpydbg::lldb_plugin {
namespace {

class PyCommand final : public lldb::SBCommandPluginInterface {
 public:
  PyCommand(std::string name, Sessions& sessions, Agent& agent)
      : name_(std::move(name)), sessions_(sessions), agent_(agent) {}

  bool DoExecute(lldb::SBDebugger debugger, char** argv,
                 lldb::SBCommandReturnObject& result) override {
    try {
      CommandResult r = sessions_.execute(debugger, name_, join_arguments(argv));
      AgentNeeds needs = r.ok ? sessions_.agent_needs(debugger) : AgentNeeds{};
      if (needs.resume && !r.output.empty()) {
        // A step's own words ("Run till exit from …") come before the stop it makes.
        size_t written = 0;
        lldb::SBFile out = debugger.GetOutputFile();
        out.Write(reinterpret_cast<const uint8_t*>(r.output.data()), r.output.size(), &written);
        out.Flush();
        r.output.clear();
      }
      bool ok = report(result, r.output, r.ok);
      // Outside the sessions' lock: resuming runs the agent's callbacks.
      lldb::SBTarget target = debugger.GetSelectedTarget();
      if (ok) agent_.after_command(debugger, target, needs);
      return ok;
    } catch (const std::exception& e) {
      return report(result, std::string("cpydbg: internal error: ") + e.what(), false);
    } catch (...) {
      return report(result, "cpydbg: internal error", false);
    }
  }

 private:
  static bool report(lldb::SBCommandReturnObject& result, const std::string& text, bool ok) {
    if (ok) {
      // "%s": the text is target data and may contain '%'.
      if (!text.empty()) result.Printf("%s", text.c_str());
      result.SetStatus(lldb::eReturnStatusSuccessFinishResult);
    } else {
      // SetError prefixes "error: " and sets the failed status.
      result.SetError(text.empty() ? "cpydbg: command failed" : text.c_str());
    }
    return ok;
  }

  std::string name_;
  Sessions& sessions_;
  Agent& agent_;
};

// The agent library is installed next to this plugin (the file, not a
// symbolic link to it in LLDB's plug-in directory).
std::string agent_library_path() {
  Dl_info self;
  if (!dladdr(reinterpret_cast<void*>(&agent_library_path), &self) || !self.dli_fname) return kAgentLibrary;
  char real[PATH_MAX];
  std::string path = realpath(self.dli_fname, real) ? real : self.dli_fname;
  size_t slash = path.rfind('/');
  return (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + kAgentLibrary;
}

// LLDB prints "Syntax: <syntax>" under the one-line help. When the full help
// starts with a usage line for this command, use it there and keep the rest
// as the long help, so nothing is said twice.
void split_help(const CommandInfo& info, std::string& syntax, std::string& long_help) {
  const std::string& help = info.help;
  size_t eol = help.find('\n');
  std::string first = help.substr(0, eol);
  if (first.rfind(info.name, 0) == 0 &&
      (first.size() == info.name.size() || first[info.name.size()] == ' ')) {
    syntax = first;
    long_help = eol == std::string::npos ? std::string() : help.substr(eol + 1);
  } else {
    syntax = info.name;
    long_help = help;
  }
}

bool initialize(lldb::SBDebugger debugger) {
  lldb::SBCommandInterpreter interpreter = debugger.GetCommandInterpreter();
  if (!interpreter.IsValid()) return false;
  // Owned by LLDB for good (a plugin is never unloaded); deliberately leaked
  // so no destructor runs after LLDB has torn its objects down at exit. One
  // for every debugger that loads the plugin: the type summaries' callback
  // has no baton to tell them apart (Sessions keys by target anyway).
  static auto* sessions = new Sessions();
  static auto* agent = new Agent(*sessions, agent_library_path());
  for (const CommandInfo& info : Session::commands()) {
    std::string syntax, long_help;
    split_help(info, syntax, long_help);
    std::string summary = info.summary;
    if (!info.alias_of.empty()) summary += " (alias of '" + info.alias_of + "')";
    lldb::SBCommand cmd = interpreter.AddCommand(
        info.name.c_str(), new PyCommand(info.name, *sessions, *agent), summary.c_str(), syntax.c_str());
    if (!cmd.IsValid()) return false;
    if (!long_help.empty()) cmd.SetHelpLong(long_help.c_str());
  }
  return register_summaries(debugger, *sessions);
}

}  // namespace
}  // namespace cpydbg::lldb_plugin

namespace lldb {

// The one exported symbol (see exports.map).
__attribute__((visibility("default"))) bool PluginInitialize(lldb::SBDebugger debugger) {
  try {
    return cpydbg::lldb_plugin::initialize(debugger);
  } catch (...) {
    return false;  // LLDB reports "plug-in refused to load"
  }
}

}  // namespace lldb
