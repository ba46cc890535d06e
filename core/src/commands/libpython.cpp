// libpython.py's commands -- py-bt, py-bt-full, py-print, py-locals, py-list,
// py-up, py-down -- in libpython's own format, word for word, so that what
// people and their scripts read keeps working (CPython's test_gdb is the
// test). Values print in libpython's style (FormatOptions::libpython()).
//
// libpython walks gdb's frames. Its unit is the eval-loop activation: one
// _PyEval_EvalFrameDefault call, which from 3.11 runs every Python frame up
// to the one C called it for (FrameInfo::activation); py-up and py-down
// step from activation to activation and print all of its frames. At a
// fresh stop the selected gdb frame is below every Python frame (a C
// function, a breakpoint in one), so the first py-up selects the innermost
// activation and py-down finds nothing newer.
#include <algorithm>

#include "commands/context.h"

namespace cpydbg {
namespace {

// libpython's words for its edge cases.
constexpr const char* kNoPythonFrame = "Unable to locate python frame";
constexpr const char* kNoOlderFrame = "Unable to find an older python frame";
constexpr const char* kNoNewerFrame = "Unable to find a newer python frame";

// The selected thread's Python frames; empty (and libpython's line
// printed) when it runs none.
std::vector<FrameInfo> python_frames(Context& ctx, std::ostream& out, ThreadInfo* thread = nullptr) {
  std::vector<FrameInfo> frames;
  try {
    frames = ctx.selected_frames(thread);
  } catch (const CommandError&) {  // a thread that runs no Python code
  }
  if (frames.empty()) out << kNoPythonFrame << "\n";
  if (ctx.selected_frame >= frames.size()) ctx.selected_frame = frames.empty() ? 0 : frames.size() - 1;
  return frames;
}

// First and last frame of the activation that runs frame i.
size_t activation_first(const std::vector<FrameInfo>& frames, size_t i) {
  while (i > 0 && frames[i - 1].activation == frames[i].activation) --i;
  return i;
}
size_t activation_last(const std::vector<FrameInfo>& frames, size_t i) {
  while (i + 1 < frames.size() && frames[i + 1].activation == frames[i].activation) ++i;
  return i;
}

// Python's str.strip() of a source line.
std::string stripped(const std::string& line) {
  size_t first = line.find_first_not_of(" \t\r\f\v");
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(" \t\r\f\v") - first + 1);
}

// "    <source line>\n", when the file is readable here.
void print_source(Context& ctx, std::ostream& out, const FrameInfo& f, const CodeInfo& c) {
  int line = line_at(ctx.python(), c, f.unit_offset);
  if (line < 0) return;
  if (auto src = ctx.source_line(c.filename, line)) out << "    " << stripped(*src) << "\n";
}

std::string line_text(Context& ctx, const FrameInfo& f, const CodeInfo& c) {
  int line = line_at(ctx.python(), c, f.unit_offset);
  return line < 0 ? "?" : std::to_string(line);
}

// py-bt-full's and py-up's lines for one frame: its "Frame 0x…" view and source.
void print_summary(Context& ctx, std::ostream& out, size_t index, const FrameInfo& f) {
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) {
    out << "#" << index << " (unable to read python frame information)\n";
    return;
  }
  out << "#" << index << " " << ctx.fmt().frame_summary(f, FormatOptions::libpython()) << "\n";
  print_source(ctx, out, f, *c);
}

void print_activation(Context& ctx, std::ostream& out, const std::vector<FrameInfo>& frames,
                      size_t first) {
  for (size_t i = first; i <= activation_last(frames, first); ++i)
    print_summary(ctx, out, i, frames[i]);
}

}  // namespace

// What libpython prints for the thread's native frames below every Python
// frame, when the backtrace starts there (no frame chosen since the stop).
std::vector<std::string> below_python(Context& ctx, const ThreadInfo& thread) {
  std::vector<std::string> lines;
  if (ctx.frame_chosen) return lines;
  if (thread.collecting_garbage) lines.push_back("Garbage-collecting");
  return lines;
}

void cmd_py_bt(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("py-bt takes no arguments");
  ThreadInfo thread;
  auto frames = python_frames(ctx, out, &thread);
  if (frames.empty()) return;
  out << "Traceback (most recent call first):\n";
  for (const auto& line : below_python(ctx, thread)) out << "  " << line << "\n";
  for (size_t i = ctx.selected_frame; i < frames.size(); ++i) {
    const CodeInfo* c = ctx.code->get(frames[i].code);
    if (!c) {
      out << "  (unable to read python frame information)\n";
      continue;
    }
    out << "  File \"" << c->filename << "\", line " << line_text(ctx, frames[i], *c) << ", in "
        << c->name << "\n";
    print_source(ctx, out, frames[i], *c);
  }
}

