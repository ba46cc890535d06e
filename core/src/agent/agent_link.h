// The agent inside a live target (agent/cpydbg_agent.h): finding its state,
// reading its report and writing the debugger's request. Reads go straight
// to the Target, never through a page cache: the agent changes the report
// whenever the process runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cpydbg/target.h"
#include "cpydbg_agent.h"

namespace cpydbg {

class AgentLink {
 public:
  // The agent loaded in `target`, or nullopt (not loaded, or `problem` says
  // what is wrong with the one found: another ABI, an unreadable state).
  static std::optional<AgentLink> find(Target& target, std::string* problem);

  std::optional<cpydbg_agent_report> report();
  // The step fields the agent may have consumed since the last write.
  std::optional<cpydbg_agent_request> request_head();
  // Write `request` with a generation the agent has not seen.
  bool write(cpydbg_agent_request request);

  // cpydbg_agent_activate, for the front end to call at a safe point.
  uint64_t activate_function() const { return activate_; }

 private:
  AgentLink(Target& target, uint64_t state, uint64_t activate)
      : target_(&target), state_(state), activate_(activate) {}
  Target* target_;
  uint64_t state_;
  uint64_t activate_;
};

}  // namespace cpydbg
