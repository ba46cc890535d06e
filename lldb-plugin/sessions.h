// One cpydbg::Session per (SBTarget, process) of one debugger. A Session
// keeps the detected runtime and caches, so it must not outlive or be shared
// between processes: a relaunch or a new core gets a fresh one.
#pragma once

#include <lldb/API/LLDB.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cpydbg/session.h"
#include "lldb_target.h"

namespace cpydbg::lldb_plugin {

class Sessions {
 public:
  // Runs one command in the session of the debugger's selected target.
  CommandResult execute(lldb::SBDebugger debugger, const std::string& name,
                        const std::string& args);
  // What that command needs done for Python breakpoints (AgentNeeds).
  AgentNeeds agent_needs(lldb::SBDebugger debugger);
  // From a breakpoint callback: run `use` on the session of `target` unless a
  // command holds the sessions (it may be the one that resumed the process:
  // waiting would deadlock). False when it did not run.
  bool try_use(lldb::SBTarget target, const std::function<void(Session&)>& use);

  // The type summary of a pointer to C type `pointee` (a name of
  // Session::summarized_types()) at `addr` in `target`; nullopt when there is
  // none to show, or while a command of ours runs (LLDB may format values
  // from inside one, or on another thread; the session is not reentrant).
  std::optional<std::string> summary(lldb::SBTarget target, uint64_t addr,
                                     const std::string& pointee);

 private:
  struct Entry {
    lldb::SBTarget target;
    uint32_t process_uid = 0;
    lldb::pid_t pid = LLDB_INVALID_PROCESS_ID;
    std::unique_ptr<LldbTarget> adapter;  // the Session holds a reference to it
    std::unique_ptr<Session> session;
  };

  Session& session_for(lldb::SBDebugger& debugger, lldb::SBTarget target);

  std::recursive_mutex mutex_;  // LLDB may run commands from more than one thread
  bool busy_ = false;           // a command or summary is running (on this thread, if reentered)
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace cpydbg::lldb_plugin