void cmd_py_bt_full(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("py-bt-full takes no arguments");
  ThreadInfo thread;
  auto frames = python_frames(ctx, out, &thread);
  if (frames.empty()) return;
  // Numbered as the Python frame they run under.
  for (const auto& line : below_python(ctx, thread))
    out << "#" << ctx.selected_frame << " " << line << "\n";
  for (size_t i = ctx.selected_frame; i < frames.size(); ++i) print_summary(ctx, out, i, frames[i]);
}

void cmd_py_up(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  auto frames = python_frames(ctx, out);
  if (frames.empty()) return;
  size_t next = ctx.frame_chosen ? activation_last(frames, ctx.selected_frame) + 1 : 0;
  if (next >= frames.size()) {
    out << kNoOlderFrame << "\n";
    return;
  }
  ctx.selected_frame = next;
  ctx.frame_chosen = true;
  print_activation(ctx, out, frames, next);
}

void cmd_py_down(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  auto frames = python_frames(ctx, out);
  if (frames.empty()) return;
  size_t first = activation_first(frames, ctx.selected_frame);
  if (!ctx.frame_chosen || first == 0) {
    out << kNoNewerFrame << "\n";
    return;
  }
  ctx.selected_frame = activation_first(frames, first - 1);
  print_activation(ctx, out, frames, ctx.selected_frame);
}

void cmd_pyprint(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() != 1) throw CommandError("py-print: give one variable name");
  const std::string& name = args[0];
  auto frames = python_frames(ctx, out);
  if (frames.empty()) return;
  const FrameInfo& f = frames[ctx.selected_frame];
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) {
    out << "Unable to read information on python frame\n";
    return;
  }
  auto print = [&](const char* scope, uint64_t value) {
    out << scope << " '" << name << "' = " << ctx.fmt().repr(value, FormatOptions::libpython())
        << "\n";
  };
  // Python's lookup order and libpython's scope words: the frame's own
  // slots (a cell's contents; an unbound one is passed over, as libpython
  // does), a class body's namespace, globals, builtins.
  for (size_t i = 0; i < c->slots.size(); ++i)
    if (c->slots[i].name == name)
      if (auto v = ctx.slot_value(f, *c, i)) return print("local", *v);
  const std::pair<const char*, uint64_t> scopes[] = {
      {"local", f.locals != f.globals ? f.locals : 0}, {"global", f.globals},
      {"builtin", f.builtins}};
  for (auto [scope, dict] : scopes) {
    if (!dict || !ctx.access().is_instance(dict, "PyDict_Type")) continue;
    if (auto v = ctx.fmt().dict_get(dict, name)) return print(scope, *v);
  }
  out << "'" << name << "' not found\n";
}

void cmd_py_locals(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  auto frames = python_frames(ctx, out);
  if (frames.empty()) return;
  // 3.11+ libpython lists every frame of the activation, each under a
  // "Locals for NAME" line; before, the one frame with no heading.
  const bool headed = ctx.python().at_least(3, 11);
  size_t last = headed ? activation_last(frames, ctx.selected_frame) : ctx.selected_frame;
  for (size_t i = ctx.selected_frame; i <= last; ++i) {
    if (headed) {
      const CodeInfo* c = ctx.code->get(frames[i].code);
      out << "Locals for " << (c ? c->name : "?") << "\n";
    }
    ctx.print_locals(out, frames[i], "", FormatOptions::libpython());
  }
}

void cmd_py_list(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  auto frames = python_frames(ctx, out);
  if (frames.empty()) return;
  const FrameInfo& f = frames[ctx.selected_frame];
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) {
    out << "Unable to read information on python frame\n";
    return;
  }
  int current = line_at(ctx.python(), *c, f.unit_offset);
  if (current < 0) {
    out << "Unable to read python frame line number\n";
    return;
  }
  // libpython: "START" lists START..START+10, "START, END" that range,
  // nothing lineno-5..lineno+5.
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  int start = current - 5, end = current + 5;
  if (!joined.empty()) {
    size_t comma = joined.find(',');
    auto number = [&](const std::string& s) { return int(parse_count("py-list", stripped(s))); };
    start = number(joined.substr(0, comma));
    end = comma == std::string::npos ? start + 10 : number(joined.substr(comma + 1));
  }
  start = std::max(start, 1);
  if (!ctx.source_line(c->filename, 1) && !ctx.source_line(c->filename, start)) {
    out << "Unable to open " << c->filename << ": not a readable file here\n";
    return;
  }
  for (int line = start; line <= end; ++line) {
    auto src = ctx.source_line(c->filename, line);
    if (!src) break;
    std::string number = (line == current ? ">" : "") + std::to_string(line);
    out << std::string(number.size() < 4 ? 4 - number.size() : 0, ' ') << number << "    " << *src
        << "\n";
  }
}

}  // namespace cpydbg
