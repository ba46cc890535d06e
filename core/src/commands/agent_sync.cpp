// Keeping the agent in the process in line with the user's Python
// breakpoints, and telling the front end what that takes: preloading the
// agent into a program not started yet, loading or activating it at a safe
// point of a live one.
#include "agent/agent_link.h"
#include "commands/context.h"

namespace cpydbg {
namespace {

// Where the interpreter keeps a frame's code and current line, for the
// agent's fast paths; 0 (the agent asks the C API instead) when the table
// has no such field or the interpreter is not up yet.
void fill_offsets(Context& ctx, cpydbg_agent_request& request) {
  try {
    const Offsets& off = ctx.python().off();
    if (off.frame.f_code != kAbsent) request.frame_code_offset = off.frame.f_code;
    if (off.frame.f_lineno != kAbsent) request.frame_lineno_offset = off.frame.f_lineno;
  } catch (const std::exception&) {
  }
}

// A temporary breakpoint the agent has stopped at is done.
void drop_spent(Context& ctx, const cpydbg_agent_report& report) {
  std::vector<uint32_t> spent;
  for (const PythonBreakpoint& b : ctx.breakpoints->list())
    if (b.kind == PythonBreakpoint::Kind::Main && report.hit_number[b.slot] == b.number &&
        report.hit_count[b.slot] > 0)
      spent.push_back(b.number);
  for (uint32_t n : spent) ctx.breakpoints->remove(n);
}

// `keep_step`: the process has not stopped for the user since the request
// was written (a safe point), so a step it holds is still wanted. Otherwise
// a step is over once the process stopped anywhere, as in gdb.
void write_request(Context& ctx, AgentLink& link, bool keep_step) {
  auto head = link.request_head();
  auto report = link.report();
  if (!head || !report) throw CommandError("cannot read the agent's state in the process");
  drop_spent(ctx, *report);
  cpydbg_agent_request request{};
  if (ctx.pending_step) {
    request = *ctx.pending_step;
  } else if (keep_step) {
    request.step_kind = head->step_kind;
    request.step_thread = head->step_thread;
    request.step_frame = head->step_frame;
  }
  fill_offsets(ctx, request);
  ctx.breakpoints->fill(request);
  if (!link.write(request)) throw CommandError("cannot write the agent's request into the process");
  ctx.pending_step.reset();
  ctx.reader.reset();
}

bool wanted(Context& ctx) { return !ctx.breakpoints->list().empty() || ctx.pending_step.has_value(); }

}  // namespace

AgentNeeds agent_sync(Context& ctx, const cpydbg_agent_request* step) {
  if (step) ctx.pending_step = *step;
  AgentNeeds needs;
  needs.watch = wanted(ctx);
  switch (ctx.target.process_kind()) {
    case ProcessKind::None: needs.preload = needs.watch; return needs;
    case ProcessKind::Core: return needs;
    case ProcessKind::Live: break;
  }
  std::string problem;
  auto link = AgentLink::find(ctx.target, &problem);
  if (!link) {
    if (!problem.empty()) throw CommandError(problem);
    needs.arm = needs.watch;  // load it at the next safe point
    return needs;
  }
  bool want = needs.watch;
  write_request(ctx, *link, false);
  auto report = link->report();
  needs.arm = want && report && !report->tracing;
  return needs;
}

AgentCall agent_next_call(Context& ctx) {
  if (ctx.target.process_kind() != ProcessKind::Live) return {};
  std::string problem;
  auto link = AgentLink::find(ctx.target, &problem);
  if (!link) return problem.empty() && wanted(ctx) ? AgentCall{AgentCall::Load, 0} : AgentCall{};
  write_request(ctx, *link, true);
  auto head = link->request_head();
  auto report = link->report();
  bool want = !ctx.breakpoints->list().empty() || (head && head->step_kind != CPYDBG_STEP_NONE);
  if (want && report && !report->tracing) return {AgentCall::Activate, link->activate_function()};
  return {};
}

void agent_release(Context& ctx) {
  if (ctx.target.process_kind() != ProcessKind::Live) return;
  auto link = AgentLink::find(ctx.target, nullptr);
  if (link) link->write(cpydbg_agent_request{});
  ctx.pending_step.reset();
}

std::vector<uint64_t> agent_safe_points(Context& ctx) {
  std::vector<uint64_t> out;
  for (const std::string& name : Session::agent_safe_point_functions())
    if (auto a = ctx.target.symbol(name)) out.push_back(*a);
  return out;
}

}  // namespace cpydbg
