#include "commands/disassembly.h"

namespace cpydbg {
namespace {

// Constants are shown bounded: a docstring or a big tuple stays one short line.
const FormatOptions kConstOptions{1, 4, 40, 60};

std::string tuple_item(Context& ctx, uint64_t tuple, uint32_t i, bool as_repr) {
  if (!tuple) return "";
  auto items = ctx.access().tuple_items(tuple, size_t(i) + 1);
  if (!items || i >= items->size()) return "";
  uint64_t item = (*items)[i];
  return as_repr ? ctx.fmt().repr(item, kConstOptions) : ctx.access().text(item, 200).value_or("");
}

std::string local_name(const CodeInfo& c, size_t i) {
  return i < c.slots.size() ? c.slots[i].name : "";
}

}  // namespace

std::string argument_meaning(Context& ctx, const CodeInfo& c, const bytecode::Instruction& in) {
  if (!in.has_arg) return "";
  const Layout& l = ctx.python().layout();
  const OpcodeTable& t = l.opcodes;
  const int major = l.major(), minor = l.minor();
  const bool v311 = major == 3 && minor >= 11, v312 = v311 && minor >= 12, v313 = v312 && minor >= 13;
  static const std::string unknown;
  const std::string& name = in.base < t.names.size() ? t.names[in.base] : unknown;
  if (in.jump_target >= 0) return "to " + std::to_string(in.jump_target);
  if (t.has(t.hascompare, in.base)) return bytecode::compare_op_name(major, minor, in.arg);
  if (name == "BINARY_OP") return bytecode::binary_op_name(in.arg);
  if (t.has(t.hasconst, in.base)) return tuple_item(ctx, c.consts, in.arg, true);
  if (t.has(t.hasname, in.base)) {
    // 3.11+ LOAD_GLOBAL and 3.12+ LOAD_ATTR use the low bit to also push
    // NULL (or self for a method); 3.12 LOAD_SUPER_ATTR uses two bits.
    uint32_t shift = 0;
    std::string extra;
    if (name == "LOAD_GLOBAL" && v311) shift = 1, extra = "NULL";
    if (name == "LOAD_ATTR" && v312) shift = 1, extra = "NULL|self";
    if (name == "LOAD_SUPER_ATTR") shift = 2, extra = "NULL|self";
    std::string n = tuple_item(ctx, c.names, in.arg >> shift, false);
    if (shift == 0 || !(in.arg & 1) || n.empty()) return n;
    return v313 ? n + " + " + extra : extra + " + " + n;
  }
  // 3.13 fuses two fast-local accesses into one instruction, 4 bits each.
  if (name == "LOAD_FAST_LOAD_FAST" || name == "STORE_FAST_LOAD_FAST" ||
      name == "STORE_FAST_STORE_FAST")
    return local_name(c, in.arg >> 4) + ", " + local_name(c, in.arg & 15);
  if (t.has(t.haslocal, in.base)) return local_name(c, in.arg);
  if (t.has(t.hasfree, in.base)) {
    // 3.11+ index localsplus directly; before, cells and free variables
    // are numbered after the plain locals.
    size_t locals = 0;
    if (!v311)
      while (locals < c.slots.size() && c.slots[locals].kind == SlotKind::Local) ++locals;
    return local_name(c, locals + in.arg);
  }
  return "";
}

}  // namespace cpydbg
