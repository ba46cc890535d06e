// pystack, frame selection, locals and source listing.
#include "commands/context.h"

namespace cpydbg {
namespace {

size_t parse_index(const std::vector<std::string>& args, size_t dflt) {
  return args.empty() ? dflt : parse_count("frame number", args[0]);
}

}  // namespace

void cmd_pystack(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  bool all = false, locals = false, native = false;
  size_t limit = SIZE_MAX;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-a" || args[i] == "--all") all = true;
    else if (args[i] == "-l" || args[i] == "--locals") locals = true;
    else if (args[i] == "-n" || args[i] == "--native") native = true;
    else if (args[i] == "--limit" && i + 1 < args.size()) limit = parse_count("--limit", args[++i]);
    else throw CommandError("pystack: unknown argument '" + args[i] + "' (see: help pystack)");
  }
  ctx.python();  // attach first: a wrong version is the error to report
  if (locals) ctx.python().require(Feature::Locals);
  std::string problem;
  auto threads = ctx.walker->threads(&problem);
  // No threads is an error with -a too (selected_thread says so): an empty
  // answer would read as success.
  if (threads.empty() && !problem.empty()) throw CommandError("no Python threads: " + problem);
  if (native) {
    print_native_stacks(ctx, threads, all, locals, limit, out);
    if (!problem.empty()) out << "warning: " << problem << "\n";
    return;
  }
  std::vector<ThreadInfo> shown =
      all && !threads.empty() ? threads : std::vector<ThreadInfo>{ctx.selected_thread(threads)};
  for (size_t t = 0; t < shown.size(); ++t) {
    if (t) out << "\n";
    out << ctx.thread_header(shown[t]) << ":\n";
    std::string frame_problem;
    auto frames = ctx.walker->frames(shown[t], &frame_problem);
    if (frames.empty()) out << "  (no Python frames)\n";
    // A selection made in another thread is not this one's: it starts at #0.
    size_t selected = shown[t].tstate == ctx.selection_thread ? ctx.selected_frame : 0;
    for (size_t i = 0; i < frames.size() && i < limit; ++i)
      ctx.print_frame(out, i, frames[i], locals, !all && i == selected);
    if (frames.size() > limit) out << "  (" << frames.size() - limit << " more frames)\n";
    if (!frame_problem.empty()) out << "  warning: " << frame_problem << "\n";
  }
  if (!problem.empty()) out << "warning: " << problem << "\n";
}

void cmd_pyframe(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  auto frames = ctx.selected_frames();
  if (frames.empty()) throw CommandError("no Python frames in the selected thread");
  size_t n = parse_index(args, ctx.selected_frame);
  if (n >= frames.size())
    throw CommandError("no Python frame " + std::to_string(n) + " (the thread has " +
                       std::to_string(frames.size()) + ")");
  ctx.selected_frame = n;
  ctx.frame_chosen = true;
  ctx.follow_in_native_frames(n);
  ctx.print_frame(out, n, frames[n], false, false);
}

void cmd_pyup(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  auto frames = ctx.selected_frames();
  size_t step = parse_index(args, 1);
  if (frames.empty() || ctx.selected_frame + 1 >= frames.size())
    throw CommandError("unable to find an older Python frame");
  ctx.selected_frame = std::min(ctx.selected_frame + step, frames.size() - 1);
  ctx.frame_chosen = true;
  ctx.follow_in_native_frames(ctx.selected_frame);
  ctx.print_frame(out, ctx.selected_frame, frames[ctx.selected_frame], false, false);
}

void cmd_pydown(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  auto frames = ctx.selected_frames();
  size_t step = parse_index(args, 1);
  if (frames.empty() || ctx.selected_frame == 0)
    throw CommandError("unable to find a newer Python frame");
  ctx.selected_frame -= std::min(step, ctx.selected_frame);
  ctx.frame_chosen = true;
  ctx.follow_in_native_frames(ctx.selected_frame);
  ctx.print_frame(out, ctx.selected_frame, frames[ctx.selected_frame], false, false);
}

void cmd_pylocals(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  ctx.python().require(Feature::Locals);
  FrameInfo f = ctx.selected_frame_info();
  out << ctx.frame_line(ctx.selected_frame, f) << "\n";
  ctx.print_locals(out, f, "  ", {});
}

void cmd_pylist(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  FrameInfo f = ctx.selected_frame_info();
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) throw CommandError("the selected frame's code object is unreadable");
  int current = ctx.line_of(f, *c);
  int center = args.empty() ? current : int(parse_count("line", args[0]));
  int first = std::max(1, center - 5);
  bool any = false;
  for (int line = first; line <= center + 5; ++line) {
    auto src = ctx.source_line(c->filename, line);
    if (!src) break;
    any = true;
    out << (line == current ? ">" : " ") << std::string(5 - std::min<size_t>(5, std::to_string(line).size()), ' ')
        << line << "    " << *src << "\n";
  }
  if (!any) throw CommandError("cannot read source file " + c->filename);
}

}  // namespace cpydbg
