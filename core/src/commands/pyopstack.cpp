// pyopstack: disassembly around the current instruction and the value stack.
#include "commands/context.h"
#include "cpydbg/bytecode.h"

namespace cpydbg {
namespace {

void show_frame(Context& ctx, std::ostream& out, size_t index, const FrameInfo& f) {
  out << ctx.frame_line(index, f) << "\n";
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) return;
  const OpcodeTable& ops = ctx.python().layout().opcodes;
  std::string_view code(reinterpret_cast<const char*>(c->bytecode.data()), c->bytecode.size());
  std::string_view exc(reinterpret_cast<const char*>(c->exceptiontable.data()),
                       c->exceptiontable.size());
  auto insns = bytecode::decode(ops, code);
  const bytecode::Instruction* cur =
      f.unit_offset >= 0 ? bytecode::instruction_at(insns, uint32_t(f.unit_offset)) : nullptr;
  size_t at = cur ? size_t(cur - insns.data()) : 0;
  for (size_t i = at >= 4 ? at - 4 : 0; i < insns.size() && i <= at + 3; ++i) {
    const auto& in = insns[i];
    out << (cur && i == at ? "  --> " : "      ") << in.offset << " " << bytecode::display_name(ops, in);
    if (in.has_arg) out << " " << in.arg;
    out << "\n";
  }
  std::optional<int64_t> depth;
  std::string source;
  if (f.saved_depth && !f.innermost) {
    depth = f.saved_depth;
    source = "saved by the interpreter";
  } else if (cur) {
    auto analysis = bytecode::analyse_stack(ops, code, c->flags, exc);
    auto d = bytecode::depth_at(analysis, cur->offset);
    if (d.depth >= 0) {
      depth = d.depth;
      source = d.exact ? "computed from the bytecode" : "computed from the bytecode (largest of its paths)";
    } else {
      source = d.error;
    }
  }
  if (!depth) {
    out << "  stack depth unknown: " << source << "\n";
    return;
  }
  out << "  stack depth " << *depth << " (" << source << ")\n";
  for (int64_t i = 0; i < *depth && i < 4096; ++i) {
    auto v = ctx.reader.ptr(f.stack_base + uint64_t(i) * 8);
    out << "  [" << i << "] " << (!v ? "<unreadable>" : *v ? ctx.fmt().repr(*v, {2, 20, 200, 2000}) : "NULL")
        << "\n";
  }
}

}  // namespace

void cmd_pyopstack(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  bool all = false;
  std::optional<size_t> n;
  for (const auto& a : args) {
    if (a == "-a" || a == "--all") all = true;
    else n = parse_count("frame number", a);
  }
  auto frames = ctx.selected_frames();
  if (frames.empty()) throw CommandError("no Python frames in the selected thread");
  if (all) {
    for (size_t i = 0; i < frames.size(); ++i) show_frame(ctx, out, i, frames[i]);
    return;
  }
  size_t index = n.value_or(ctx.selected_frame);
  if (index >= frames.size()) throw CommandError("no Python frame " + std::to_string(index));
  show_frame(ctx, out, index, frames[index]);
}

}  // namespace cpydbg
