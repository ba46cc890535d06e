#include "unwind/dwarf_expression.h"

#include <vector>

#include "unwind/cursor.h"

namespace cpydbg::unwind {
namespace {

// What an expression leaves: a place (a register, or memory at an address)
// or a value.
struct Result {
  enum Kind { Register, Memory, Value, None } kind = Memory;  // None: no value to be had
  uint64_t value = 0;  // the register number, the address or the value
};

std::optional<Result> run(std::string_view expression, std::string_view frame_base,
                          const FrameContext& frame, int depth) {
  Cursor c{expression};
  std::vector<uint64_t> stack;
  auto pop = [&](uint64_t& v) {
    if (stack.empty()) return false;
    v = stack.back();
    stack.pop_back();
    return true;
  };
  auto reg = [&](uint64_t n, uint64_t& v) {
    if (n >= kRegisters || !frame.regs.has(int(n))) return false;
    v = frame.regs.value[n];
    return true;
  };
  std::optional<Result> out;
  bool no_value = false;  // an entry value the caller's frame cannot give
  while (!c.at_end()) {
    if (out || stack.size() > 64) return std::nullopt;  // a register location ends it
    uint8_t op = c.fixed<uint8_t>();
    uint64_t a = 0, b = 0;
    if (op >= 0x30 && op <= 0x4f) {  // DW_OP_lit0..31
      stack.push_back(op - 0x30);
    } else if (op >= 0x50 && op <= 0x6f) {  // DW_OP_reg0..31
      out = Result{Result::Register, uint64_t(op - 0x50)};
    } else if (op >= 0x70 && op <= 0x8f) {  // DW_OP_breg0..31
      int64_t offset = c.sleb();
      if (!reg(op - 0x70, a)) return std::nullopt;
      stack.push_back(a + uint64_t(offset));
    } else {
      switch (op) {
        case 0x03: stack.push_back(c.fixed<uint64_t>() + frame.bias); break;  // addr
        case 0x06:                                                            // deref
          if (!pop(a) || !frame.read(a, &b, 8)) return std::nullopt;
          stack.push_back(b);
          break;
        case 0x08: stack.push_back(c.fixed<uint8_t>()); break;
        case 0x09: stack.push_back(uint64_t(int64_t(c.fixed<int8_t>()))); break;
        case 0x0a: stack.push_back(c.fixed<uint16_t>()); break;
        case 0x0b: stack.push_back(uint64_t(int64_t(c.fixed<int16_t>()))); break;
        case 0x0c: stack.push_back(c.fixed<uint32_t>()); break;
        case 0x0d: stack.push_back(uint64_t(int64_t(c.fixed<int32_t>()))); break;
        case 0x0e: case 0x0f: stack.push_back(c.fixed<uint64_t>()); break;
        case 0x10: stack.push_back(c.uleb()); break;
        case 0x11: stack.push_back(uint64_t(c.sleb())); break;
        case 0x12:  // dup
          if (stack.empty()) return std::nullopt;
          stack.push_back(stack.back());
          break;
        case 0x1c:  // minus
          if (!pop(b) || !pop(a)) return std::nullopt;
          stack.push_back(a - b);
          break;
        case 0x22:  // plus
          if (!pop(b) || !pop(a)) return std::nullopt;
          stack.push_back(a + b);
          break;
        case 0x23:  // plus_uconst
          if (!pop(a)) return std::nullopt;
          stack.push_back(a + c.uleb());
          break;
        case 0x90: out = Result{Result::Register, c.uleb()}; break;  // regx
        case 0x91: {                                                 // fbreg
          int64_t offset = c.sleb();
          if (depth || frame_base.empty()) return std::nullopt;
          auto base = run(frame_base, {}, frame, depth + 1);
          if (!base) return std::nullopt;
          // A frame base in a register is that register's value.
          if (base->kind == Result::Register && !reg(base->value, base->value)) return std::nullopt;
          stack.push_back(base->value + uint64_t(offset));
          break;
        }
        case 0x92: {  // bregx
          uint64_t n = c.uleb();
          int64_t offset = c.sleb();
          if (!reg(n, a)) return std::nullopt;
          stack.push_back(a + uint64_t(offset));
          break;
        }
        case 0x9c: stack.push_back(frame.cfa); break;  // call_frame_cfa
        case 0xa3: case 0xf3: {  // entry_value, GNU_entry_value: of a register only
          uint64_t size = c.uleb();
          if (c.bad || size != 1 || c.at_end() || !frame.entry_value) return std::nullopt;
          uint8_t inner = c.fixed<uint8_t>();
          if (inner < 0x50 || inner > 0x6f) return std::nullopt;
          auto entry = (*frame.entry_value)(inner - 0x50);
          if (!entry) return std::nullopt;
          no_value = no_value || !*entry;
          stack.push_back(entry->value_or(0));
          break;
        }
        case 0x9f:                                     // stack_value
          if (!pop(a) || !c.at_end()) return std::nullopt;
          out = Result{Result::Value, a};
          break;
        default: return std::nullopt;  // pieces, implicit values …
      }
    }
    if (c.bad) return std::nullopt;
  }
  if (no_value) return Result{Result::None, 0};
  if (out) return out;
  if (stack.empty()) return std::nullopt;
  return Result{Result::Memory, stack.back()};
}

}  // namespace

std::optional<std::optional<uint64_t>> evaluate_location(std::string_view expression,
                                                         std::string_view frame_base,
                                                         const FrameContext& frame) {
  auto place = run(expression, frame_base, frame, 0);
  if (!place) return std::nullopt;
  switch (place->kind) {
    case Result::None:
      return std::optional<uint64_t>();
    case Result::Value:
      return std::optional<uint64_t>(place->value);
    case Result::Register:
      if (place->value >= kRegisters) return std::nullopt;  // a vector register: not a pointer
      if (!frame.regs.has(int(place->value))) return std::optional<uint64_t>();  // <not saved>
      return std::optional<uint64_t>(frame.regs.value[place->value]);
    case Result::Memory: {
      uint64_t v;
      if (!frame.read(place->value, &v, sizeof v)) return std::optional<uint64_t>();
      return std::optional<uint64_t>(v);
    }
  }
  return std::nullopt;
}

}  // namespace cpydbg::unwind
