// pybreak, pydelete, pystep, pynext, pyfinish, pywhere: Python breakpoints
// and stepping through the agent (agent/cpydbg_agent.h). The commands edit
// the list and the request; the front end does what agent_needs says.
#include <iomanip>

#include "agent/agent_link.h"
#include "commands/context.h"

namespace cpydbg {
namespace {

void need_no_core(Context& ctx, const std::string& command) {
  if (ctx.target.process_kind() == ProcessKind::Core)
    throw CommandError(command + ": Python breakpoints and stepping need a live process; this is a core file");
}

void need_live(Context& ctx, const std::string& command) {
  need_no_core(ctx, command);
  if (ctx.target.process_kind() != ProcessKind::Live)
    throw CommandError(command + ": the program is not running");
}

std::optional<cpydbg_agent_report> agent_report(Context& ctx) {
  if (ctx.target.process_kind() != ProcessKind::Live) return std::nullopt;
  auto link = AgentLink::find(ctx.target, nullptr);
  return link ? link->report() : std::nullopt;
}

uint32_t hits_of(const PythonBreakpoint& b, const std::optional<cpydbg_agent_report>& report) {
  return report && report->hit_number[b.slot] == b.number ? report->hit_count[b.slot] : 0;
}

// How the new breakpoint relates to the process, after the location.
std::string when_it_applies(Context& ctx) {
  const AgentNeeds& n = ctx.agent_needs;
  if (n.preload) return " (pending: set when the program runs)";
  if (n.arm) return " (set when the process continues, at its next safe point)";
  return "";
}

void list_breakpoints(Context& ctx, std::ostream& out) {
  const auto& list = ctx.breakpoints->list();
  if (list.empty()) {
    out << "No Python breakpoints.\n";
    return;
  }
  auto report = agent_report(ctx);
  size_t width = 5;
  for (const auto& b : list) width = std::max(width, b.location().size());
  out << std::left << std::setw(5) << "Num" << std::setw(int(width) + 2) << "Where" << std::setw(6) << "Hits"
      << "Condition\n";
  for (const auto& b : list) {
    std::ostringstream row;
    row << std::left << std::setw(5) << b.number << std::setw(int(width) + 2) << b.location()
        << std::setw(6) << hits_of(b, report)
        << (b.kind == PythonBreakpoint::Kind::Main ? "(once)" : b.condition);
    std::string text = row.str();
    out << text.substr(0, text.find_last_not_of(' ') + 1) << "\n";
  }
  // Where a user looks when a breakpoint does nothing: no safe point yet.
  if (ctx.target.process_kind() == ProcessKind::Live && (!report || !report->tracing))
    out << "Not active in this process yet: the agent starts at the process's next safe point.\n";
}

// The thread and Python frame a step applies to: the selected ones.
struct StepTarget {
  ThreadInfo thread;
  FrameInfo frame;
  size_t index = 0;
};

StepTarget step_target(Context& ctx, const std::string& command) {
  need_live(ctx, command);
  StepTarget t;
  auto frames = ctx.selected_frames(&t.thread);
  if (frames.empty()) throw CommandError(command + ": no Python frames in the selected thread");
  t.index = std::min(ctx.selected_frame, frames.size() - 1);
  t.frame = frames[t.index];
  return t;
}

// The PyFrameObject the agent's events name: the frame itself up to 3.10,
// its frame object from 3.11 (made for every frame the agent has traced).
uint64_t frame_object_of(Context& ctx, const FrameInfo& f) {
  return ctx.python().at_least(3, 11) ? f.frame_object : f.addr;
}

void start_step(Context& ctx, uint32_t kind, const StepTarget& t, uint64_t frame) {
  cpydbg_agent_request step{};
  step.step_kind = kind;
  step.step_thread = t.thread.tstate;
  step.step_frame = frame;
  ctx.agent_needs = agent_sync(ctx, &step);
  ctx.agent_needs.resume = true;
}

void frame_step(Context& ctx, const std::string& command, uint32_t kind, std::ostream& out) {
  StepTarget t = step_target(ctx, command);
  uint64_t frame = frame_object_of(ctx, t.frame);
  if (!frame)
    throw CommandError(command + ": Python frame " + std::to_string(t.index) +
                       " has no frame object yet (it started before the agent traced it); use pystep");
  if (kind == CPYDBG_STEP_OUT) out << "Run till exit from " << ctx.frame_line(t.index, t.frame) << "\n";
  start_step(ctx, kind, t, frame);
}

}  // namespace

void cmd_pybreak(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) {
    list_breakpoints(ctx, out);
    return;
  }
  need_no_core(ctx, "pybreak");
  bool main = args[0] == "--main";
  if (main && args.size() > 1) throw CommandError("pybreak: --main takes no location");
  if (main && ctx.target.process_kind() == ProcessKind::Live)
    throw CommandError("pybreak --main: the program is already running; set it before running it");
  const PythonBreakpoint& b = main ? ctx.breakpoints->add_main() : ctx.breakpoints->add(ctx.raw_args);
  std::string where = b.location(), condition = b.condition;
  uint32_t number = b.number;
  try {
    ctx.agent_needs = agent_sync(ctx);
  } catch (const CommandError&) {
    ctx.breakpoints->remove(number);  // not set after all
    throw;
  }
  out << (main ? "Temporary Python breakpoint " : "Python breakpoint ") << number << " at " << where
      << (condition.empty() ? "" : " if " + condition) << when_it_applies(ctx) << "\n";
}

