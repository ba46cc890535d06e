// Python breakpoints without a debugger: pybreak's parsing and limits, and
// what the commands write into an agent's state and ask of the front end,
// against an in-memory process holding one (agent/cpydbg_agent.h). The real
// agent in real interpreters is tests/integration/breakpoints.py's.
#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "agent/python_breakpoints.h"
#include "commands/context.h"
#include "cpydbg/session.h"
#include "cpydbg_agent.h"

using namespace cpydbg;

namespace {

constexpr uint64_t kStateAt = 0x7f0000001000;
constexpr uint64_t kActivateAt = 0x7f0000000400;

// A stopped process with the agent loaded: its state is plain bytes here.
class AgentProcess : public Target {
 public:
  AgentProcess() {
    std::memcpy(state.magic, CPYDBG_AGENT_MAGIC, sizeof state.magic);
    state.abi = CPYDBG_AGENT_ABI;
    state.size = sizeof state;
  }
  bool read(uint64_t addr, void* buf, size_t size) override {
    if (addr < kStateAt || addr + size > kStateAt + sizeof state) return false;
    std::memcpy(buf, reinterpret_cast<const char*>(&state) + (addr - kStateAt), size);
    return true;
  }
  bool write(uint64_t addr, const void* buf, size_t size) override {
    if (addr < kStateAt || addr + size > kStateAt + sizeof state) return false;
    std::memcpy(reinterpret_cast<char*>(&state) + (addr - kStateAt), buf, size);
    ++writes;
    return true;
  }
  std::optional<uint64_t> symbol(std::string_view name) override {
    if (!loaded) return std::nullopt;
    if (name == "cpydbg_agent_state") return kStateAt;
    if (name == "cpydbg_agent_activate") return kActivateAt;
    return std::nullopt;
  }
  ProcessKind process_kind() override { return kind; }

  cpydbg_agent_state state{};
  ProcessKind kind = ProcessKind::Live;
  bool loaded = true;
  int writes = 0;
};

std::string run(Session& s, const char* name, const char* args, bool ok = true) {
  CommandResult r = s.execute(name, args);
  CHECK_MESSAGE(r.ok == ok, name << " " << args << ": " << r.output);
  return r.output;
}

}  // namespace

TEST_CASE("pybreak parses FILE:LINE, FUNCTION and a condition as typed") {
  PythonBreakpoints list;
  const PythonBreakpoint line = list.add("app.py:42");  // copies: the list grows below
  CHECK(line.kind == PythonBreakpoint::Kind::Line);
  CHECK(line.file == "app.py");
  CHECK(line.line == 42);
  CHECK(line.number == 1);
  const PythonBreakpoint cond = list.add("  /srv/a:b/app.py:7   if  s == 'a  b' and n > 3 ");
  CHECK(cond.file == "/srv/a:b/app.py");
  CHECK(cond.line == 7);
  CHECK(cond.condition == "s == 'a  b' and n > 3");
  const PythonBreakpoint fn = list.add("Handler.handle_request if ifs");
  CHECK(fn.kind == PythonBreakpoint::Kind::Function);
  CHECK(fn.function == "Handler.handle_request");
  CHECK(fn.condition == "ifs");
  CHECK(list.add("<lambda>").function == "<lambda>");
  CHECK(fn.location() == "Handler.handle_request");
  CHECK(line.location() == "app.py:42");
}

