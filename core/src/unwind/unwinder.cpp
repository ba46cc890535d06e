#include "unwind/unwinder.h"

#include <cstdio>

namespace cpydbg::unwind {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Registers from_user_regs(const std::array<uint64_t, 27>& w) {
  // struct user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx
  // rdx rsi rdi orig_rax rip cs eflags rsp ss …; DWARF: rax rdx rcx rbx rsi
  // rdi rbp rsp r8 … r15, then the return address (rip).
  static constexpr int kWord[kRegisters] = {10, 12, 11, 5, 13, 14, 4, 19, 9,
                                            8,  7,  6,  3, 2, 1,  0, 16};
  Registers r;
  for (int reg = 0; reg < kRegisters; ++reg) r.set(reg, w[size_t(kWord[reg])]);
  return r;
}

Walk walk(const Registers& start, const CodeAt& code_at, const ReadMemory& read, size_t max,
          uint64_t last_function) {
  Walk out;
  Registers regs = start;
  uint64_t previous_cfa = 0;
  auto give_up = [&](const std::string& why) {
    out.why = "frame #" + std::to_string(out.frames.size()) + ": " + why;
    return out;
  };
  if (!regs.has(kReturnAddress) || !regs.has(kRsp)) return give_up("no pc or stack pointer");
  while (out.frames.size() < max) {
    PhysicalFrame f;
    f.pc = regs.value[kReturnAddress];
    if (f.pc == 0) return give_up("pc 0");
    f.lookup = out.frames.empty() ? f.pc : f.pc - 1;
    Code code = code_at(f.lookup);
    if (!code.cfi) return give_up("no call frame information at " + hex(f.pc));
    auto row = code.cfi->row_at(f.lookup - code.bias);
    if (!row) return give_up("no call frame information at " + hex(f.pc));
    if (row->signal_frame) return give_up("a signal frame at " + hex(f.pc));
    if (row->cfa_is_expression || row->cfa_register < 0 || row->cfa_register >= kRegisters ||
        !regs.has(row->cfa_register))
      return give_up("a frame address it cannot compute at " + hex(f.pc));
    f.function_start = row->function_start + code.bias;
    f.regs = regs;
    const uint64_t cfa = regs.value[size_t(row->cfa_register)] + uint64_t(row->cfa_offset);
    f.cfa = cfa;
    out.frames.push_back(f);
    if (last_function && f.function_start == last_function) break;

    if (previous_cfa && cfa <= previous_cfa) return give_up("the stack does not grow at " + hex(f.pc));
    previous_cfa = cfa;
    const RegisterRule& ra = row->rules[kReturnAddress];
    if (ra.kind == RegisterRule::Undefined) {  // the outermost frame, by its own word
      out.vouched = true;
      return out;
    }
    Registers caller;
    for (int reg = 0; reg < kRegisters; ++reg) {
      const RegisterRule& rule = row->rules[size_t(reg)];
      switch (rule.kind) {
        case RegisterRule::Unspecified:
        case RegisterRule::SameValue:
          if (regs.has(reg)) caller.set(reg, regs.value[size_t(reg)]);
          break;
        case RegisterRule::Undefined:
          break;
        case RegisterRule::Offset: {
          uint64_t v;
          if (!read(cfa + uint64_t(rule.value), &v, sizeof v))
            return give_up("cannot read a saved register at " + hex(cfa + uint64_t(rule.value)));
          caller.set(reg, v);
          break;
        }
        case RegisterRule::ValOffset:
          caller.set(reg, cfa + uint64_t(rule.value));
          break;
        case RegisterRule::Register:
          if (rule.value >= 0 && rule.value < kRegisters && regs.has(int(rule.value)))
            caller.set(reg, regs.value[size_t(rule.value)]);
          break;
        case RegisterRule::Expression:
          if (reg == kReturnAddress || reg == kRsp)
            return give_up("a register rule it cannot evaluate at " + hex(f.pc));
          break;  // that register becomes unknown
      }
    }
    if (ra.kind != RegisterRule::Offset && ra.kind != RegisterRule::Register)
      return give_up("no return address rule at " + hex(f.pc));
    caller.set(kRsp, cfa);  // the CFA is the caller's stack pointer before the call
    if (!caller.has(kReturnAddress)) return give_up("no return address at " + hex(f.pc));
    regs = caller;
  }
  out.vouched = true;
  return out;
}

}  // namespace cpydbg::unwind
