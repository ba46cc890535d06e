// pyopstack: disassembly around the current instruction and the value stack.
#include <iomanip>
#include <map>

#include "commands/context.h"
#include "commands/disassembly.h"
#include "cpydbg/bytecode.h"

namespace cpydbg {
namespace {

std::string base_name(const OpcodeTable& t, const bytecode::Instruction& in) {
  return in.base < t.names.size() && !t.names[in.base].empty() ? t.names[in.base]
                                                               : "<" + std::to_string(in.base) + ">";
}

// The instructions around the current one, dis-style: line where one starts,
// arrow, offset, name (specialised: with its base), argument and meaning.
void print_listing(Context& ctx, std::ostream& out, const CodeInfo& c,
                   const std::vector<bytecode::Instruction>& insns, const bytecode::Instruction* cur) {
  const OpcodeTable& ops = ctx.python().layout().opcodes;
  size_t at = cur ? size_t(cur - insns.data()) : 0;
  int prev_line = -2;
  for (size_t i = at >= 4 ? at - 4 : 0; i < insns.size() && i <= at + 3; ++i) {
    const auto& in = insns[i];
    int line = line_at(c, in.offset);
    std::string line_col = line != prev_line && line >= 0 ? std::to_string(line) : "";
    prev_line = line;
    out << std::setw(6) << line_col << (cur && i == at ? " --> " : "     ") << std::setw(5)
        << in.offset << " " << bytecode::display_name(ops, in);
    if (in.has_arg) {
      out << " " << in.arg;
      std::string meaning = argument_meaning(ctx, c, in);
      if (!meaning.empty()) out << " (" << meaning << ")";
    }
    out << "\n";
  }
}

// How deep the value stack is and where that came from. `slots` counts what
// to print: the live values, then those the current instruction has already
// taken off but still uses (an operand of a `+` that is calling __radd__,
// the arguments of a call in progress), marked as such.
struct Depth {
  int64_t live = -1, slots = 0;
  std::string source;
};

Depth stack_depth(Context& ctx, const FrameInfo& f, std::optional<int64_t> c_local,
                  const bytecode::StackAnalysis& analysis, const bytecode::Instruction* cur) {
  const OpcodeTable& ops = ctx.python().layout().opcodes;
  Depth d;
  // The frame's own record, else the eval loop's C local: the innermost
  // frame's stack pointer lives only there.
  std::optional<int64_t> recorded;
  std::string label = "saved by the interpreter", conflict;
  if (f.saved_depth && !f.innermost) {
    recorded = f.saved_depth;
    if (c_local && *c_local != *recorded)
      conflict = "; the C local stack_pointer gives " + std::to_string(*c_local) + ": they disagree";
  } else if (c_local) {
    recorded = c_local;
    label = "C local stack_pointer";
  }
  std::optional<int64_t> before, after;
  std::string why;
  if (!cur) {
    why = f.unit_offset < 0 ? "the frame has not started" : "the current offset is outside the code";
  } else {
    auto at = bytecode::depth_at(analysis, cur->offset);
    if (at.depth < 0) {
      why = at.error;
    } else {
      before = at.depth;
      if (auto e = bytecode::run_time_effect(ops, *cur)) after = *before + *e;
      if (!at.exact)
        why = "the bytecode allows several depths here; " + std::to_string(*before) +
              " is the largest";
    }
  }
  const std::string name = cur ? base_name(ops, *cur) : "";
  if (recorded && before) {
    d.live = *recorded;
    d.slots = *recorded;
    // During an instruction the interpreter may already have taken its
    // inputs off (a call hands them to the callee, a yield its value to the
    // caller), down to one below what the instruction leaves behind.
    int64_t lowest = std::min(*before, after.value_or(*before) - 1);
    if (*recorded == *before) {
      d.source = label + "; the bytecode agrees";
    } else if (f.is_generator && name == "RESUME" && *recorded == *before - 1) {
      // 3.13 suspends a generator before the RESUME that follows its yield;
      // the value sent in is pushed when it resumes.
      d.source = label + "; the bytecode counts " + std::to_string(*before) +
                 " at RESUME, with the value sent in when the generator resumes";
    } else if (*recorded >= lowest && *recorded < *before) {
      d.slots = *before;
      d.source = label + "; " + name + " has taken " +
                 std::to_string(*before - *recorded) + " of the " + std::to_string(*before) +
                 " values the bytecode counts at its start";
    } else {
      d.source = label + ", but the bytecode gives " + std::to_string(*before) +
                 " at the start of " + name + ": they disagree";
    }
  } else if (recorded) {
    d.live = d.slots = *recorded;
    d.source = label + "; not checked against the bytecode: " + why;
  } else if (before) {
    d.live = d.slots = *before;
    d.source = "computed from the bytecode, at the start of " + name +
               (why.empty() ? "" : "; " + why);
  } else {
    d.source = why;
  }
  d.source += conflict;
  return d;
}

// Depths from the C local `stack_pointer` of each eval loop activation of
// the thread, by the Python frame it runs (its `f` argument up to 3.10, its
// current `frame` from 3.11); empty without DWARF or when optimised out.
std::map<uint64_t, uint64_t> eval_loop_stack_pointers(Context& ctx, const ThreadInfo& thread) {
  std::map<uint64_t, uint64_t> out;
  // 2.7's PyEval_EvalFrameEx: gdb reads its stack_pointer, LLDB cannot, and
  // the two must print the same stack; the bytecode gives the depth there.
  uint64_t lwp = ctx.python().major() == 2 ? 0 : ctx.lwp_of(thread);
  if (!lwp) return out;
  std::vector<size_t> levels;
  const MixedStack& stack = ctx.mixed_stack_of(lwp, &thread);
  for (size_t level = 0; level < stack.native.size(); ++level)
    if (stack.native[level].is_eval) levels.push_back(level);
  const char* frame_var = ctx.python().off().iframe.localsplus == kAbsent ? "f" : "frame";
  for (const auto& v : ctx.target.native_frame_values(lwp, levels, {frame_var, "stack_pointer"}))
    if (v.size() == 2 && v[0] && v[1]) out.emplace(*v[0], *v[1]);
  return out;
}

std::optional<int64_t> depth_from(const std::map<uint64_t, uint64_t>& pointers, const FrameInfo& f) {
  auto it = pointers.find(f.addr);
  if (it == pointers.end() || !f.stack_base || it->second < f.stack_base) return std::nullopt;
  uint64_t bytes = it->second - f.stack_base;
  if (bytes % 8 || bytes / 8 > (1u << 20)) return std::nullopt;  // not a slot of this stack
  return int64_t(bytes / 8);
}

void show_frame(Context& ctx, std::ostream& out, const std::string& header, const FrameInfo& f,
                std::optional<int64_t> c_local = std::nullopt) {
  out << header << "\n";
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) return;
  const OpcodeTable& ops = ctx.python().layout().opcodes;
  const bytecode::StackAnalysis& analysis = ctx.code->stack_analysis(*c);
  const auto& insns = analysis.insns;
  const bytecode::Instruction* cur =
      f.unit_offset >= 0 ? bytecode::instruction_at(insns, uint32_t(f.unit_offset)) : nullptr;
  print_listing(ctx, out, *c, insns, cur);
  Depth d = stack_depth(ctx, f, c_local, analysis, cur);
  if (d.live < 0) {
    out << "  stack depth unknown: " << d.source << "\n";
    return;
  }
  out << "  stack depth " << d.live << " (" << d.source << ")\n";
  const std::string taken = cur ? " (taken by " + base_name(ops, *cur) + ")" : "";
  for (int64_t i = 0; i < d.slots && i < 4096; ++i)
    out << "  [" << i << "] " << ctx.slot_repr(f.stack_base + uint64_t(i) * 8, {2, 20, 200, 2000})
        << (i >= d.live ? taken : "") << "\n";
}

}  // namespace

