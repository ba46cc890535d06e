#include "sessions.h"

#include <algorithm>

namespace cpydbg::lldb_plugin {

Session& Sessions::session_for(lldb::SBDebugger& debugger, lldb::SBTarget target) {
  // Forget targets the user deleted (we would otherwise keep them alive).
  std::erase_if(entries_, [&](const std::unique_ptr<Entry>& e) {
    return debugger.GetIndexOfTarget(e->target) == UINT32_MAX;
  });

  lldb::SBProcess process = target.GetProcess();
  uint32_t uid = process.IsValid() ? process.GetUniqueID() : 0;
  lldb::pid_t pid = process.IsValid() ? process.GetProcessID() : LLDB_INVALID_PROCESS_ID;

  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const std::unique_ptr<Entry>& e) { return e->target == target; });
  if (it != entries_.end()) {
    Entry& e = **it;
    if (e.process_uid == uid && e.pid == pid) return *e.session;
    entries_.erase(it);  // same target, another process: start over
  }

  auto e = std::make_unique<Entry>();
  e->target = target;
  e->process_uid = uid;
  e->pid = pid;
  e->adapter = std::make_unique<LldbTarget>(target, process);
  e->session = std::make_unique<Session>(*e->adapter);
  entries_.push_back(std::move(e));
  return *entries_.back()->session;
}

CommandResult Sessions::execute(lldb::SBDebugger debugger, const std::string& name,
                                const std::string& args) {
  std::lock_guard<std::mutex> lock(mutex_);
  lldb::SBTarget target = debugger.GetSelectedTarget();
  if (!target.IsValid()) {
    return {"no target: load a program or a core file first (target create / process attach)", false};
  }
  return session_for(debugger, target).execute(name, args);
}

}  // namespace cpydbg::lldb_plugin
