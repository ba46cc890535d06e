#include "agent/agent_link.h"

#include <cstddef>
#include <cstring>

namespace cpydbg {
namespace {

constexpr uint64_t kRequestAt = offsetof(cpydbg_agent_state, request);
constexpr uint64_t kReportAt = offsetof(cpydbg_agent_state, report);
constexpr size_t kRequestHead = offsetof(cpydbg_agent_request, breakpoints);

struct Header {
  char magic[8];
  uint32_t abi;
  uint32_t size;
};

}  // namespace

std::optional<AgentLink> AgentLink::find(Target& target, std::string* problem) {
  auto state = target.symbol("cpydbg_agent_state");
  auto activate = target.symbol("cpydbg_agent_activate");
  if (!state || !activate) return std::nullopt;
  Header h;
  if (!target.read(*state, &h, sizeof h)) {
    if (problem) *problem = "the agent's state at " + std::to_string(*state) + " is unreadable";
    return std::nullopt;
  }
  if (std::memcmp(h.magic, CPYDBG_AGENT_MAGIC, sizeof h.magic) != 0 || h.abi != CPYDBG_AGENT_ABI ||
      h.size != sizeof(cpydbg_agent_state)) {
    if (problem)
      *problem = "the agent loaded in the process is another version (ABI " + std::to_string(h.abi) +
                 ", this cpydbg speaks " + std::to_string(CPYDBG_AGENT_ABI) + ")";
    return std::nullopt;
  }
  return AgentLink(target, *state, *activate);
}

std::optional<cpydbg_agent_report> AgentLink::report() {
  cpydbg_agent_report r;
  if (!target_->read(state_ + kReportAt, &r, sizeof r)) return std::nullopt;
  r.stop_message[sizeof r.stop_message - 1] = '\0';
  return r;
}

std::optional<cpydbg_agent_request> AgentLink::request_head() {
  cpydbg_agent_request r{};
  if (!target_->read(state_ + kRequestAt, &r, kRequestHead)) return std::nullopt;
  return r;
}

bool AgentLink::write(cpydbg_agent_request request) {
  auto current = request_head();
  if (!current) return false;
  request.generation = current->generation + 1;
  // The generation goes last: the agent reads the rest once it changes (the
  // process is stopped, but a torn write must not look complete).
  uint64_t at = state_ + kRequestAt;
  constexpr size_t gen = offsetof(cpydbg_agent_request, generation);
  static_assert(gen == 0, "the generation heads the request");
  const char* bytes = reinterpret_cast<const char*>(&request);
  return target_->write(at + sizeof request.generation, bytes + sizeof request.generation,
                        sizeof request - sizeof request.generation) &&
         target_->write(at, &request.generation, sizeof request.generation);
}

}  // namespace cpydbg
