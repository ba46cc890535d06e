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
  std::shared_ptr<PythonBreakpoints> breakpoints;  // the program's, whichever its process
  if (it != entries_.end()) {
    Entry& e = **it;
    if (e.process_uid == uid && e.pid == pid) return *e.session;
    breakpoints = e.session->python_breakpoints();
    entries_.erase(it);  // same target, another process: start over
  }

  auto e = std::make_unique<Entry>();
  e->target = target;
  e->process_uid = uid;
  e->pid = pid;
  e->adapter = std::make_unique<LldbTarget>(target, process);
  e->session = std::make_unique<Session>(*e->adapter, breakpoints);
  entries_.push_back(std::move(e));
  return *entries_.back()->session;
}

namespace {

// Marks the Sessions busy for one call.
class Busy {
 public:
  explicit Busy(bool& flag) : flag_(flag) { flag_ = true; }
  ~Busy() { flag_ = false; }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  bool& flag_;
};

}  // namespace

CommandResult Sessions::execute(lldb::SBDebugger debugger, const std::string& name,
                                const std::string& args) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  lldb::SBTarget target = debugger.GetSelectedTarget();
  if (!target.IsValid()) {
    return {"no target: load a program or a core file first (target create / process attach)", false};
  }
  if (busy_) return {"cpydbg: a cpydbg command is already running", false};
  Busy busy(busy_);
  return session_for(debugger, target).execute(name, args);
}

std::optional<std::string> Sessions::summary(lldb::SBTarget target, uint64_t addr,
                                             const std::string& pointee) {
  // Never wait: LLDB may format values on one thread while another runs a
  // command of ours that waits on LLDB; a summary can be left out, a hang not.
  std::unique_lock<std::recursive_mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || busy_ || !target.IsValid()) return std::nullopt;
  const auto& types = Session::summarized_types();
  auto type = std::find_if(types.begin(), types.end(),
                           [&](const auto& t) { return t.first == pointee; });
  if (type == types.end()) return std::nullopt;
  lldb::SBDebugger debugger = target.GetDebugger();
  Busy busy(busy_);
  return session_for(debugger, target).summary(addr, type->second);
}

AgentNeeds Sessions::agent_needs(lldb::SBDebugger debugger) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  lldb::SBTarget target = debugger.GetSelectedTarget();
  if (!target.IsValid()) return {};
  return session_for(debugger, target).agent_needs();
}

bool Sessions::try_use(lldb::SBTarget target, const std::function<void(Session&)>& use) {
  std::unique_lock<std::recursive_mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || busy_ || !target.IsValid()) return false;
  lldb::SBDebugger debugger = target.GetDebugger();
  Busy busy(busy_);  // its expressions may have LLDB format values: no summaries meanwhile
  use(session_for(debugger, target));
  return true;
}

}  // namespace cpydbg::lldb_plugin
