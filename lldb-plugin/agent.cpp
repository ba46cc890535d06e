#include "agent.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "sessions.h"

namespace cpydbg::lldb_plugin {
namespace {

// The calls are short (dlopen, installing a trace function): a bound that is
// generous for a loaded machine, and no more: a call still running then is
// abandoned by LLDB, and the process goes on as before it.
constexpr uint32_t kCallTimeoutUs = 5'000'000;
constexpr uint32_t kOneThreadUs = 500'000;  // then the other threads run too (a lock they hold)
constexpr const char* kBreakpointName = "cpydbg-agent";

std::optional<int64_t> call(lldb::SBThread& thread, const std::string& expression) {
  lldb::SBExpressionOptions options;
  options.SetIgnoreBreakpoints(true);
  options.SetUnwindOnError(true);
  options.SetTryAllThreads(true);
  options.SetStopOthers(true);
  options.SetOneThreadTimeoutInMicroSeconds(kOneThreadUs);
  options.SetTimeoutInMicroSeconds(kCallTimeoutUs);
  options.SetSuppressPersistentResult(true);
  lldb::SBValue v = thread.GetFrameAtIndex(0).EvaluateExpression(expression.c_str(), options);
  if (!v.IsValid() || v.GetError().Fail()) return std::nullopt;
  lldb::SBError error;
  int64_t result = v.GetValueAsSigned(error, 0);
  if (error.Fail()) return std::nullopt;
  return result;
}

// A C string literal for the expression parser.
std::string c_literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

lldb::SBBreakpoint named(lldb::SBBreakpoint bp) {
  if (bp.IsValid()) bp.AddName(kBreakpointName);
  return bp;
}

}  // namespace

Agent::Watch& Agent::watch_of(lldb::SBTarget& target) {
  for (auto& w : watches_)
    if (w->target == target) return *w;
  auto w = std::make_unique<Watch>();
  w->agent = this;
  w->target = target;
  watches_.push_back(std::move(w));
  return *watches_.back();
}

void Agent::after_command(lldb::SBDebugger& debugger, lldb::SBTarget& target, const AgentNeeds& needs) {
  if (!target.IsValid()) return;
  Watch& w = watch_of(target);
  w.wanted = needs.watch;
  if (needs.watch) watch(w);
  if (needs.preload) preload(debugger, target);
  if (needs.preload || needs.arm) set_armed(w, true);
  if (needs.resume) target.GetProcess().Continue();
}

// The breakpoints on the agent's functions and on the safe points, once per
// target; by name, so that every process of the target gets them.
void Agent::watch(Watch& w) {
  if (w.hit.IsValid()) return;
  w.hit = named(w.target.BreakpointCreateByName(kAgentHitFunction));
  lldb::SBStringList commands;
  commands.AppendString("pywhere");  // says why Python stopped, at every such stop
  w.hit.SetCommandLineCommands(commands);
  w.loaded = named(w.target.BreakpointCreateByName(kAgentLoadedFunction));
  w.loaded.SetCallback(on_loaded, &w);
  for (const std::string& name : Session::agent_safe_point_functions()) {
    lldb::SBBreakpoint bp = named(w.target.BreakpointCreateByName(name.c_str()));
    bp.SetCallback(on_safe_point, &w);
    bp.SetEnabled(false);
    w.safe_points.push_back(bp);
  }
}

void Agent::set_armed(Watch& w, bool armed) {
  for (auto& bp : w.safe_points) bp.SetEnabled(armed);
}

// LD_PRELOAD the agent into the program LLDB launches next (only it: LLDB's
// own environment stays). The agent leaves the variable again once it is in
// a Python process.
void Agent::preload(lldb::SBDebugger& debugger, lldb::SBTarget& target) {
  const char* current = target.GetLaunchInfo().GetEnvironment().Get("LD_PRELOAD");
  std::string value = current ? current : "";
  std::string spaced = " " + value + " ";
  std::replace(spaced.begin(), spaced.end(), ':', ' ');
  if (spaced.find(" " + library_ + " ") != std::string::npos) return;
  value = library_ + (value.empty() ? "" : ":" + value);
  lldb::SBCommandReturnObject result;
  debugger.GetCommandInterpreter().HandleCommand(
      ("settings append target.env-vars " + c_literal("LD_PRELOAD=" + value)).c_str(), result);
}

// The agent was just loaded into a new process: its first safe point
// activates it.
bool Agent::on_loaded(void* baton, lldb::SBProcess&, lldb::SBThread&, lldb::SBBreakpointLocation&) {
  auto* w = static_cast<Watch*>(baton);
  if (w->wanted) set_armed(*w, true);
  return false;
}

bool Agent::on_safe_point(void* baton, lldb::SBProcess& process, lldb::SBThread& thread,
                          lldb::SBBreakpointLocation&) {
  auto* w = static_cast<Watch*>(baton);
  bool done = false;
  lldb::SBTarget target = process.GetTarget();
  // Busy (a command is running): the next safe point tries again.
  w->agent->sessions_.try_use(target, [&](Session& s) { done = w->agent->call_at_safe_point(s, thread); });
  if (done) set_armed(*w, false);
  return false;  // the thread goes on as it was
}

bool Agent::call_at_safe_point(Session& session, lldb::SBThread& thread) {
  AgentCall next = session.agent_next_call();
  if (next.kind == AgentCall::Load) {
    auto handle = call(thread, "(void*)dlopen(" + c_literal(library_) + ", 2)");
    if (!handle || *handle == 0) {
      std::fprintf(stderr, "cpydbg: the process could not load %s; Python breakpoints stay pending\n",
                   library_.c_str());
      return true;
    }
    next = session.agent_next_call();
  }
  if (next.kind == AgentCall::Activate) {
    char expression[64];
    std::snprintf(expression, sizeof expression, "((int (*)(void))0x%llx)()",
                  static_cast<unsigned long long>(next.function));
    auto result = call(thread, expression);
    // -1: the thread did not hold the GIL after all; the next safe point tries.
    return !result || *result != -1;
  }
  return true;
}

}  // namespace cpydbg::lldb_plugin
