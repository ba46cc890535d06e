#include "agent/python_breakpoints.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "commands/context.h"

namespace cpydbg {
namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_function_name(const std::string& s) {
  // Names and qualified names, with the compiler's own (<module>, <lambda>).
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '<' || c == '>' || c >= 0x80;
  });
}

void check_length(const std::string& what, const std::string& value, size_t room) {
  if (value.size() >= room)
    throw CommandError("pybreak: the " + what + " is too long (at most " + std::to_string(room - 1) +
                       " bytes)");
}

void copy(char* dst, size_t room, const std::string& s) {
  size_t n = std::min(s.size(), room - 1);
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

}  // namespace

std::string PythonBreakpoint::location() const {
  switch (kind) {
    case Kind::Line: return file + ":" + std::to_string(line);
    case Kind::Function: return function;
    case Kind::Main: return "the main script's first line";
  }
  return "";
}

const PythonBreakpoint& PythonBreakpoints::push(PythonBreakpoint bp) {
  if (list_.size() >= CPYDBG_AGENT_MAX_BREAKPOINTS)
    throw CommandError("pybreak: at most " + std::to_string(CPYDBG_AGENT_MAX_BREAKPOINTS) +
                       " Python breakpoints; pydelete some first");
  bp.number = next_number_++;
  for (bp.slot = 0; std::any_of(list_.begin(), list_.end(), [&](const PythonBreakpoint& b) { return b.slot == bp.slot; });)
    ++bp.slot;
  list_.push_back(std::move(bp));
  return list_.back();
}

const PythonBreakpoint& PythonBreakpoints::add(const std::string& spec_text) {
  std::string spec = trim(spec_text);
  size_t space = spec.find_first_of(" \t");
  std::string where = spec.substr(0, space);
  std::string rest = space == std::string::npos ? "" : trim(spec.substr(space));
  PythonBreakpoint bp;
  if (!rest.empty()) {
    if (rest.compare(0, 2, "if") != 0 || (rest.size() > 2 && rest[2] != ' ' && rest[2] != '\t'))
      throw CommandError("pybreak: expected 'if CONDITION' after the location, not '" + rest + "'");
    bp.condition = trim(rest.substr(2));
    if (bp.condition.empty()) throw CommandError("pybreak: 'if' needs a Python condition");
    check_length("condition", bp.condition, CPYDBG_AGENT_CONDITION_MAX);
  }
  size_t colon = where.rfind(':');
  if (colon != std::string::npos && all_digits(where.substr(colon + 1))) {
    bp.kind = PythonBreakpoint::Kind::Line;
    bp.file = where.substr(0, colon);
    long line = std::strtol(where.c_str() + colon + 1, nullptr, 10);
    if (bp.file.empty()) throw CommandError("pybreak: no file name before ':" + where.substr(colon + 1) + "'");
    if (line < 1 || line > 10000000) throw CommandError("pybreak: no line " + where.substr(colon + 1));
    bp.line = int(line);
    check_length("file name", bp.file, CPYDBG_AGENT_FILE_MAX);
  } else if (is_function_name(where)) {
    bp.kind = PythonBreakpoint::Kind::Function;
    bp.function = where;
    check_length("function name", bp.function, CPYDBG_AGENT_FUNCTION_MAX);
  } else {
    throw CommandError("pybreak: '" + where + "' is neither FILE:LINE nor a function name (see: help pybreak)");
  }
  return push(std::move(bp));
}

const PythonBreakpoint& PythonBreakpoints::add_main() {
  PythonBreakpoint bp;
  bp.kind = PythonBreakpoint::Kind::Main;
  return push(std::move(bp));
}

bool PythonBreakpoints::remove(uint32_t number) {
  auto it = std::find_if(list_.begin(), list_.end(), [&](const PythonBreakpoint& b) { return b.number == number; });
  if (it == list_.end()) return false;
  list_.erase(it);
  return true;
}

const PythonBreakpoint* PythonBreakpoints::find(uint32_t number) const {
  for (const auto& b : list_)
    if (b.number == number) return &b;
  return nullptr;
}

void PythonBreakpoints::fill(cpydbg_agent_request& request) const {
  std::memset(request.breakpoints, 0, sizeof request.breakpoints);
  for (const PythonBreakpoint& b : list_) {
    cpydbg_agent_breakpoint& slot = request.breakpoints[b.slot];
    slot.number = b.number;
    slot.line = b.line;
    switch (b.kind) {
      case PythonBreakpoint::Kind::Line: slot.kind = CPYDBG_BP_LINE; break;
      case PythonBreakpoint::Kind::Function: slot.kind = CPYDBG_BP_FUNCTION; break;
      case PythonBreakpoint::Kind::Main: slot.kind = CPYDBG_BP_MAIN; break;
    }
    copy(slot.file, sizeof slot.file, b.file);
    copy(slot.function, sizeof slot.function, b.function);
    copy(slot.condition, sizeof slot.condition, b.condition);
  }
}

}  // namespace cpydbg
