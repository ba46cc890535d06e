// pystack -n: each thread's native frames, innermost first, with the Python
// frames each eval loop activation runs printed under it.
#include <algorithm>
#include <iomanip>

#include "commands/context.h"

namespace cpydbg {
namespace {

// `#6  0x00007ffff7910812 in _PyEval_EvalFrameDefault () from libpython3.12.so.1.0`,
// as gdb prints a frame without its arguments; a frame an inlined call sits
// in runs at that call's pc, which is not said twice: `#2  os_kill () from …`.
void print_native_frame(std::ostream& out, size_t level, const NativeFrameInfo& n, bool show_pc) {
  std::ostringstream number;
  number << "#" << level;
  out << std::left << std::setw(4) << number.str() << std::right;
  if (show_pc)
    out << "0x" << std::hex << std::setw(16) << std::setfill('0') << n.pc << std::dec
        << std::setfill(' ') << " in ";
  out << (n.function.empty() ? "??" : n.function) << " ()";
  if (!n.module.empty()) out << " from " << n.module;
  out << "\n";
}

void print_thread(Context& ctx, std::ostream& out, const MixedStack& stack, bool locals,
                  size_t limit, bool mark_selected) {
  if (stack.native.empty()) out << "  (no native frames: the debugger cannot unwind this thread)\n";
  for (size_t level = 0; level < stack.native.size() && level < limit; ++level) {
    const NativeFrameInfo& n = stack.native[level];
    print_native_frame(out, level, n, level == 0 || !stack.native[level - 1].inlined);
    for (size_t i : n.python)
      ctx.print_frame(out, i, stack.python[i], locals, mark_selected && i == ctx.selected_frame,
                      "    ");
  }
  if (stack.native.size() > limit)
    out << "  (" << stack.native.size() - limit << " more native frames)\n";
  else if (stack.truncated)
    out << "  (stopped after " << Target::kMaxNativeFrames << " native frames)\n";
  if (!stack.problem.empty()) out << "  warning: " << stack.problem << "\n";
}

}  // namespace

void print_native_stacks(Context& ctx, const std::vector<ThreadInfo>& threads, bool all,
                         bool locals, size_t limit, std::ostream& out) {
  std::vector<uint64_t> shown_lwps;
  auto show = [&](uint64_t lwp, const ThreadInfo* thread) {
    if (!shown_lwps.empty()) out << "\n";
    shown_lwps.push_back(lwp);
    if (thread) out << ctx.thread_header(*thread) << ":\n";
    else out << "Thread (tid " << lwp << "), no Python thread state:\n";
    print_thread(ctx, out, ctx.mixed_stack_of(lwp, thread), locals, limit, !all);
  };
  if (!all) {
    // The debugger's selected thread, Python or not.
    if (auto t = ctx.debugger_thread(threads)) return show(ctx.lwp_of(*t), &*t);
    if (auto sel = ctx.target.selected_thread(); sel && sel->lwp) return show(sel->lwp, nullptr);
    if (threads.empty()) throw CommandError("the Python runtime has no threads and no thread is selected");
    const ThreadInfo t = ctx.selected_thread(threads);
    return show(ctx.lwp_of(t), &t);
  }
  for (const ThreadInfo& t : threads) {
    uint64_t lwp = ctx.lwp_of(t);
    if (!lwp) {
      out << (shown_lwps.empty() ? "" : "\n") << ctx.thread_header(t)
          << ":\n  (its kernel thread id is unknown: no native frames)\n";
      shown_lwps.push_back(0);
      continue;
    }
    show(lwp, &t);
  }
  for (uint64_t lwp : ctx.target.thread_lwps())
    if (std::find(shown_lwps.begin(), shown_lwps.end(), lwp) == shown_lwps.end()) show(lwp, nullptr);
}

}  // namespace cpydbg