TEST_CASE("pybreak says what is wrong with a location or condition, in one line") {
  PythonBreakpoints list;
  auto error = [&](const std::string& spec) {
    try {
      list.add(spec);
    } catch (const CommandError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK(error("app.py:0") == "pybreak: no line 0");
  CHECK(error(":12") == "pybreak: no file name before ':12'");
  CHECK(error("app.py:12 when x") == "pybreak: expected 'if CONDITION' after the location, not 'when x'");
  CHECK(error("app.py:12 if") == "pybreak: 'if' needs a Python condition");
  CHECK(error("app.py:12 iffy") == "pybreak: expected 'if CONDITION' after the location, not 'iffy'");
  CHECK(error("no-such-thing()") ==
        "pybreak: 'no-such-thing()' is neither FILE:LINE nor a function name (see: help pybreak)");
  CHECK(error(std::string(300, 'a') + ".py:1") == "pybreak: the file name is too long (at most 255 bytes)");
  CHECK(error("f if " + std::string(300, 'x')) == "pybreak: the condition is too long (at most 255 bytes)");
  CHECK(list.list().empty());
  for (int i = 0; i < CPYDBG_AGENT_MAX_BREAKPOINTS; ++i) list.add("f");
  CHECK(error("f") == "pybreak: at most 64 Python breakpoints; pydelete some first");
}

TEST_CASE("a breakpoint keeps its slot in the agent's table while others come and go") {
  PythonBreakpoints list;
  list.add("a.py:1");
  list.add("b.py:2");
  list.add("c.py:3 if x");
  REQUIRE(list.remove(1));
  CHECK_FALSE(list.remove(1));
  const PythonBreakpoint& d = list.add("d");
  CHECK(d.number == 4);
  CHECK(d.slot == 0);  // the first free one
  cpydbg_agent_request request{};
  list.fill(request);
  CHECK(request.breakpoints[0].number == 4);
  CHECK(request.breakpoints[0].kind == CPYDBG_BP_FUNCTION);
  CHECK(std::string(request.breakpoints[0].function) == "d");
  CHECK(request.breakpoints[1].number == 2);
  CHECK(std::string(request.breakpoints[1].file) == "b.py");
  CHECK(request.breakpoints[1].line == 2);
  CHECK(request.breakpoints[2].number == 3);
  CHECK(std::string(request.breakpoints[2].condition) == "x");
  CHECK(request.breakpoints[3].number == 0);
}

TEST_CASE("pybreak writes the request into the agent and says what the front end must do") {
  AgentProcess process;
  Session session(process);
  process.state.report.tracing = 0;
  CHECK(run(session, "pybreak", "app.py:10 if i == 3") ==
        "Python breakpoint 1 at app.py:10 if i == 3 (set when the process continues, at its next safe point)\n");
  CHECK(session.agent_needs().arm);
  CHECK(session.agent_needs().watch);
  CHECK_FALSE(session.agent_needs().resume);
  const cpydbg_agent_request& r = process.state.request;
  CHECK(r.generation == 1);
  CHECK(r.breakpoints[0].number == 1);
  CHECK(r.breakpoints[0].kind == CPYDBG_BP_LINE);
  CHECK(std::string(r.breakpoints[0].condition) == "i == 3");
  CHECK(r.step_kind == CPYDBG_STEP_NONE);

  // At a safe point: the call to make there.
  AgentCall call = session.agent_next_call();
  CHECK(call.kind == AgentCall::Activate);
  CHECK(call.function == kActivateAt);
  process.state.report.tracing = 1;  // what the activation does
  CHECK(session.agent_next_call().kind == AgentCall::None);

  // Tracing already: a new breakpoint needs nothing more than the write.
  CHECK(run(session, "pybreak", "handle") == "Python breakpoint 2 at handle\n");
  CHECK_FALSE(session.agent_needs().arm);
  CHECK(r.generation == 4);  // every write (the safe point's two too) has a generation the agent has not seen
  CHECK(r.breakpoints[1].kind == CPYDBG_BP_FUNCTION);

  // The agent counts hits; the list shows them.
  process.state.report.hit_number[0] = 1;
  process.state.report.hit_count[0] = 2;
  std::string listed = run(session, "pybreak", "");
  CHECK(listed == "Num  Where      Hits  Condition\n"
                 "1    app.py:10  2     i == 3\n"
                 "2    handle     0\n");
  process.state.report.tracing = 0;
  CHECK(run(session, "pybreak", "").find("Not active in this process yet") != std::string::npos);
  process.state.report.tracing = 1;

  CHECK(run(session, "pydelete", "1") == "Deleted Python breakpoint 1.\n");
  CHECK(r.breakpoints[0].number == 0);
  CHECK(run(session, "pydelete", "7", false) == "cpydbg: pydelete: no Python breakpoint number 7\n");
  CHECK(run(session, "pydelete", "") == "Deleted 1 Python breakpoint.\n");
  CHECK_FALSE(session.agent_needs().watch);
  for (const auto& bp : r.breakpoints) CHECK(bp.number == 0);

  // Detach: the request emptied, the list kept for a later attach.
  run(session, "pybreak", "app.py:11");
  session.agent_release();
  CHECK(r.breakpoints[0].number == 0);
  CHECK(run(session, "pybreak", "").find("app.py:11") != std::string::npos);
}

TEST_CASE("before the program runs, on a core, and with another agent: what pybreak says") {
  AgentProcess process;
  process.kind = ProcessKind::None;
  Session before_run(process);
  CHECK(run(before_run, "pybreak", "app.py:3") == "Python breakpoint 1 at app.py:3 (pending: set when the program runs)\n");
  CHECK(before_run.agent_needs().preload);
  CHECK(run(before_run, "pybreak", "--main") ==
        "Temporary Python breakpoint 2 at the main script's first line (pending: set when the program runs)\n");
  CHECK(process.writes == 0);
  CHECK(run(before_run, "pystep", "", false) == "cpydbg: pystep: the program is not running\n");

  // The next process of the same program keeps them.
  process.kind = ProcessKind::Live;
  Session after_run(process, before_run.python_breakpoints());
  CHECK(run(after_run, "pybreak", "--main", false) ==
        "cpydbg: pybreak --main: the program is already running; set it before running it\n");
  CHECK(after_run.agent_next_call().kind == AgentCall::Activate);
  CHECK(process.state.request.breakpoints[0].number == 1);
  CHECK(process.state.request.breakpoints[1].kind == CPYDBG_BP_MAIN);

  process.loaded = false;  // attached to a process without the agent: load it first
  CHECK(after_run.agent_next_call().kind == AgentCall::Load);
  process.loaded = true;

  process.kind = ProcessKind::Core;
  Session core(process);
  const char* refusal = "Python breakpoints and stepping need a live process; this is a core file\n";
  CHECK(run(core, "pybreak", "app.py:3", false) == std::string("cpydbg: pybreak: ") + refusal);
  CHECK(run(core, "pystep", "", false) == std::string("cpydbg: pystep: ") + refusal);
  CHECK(core.agent_next_call().kind == AgentCall::None);

  process.kind = ProcessKind::Live;
  process.state.abi = CPYDBG_AGENT_ABI + 1;
  Session other(process);
  CHECK(run(other, "pybreak", "app.py:3", false) ==
        "cpydbg: the agent loaded in the process is another version (ABI 2, this cpydbg speaks 1)\n");
  CHECK(run(other, "pybreak", "") == "No Python breakpoints.\n");  // not kept when it could not be set
}

TEST_CASE("pywhere outside a Python stop says so") {
  AgentProcess process;
  Session session(process);
  CHECK(run(session, "pywhere", "") == "The program is not stopped at a Python breakpoint or step.\n");
}