void cmd_pydelete(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  need_no_core(ctx, "pydelete");
  if (args.empty()) {
    size_t n = ctx.breakpoints->list().size();
    ctx.breakpoints->clear();
    out << "Deleted " << n << " Python breakpoint" << (n == 1 ? "" : "s") << ".\n";
  } else {
    for (const auto& a : args) {
      uint32_t number = uint32_t(parse_count("pydelete", a));
      if (!ctx.breakpoints->remove(number))
        throw CommandError("pydelete: no Python breakpoint number " + a);
      out << "Deleted Python breakpoint " << number << ".\n";
    }
  }
  ctx.agent_needs = agent_sync(ctx);
}

void cmd_pystep(Context& ctx, const std::vector<std::string>& args, std::ostream&) {
  if (!args.empty()) throw CommandError("pystep takes no arguments");
  StepTarget t = step_target(ctx, "pystep");
  start_step(ctx, CPYDBG_STEP_INTO, t, 0);
}

void cmd_pynext(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("pynext takes no arguments");
  frame_step(ctx, "pynext", CPYDBG_STEP_OVER, out);
}

void cmd_pyfinish(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("pyfinish takes no arguments");
  frame_step(ctx, "pyfinish", CPYDBG_STEP_OUT, out);
}

void cmd_pywhere(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  need_live(ctx, "pywhere");
  auto report = agent_report(ctx);
  if (!report || report->stop_reason == CPYDBG_STOP_NONE) {
    out << "The program is not stopped at a Python breakpoint or step.\n";
    return;
  }
  ctx.python();
  std::string problem;
  auto threads = ctx.walker->threads(&problem);
  const ThreadInfo* stopped = nullptr;
  for (const auto& t : threads)
    if (t.tstate == report->stop_thread) stopped = &t;
  if (!stopped) throw CommandError("the agent stopped in a thread the walker cannot find" +
                                   (problem.empty() ? std::string() : ": " + problem));
  auto frames = ctx.walker->frames(*stopped, &problem);
  size_t index = 0;
  for (size_t i = 0; i < frames.size(); ++i)
    if (frame_object_of(ctx, frames[i]) == report->stop_frame) {
      index = i;
      break;
    }
  if (frames.empty()) throw CommandError("no Python frames in the stopped thread");
  // The stopped thread is the debugger's selected one by now (LLDB selects
  // it after running the breakpoint's commands: this one among them).
  ThreadInfo selected;
  try {
    ctx.selected_frames(&selected);
    if (selected.tstate == stopped->tstate) ctx.selected_frame = index;
  } catch (const CommandError&) {
  }
  // As gdb says "Thread 2 "name" hit Breakpoint 1" once there are threads.
  if (threads.size() > 1) out << ctx.thread_header(*stopped) << ":\n";

  const FrameInfo& f = frames[index];
  switch (report->stop_reason) {
    case CPYDBG_STOP_BREAKPOINT: {
      const PythonBreakpoint* b = ctx.breakpoints->find(report->stop_breakpoint);
      bool once = b && b->kind == PythonBreakpoint::Kind::Main;
      out << (once ? "Temporary Python breakpoint " : "Python breakpoint ") << report->stop_breakpoint
          << ", " << ctx.location(f) << "\n";
      if (once) ctx.breakpoints->remove(b->number);
      break;
    }
    case CPYDBG_STOP_RETURN:
    case CPYDBG_STOP_STEP: out << ctx.location(f) << "\n"; break;
    default: throw CommandError("the agent reports an unknown stop (" + std::to_string(report->stop_reason) + ")");
  }
  if (auto src = ctx.frame_source(f)) out << "    " << *src << "\n";
  if (report->stop_message[0])
    out << "Error in the condition of Python breakpoint " << report->stop_breakpoint << ": "
        << report->stop_message << "\n";
  if (report->stop_reason == CPYDBG_STOP_RETURN) {
    if (report->stop_value) out << "Value returned: " << ctx.fmt().repr(report->stop_value, {}) << "\n";
    else out << "Returning by an exception.\n";
  }
}

}  // namespace cpydbg
