// Python breakpoints in LLDB: the LLDB half of cpydbg's agent. The core keeps
// the breakpoints, writes them into the agent inside the process and prints
// every stop (pywhere); this does what only LLDB can: the native breakpoints
// on the agent's functions and on the safe points, getting the agent into the
// process (LD_PRELOAD for a program LLDB launches, dlopen called at a safe
// point of one it attached to) and resuming for the step commands. LLDB can
// call functions in the process (it saves and restores every register), so
// the calls are plain expressions, made from the safe point's callback.
#pragma once

#include <lldb/API/LLDB.h>

#include <memory>
#include <string>
#include <vector>

#include "cpydbg/session.h"

namespace cpydbg::lldb_plugin {

class Sessions;

class Agent {
 public:
  Agent(Sessions& sessions, std::string library_path)
      : sessions_(sessions), library_(std::move(library_path)) {}

  // Do what the core asked for after a command on `target`.
  void after_command(lldb::SBDebugger& debugger, lldb::SBTarget& target, const AgentNeeds& needs);

 private:
  struct Watch {  // the native breakpoints of one target (a callback's baton)
    Agent* agent = nullptr;
    lldb::SBTarget target;
    lldb::SBBreakpoint hit, loaded;
    std::vector<lldb::SBBreakpoint> safe_points;
    bool wanted = false;  // Python breakpoints exist: arm each new process
  };

  Watch& watch_of(lldb::SBTarget& target);
  void watch(Watch& w);
  void preload(lldb::SBDebugger& debugger, lldb::SBTarget& target);
  static void set_armed(Watch& w, bool armed);

  static bool on_loaded(void* baton, lldb::SBProcess& process, lldb::SBThread& thread,
                        lldb::SBBreakpointLocation& location);
  static bool on_safe_point(void* baton, lldb::SBProcess& process, lldb::SBThread& thread,
                            lldb::SBBreakpointLocation& location);
  // The calls of one safe point; true when the agent needs no more of them.
  bool call_at_safe_point(Session& session, lldb::SBThread& thread);

  Sessions& sessions_;
  std::string library_;
  std::vector<std::unique_ptr<Watch>> watches_;  // stable addresses: batons of callbacks
};

}  // namespace cpydbg::lldb_plugin
