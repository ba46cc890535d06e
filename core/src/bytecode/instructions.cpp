// Instruction decoding for 2.7 (1 or 3 bytes), 3.6-3.10 wordcode and 3.11+
// wordcode with inline caches, specialised and instrumented opcodes.
#include <algorithm>
#include <array>

#include "cpydbg/bytecode.h"

namespace cpydbg::bytecode {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

const std::string& name_of(const OpcodeTable& t, int op) {
  static const std::string empty;
  return op >= 0 && static_cast<size_t>(op) < t.names.size() ? t.names[op] : empty;
}

// specialised -> family base (the table's deopt map), then INSTRUMENTED_X ->
// X (3.12+: the instrumented twin behaves like X on the stack).
int base_of(const OpcodeTable& t, int op) {
  int base = static_cast<size_t>(op) < t.deopt.size() ? t.deopt[op] : op;
  const std::string& n = name_of(t, base);
  if (starts_with(n, "INSTRUMENTED_")) {
    int plain = t.opcode(std::string_view(n).substr(13));
    if (plain >= 0) base = plain;
  }
  return base;
}

// Opcodes that stand in for one kept elsewhere (3.12+ monitoring, 3.13 JIT).
bool is_placeholder(const std::string& n) {
  return n == "INSTRUMENTED_LINE" || n == "INSTRUMENTED_INSTRUCTION" || n == "ENTER_EXECUTOR";
}

// Per-opcode flags, built once per decode() so the loop does no searching.
struct OpcodeFlags {
  std::array<uint8_t, 1024> arg{}, jrel{}, jabs{};
  explicit OpcodeFlags(const OpcodeTable& t) {
    for (size_t op = 0; op < arg.size(); ++op)
      arg[op] = t.hasarg.empty() ? op >= static_cast<size_t>(t.have_argument) : 0;
    for (uint16_t op : t.hasarg) arg[op & 1023] = 1;
    for (uint16_t op : t.hasjrel) jrel[op & 1023] = 1;
    for (uint16_t op : t.hasjabs) jabs[op & 1023] = 1;
  }
};

}  // namespace

std::vector<Instruction> decode(const OpcodeTable& t, std::string_view code,
                                const DecodeOptions& options) {
  std::vector<Instruction> out;
  const bool wide27 = t.line_table == "lnotab27";
  const bool code_units = t.jump_unit == "code_units";
  const OpcodeFlags flags(t);
  uint32_t extended = 0;
  size_t pos = 0;
  while (pos < code.size()) {
    Instruction in;
    in.offset = static_cast<uint32_t>(pos);
    in.opcode = static_cast<uint8_t>(code[pos]);
    int op = in.opcode;
    if (is_placeholder(name_of(t, op))) {
      const auto* orig = options.originals;
      auto it = orig ? orig->find(in.offset) : std::unordered_map<uint32_t, uint8_t>::const_iterator{};
      if (orig && it != orig->end())
        op = it->second;
      else
        in.original_unknown = true;
    }
    in.base = static_cast<uint16_t>(base_of(t, op));
    in.has_arg = flags.arg[in.base & 1023];
    uint32_t raw_arg = 0;
    if (wide27) {
      if (in.has_arg) {
        if (pos + 2 >= code.size()) break;  // truncated
        raw_arg = static_cast<uint8_t>(code[pos + 1]) | (static_cast<uint8_t>(code[pos + 2]) << 8);
        in.size = 3;
      } else {
        in.size = 1;
      }
      in.arg = in.has_arg ? (raw_arg | extended) : 0;
      extended = in.base == t.extended_arg ? raw_arg << 16 : 0;
    } else {
      if (pos + 1 >= code.size()) break;
      raw_arg = static_cast<uint8_t>(code[pos + 1]);
      in.arg = in.has_arg ? (raw_arg | extended) : 0;
      extended = in.base == t.extended_arg ? in.arg << 8 : 0;
      size_t caches = in.base < t.cache_entries.size() ? t.cache_entries[in.base] : 0;
      in.size = static_cast<uint32_t>(2 + 2 * caches);
      if (in.size > code.size() - pos) in.size = static_cast<uint32_t>(code.size() - pos);
    }
    // Jumps: <=3.9 in bytes, 3.10+ in code units; relative ones count from
    // the next instruction (after the caches), backward ones go back.
    bool rel = flags.jrel[in.base & 1023], abs = flags.jabs[in.base & 1023];
    if (rel || abs) {
      int64_t unit = code_units ? 2 : 1;
      int64_t arg = static_cast<int64_t>(in.arg) * unit;
      if (abs) {
        in.jump_target = arg;
      } else if (t.backward_jumps_relative &&
                 name_of(t, in.base).find("JUMP_BACKWARD") != std::string::npos) {
        in.jump_target = static_cast<int64_t>(in.next()) - arg;
      } else {
        in.jump_target = static_cast<int64_t>(in.next()) + arg;
      }
    }
    out.push_back(in);
    pos += in.size;
  }
  return out;
}

std::string display_name(const OpcodeTable& t, const Instruction& insn) {
  std::string n = name_of(t, insn.opcode);
  if (n.empty()) n = "<" + std::to_string(insn.opcode) + ">";
  if (insn.base != insn.opcode && !insn.original_unknown) {
    const std::string& b = name_of(t, insn.base);
    n += " (" + (b.empty() ? std::to_string(insn.base) : b) + ")";
  }
  return n;
}

const Instruction* instruction_at(const std::vector<Instruction>& insns, uint32_t offset) {
  auto it = std::upper_bound(insns.begin(), insns.end(), offset,
                             [](uint32_t off, const Instruction& i) { return off < i.offset; });
  if (it == insns.begin()) return nullptr;
  --it;
  return offset < it->next() ? &*it : nullptr;
}

}  // namespace cpydbg::bytecode
