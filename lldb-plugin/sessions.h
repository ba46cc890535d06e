// One cpydbg::Session per (SBTarget, process) of one debugger. A Session
// keeps the detected runtime and caches, so it must not outlive or be shared
// between processes: a relaunch or a new core gets a fresh one.
#pragma once

#include <lldb/API/LLDB.h>

#include <memory>
#include <mutex>
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

 private:
  struct Entry {
    lldb::SBTarget target;
    uint32_t process_uid = 0;
    lldb::pid_t pid = LLDB_INVALID_PROCESS_ID;
    std::unique_ptr<LldbTarget> adapter;  // the Session holds a reference to it
    std::unique_ptr<Session> session;
  };

  Session& session_for(lldb::SBDebugger& debugger, lldb::SBTarget target);

  std::mutex mutex_;  // LLDB may run commands from more than one thread
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace cpydbg::lldb_plugin