void cmd_pyopstack(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  ctx.python().require(Feature::ValueStack);
  bool all = false;
  std::optional<size_t> n;
  std::string gen_expr;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-a" || args[i] == "--all") {
      all = true;
    } else if (args[i] == "-g" || args[i] == "--generator") {
      for (++i; i < args.size(); ++i) gen_expr += (gen_expr.empty() ? "" : " ") + args[i];
      if (gen_expr.empty()) throw CommandError("pyopstack: --generator needs an address or expression");
    } else {
      n = parse_count("frame number", args[i]);
    }
  }
  if (!gen_expr.empty()) {
    std::string error;
    auto addr = ctx.target.evaluate(gen_expr, &error);
    if (!addr) throw CommandError("pyopstack: cannot evaluate '" + gen_expr + "': " + error);
    ctx.python();
    auto& acc = ctx.access();
    if (!acc.is_instance(*addr, "PyGen_Type") && !acc.is_instance(*addr, "PyCoro_Type") &&
        !acc.is_instance(*addr, "PyAsyncGen_Type"))
      throw CommandError("pyopstack: " + ctx.fmt().describe(*addr) +
                         " is not a generator, coroutine or async generator");
    auto g = ctx.walker->generator(*addr);
    if (!g) throw CommandError("pyopstack: the generator's frame is unreadable");
    if (!g->frame) throw CommandError("pyopstack: the generator has finished; it has no stack");
    if (g->state == GeneratorInfo::State::Running)
      throw CommandError("pyopstack: the generator is running; see its frame in pyopstack -a");
    show_frame(ctx, out, ctx.fmt().describe(*addr) + ": " + ctx.location(*g->frame), *g->frame);
    return;
  }
  ThreadInfo thread;
  auto frames = ctx.selected_frames(&thread);
  if (frames.empty()) throw CommandError("no Python frames in the selected thread");
  size_t index = n.value_or(ctx.selected_frame);
  if (!all && index >= frames.size()) throw CommandError("no Python frame " + std::to_string(index));
  auto pointers = eval_loop_stack_pointers(ctx, thread);
  for (size_t i = all ? 0 : index; i < (all ? frames.size() : index + 1); ++i)
    show_frame(ctx, out, ctx.frame_line(i, frames[i]), frames[i], depth_from(pointers, frames[i]));
}

}  // namespace cpydbg
