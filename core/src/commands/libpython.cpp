// libpython.py's commands -- py-bt, py-bt-full, py-print, py-locals, py-list,
// py-up, py-down -- in libpython's own format, word for word, so that what
// people and their scripts read keeps working (CPython's test_gdb is the
// test). Values print in libpython's style (FormatOptions::libpython()).
//
// libpython walks the debugger's native frames from the selected one
// outwards and shows the ones it knows: each eval loop activation with the
// Python frames it runs (one per activation up to 3.10, from 3.11 every frame
// down to one that C called), a built-in being called (its object, as the
// view of the C variable that holds it), waiting for the GIL, the collector.
// Each is numbered as its native frame, and py-up/py-down select them in the
// debugger. Where the debugger's native frames do not hold every Python
// frame (none at all, or an unwinder that stopped early), the activations
// alone stand in for them, numbered as their first Python frame, from a
// notional frame below them all.
#include <algorithm>
#include <map>

#include "commands/context.h"

namespace cpydbg {
namespace {

// libpython's words for its edge cases.
constexpr const char* kNoPythonFrame = "Unable to locate python frame";
constexpr const char* kNoOlderFrame = "Unable to find an older python frame";
constexpr const char* kNoNewerFrame = "Unable to find a newer python frame";
constexpr const char* kUnreadableFrame = "Unable to read information on python frame";

// One of the frames libpython shows.
struct Entry {
  size_t number = 0;           // what follows '#'
  std::vector<size_t> python;  // an activation's Python frames (Stack::frames), innermost first
  std::string line;            // else the line libpython prints for the native frame
};

struct Stack {
  std::vector<FrameInfo> frames;  // the selected thread's Python frames
  std::vector<Entry> entries;     // innermost first
  size_t current = 0;             // where libpython starts; entries.size() when nowhere
  bool native = false;            // the entries are native frames
};

// The native frames of the selected thread libpython shows, with its line
// for each it names. The C variables holding what built-in calls call are
// read in one request per variable name (a deep stack has thousands of
// calls), each frame asked only for its own: gdb looks a name a frame lacks
// up in every file's DWARF (~10 ms) before it gives up.
void native_entries(Context& ctx, uint64_t lwp, const MixedStack& stack, std::vector<Entry>& out) {
  using Kind = LibpythonFrame::Kind;
  std::vector<LibpythonFrame> kinds(stack.native.size());
  std::map<std::string, std::vector<size_t>> levels_of;  // variable -> the frames that hold it
  for (size_t level = 0; level < stack.native.size(); ++level) {
    kinds[level] = libpython_frame(ctx.python(), stack.native, level);
    if (kinds[level].variable) levels_of[kinds[level].variable].push_back(level);
  }
  std::vector<std::optional<uint64_t>> value_at(stack.native.size());  // by level
  for (const auto& [variable, levels] : levels_of) {
    auto values = ctx.target.native_frame_values(lwp, levels, {variable});
    for (size_t i = 0; i < levels.size(); ++i)
      value_at[levels[i]] = i < values.size() && !values[i].empty() ? values[i][0] : std::nullopt;
  }
  for (size_t level = 0; level < stack.native.size(); ++level) {
    const LibpythonFrame& f = kinds[level];
    if (!stack.native[level].python.empty()) {
      out.push_back({level, stack.native[level].python, ""});
    } else if (f.kind == Kind::WaitingForGil) {
      out.push_back({level, {}, "Waiting for the GIL"});
    } else if (f.kind == Kind::GarbageCollecting) {
      out.push_back({level, {}, "Garbage-collecting"});
    } else if (f.variable) {
      const std::optional<uint64_t>& value = value_at[level];
      std::string var = f.variable;
      out.push_back({level, {},
                     value ? ctx.fmt().repr(*value, FormatOptions::libpython())
                     : f.kind == Kind::BuiltinCall
                         ? "PyCFunction invocation (unable to read " + var + ")"
                         : "<wrapper_call invocation (unable to read " + var + ")>"});
    }
  }
}

// The frames libpython shows for the selected thread, and where it starts.
Stack libpython_stack(Context& ctx) {
  Stack s;
  ThreadInfo thread;
  try {
    s.frames = ctx.selected_frames(&thread);
  } catch (const CommandError&) {  // a thread that runs no Python code
    return s;
  }
  if (uint64_t lwp = ctx.lwp_of(thread))
    native_entries(ctx, lwp, ctx.mixed_stack_of(lwp, &thread), s.entries);
  // The native frames stand in for libpython's only where they hold every
  // Python frame: an unwinder that stops early (LLDB 19 in some builds)
  // would drop the older ones, and our own frame selection with them.
  size_t placed = 0;
  for (const Entry& e : s.entries) placed += e.python.size();
  s.native = !s.frames.empty() && placed == s.frames.size();
  if (!s.native) {
    s.entries.clear();
    for (size_t i = 0; i < s.frames.size(); ++i) {
      if (i == 0 || s.frames[i].activation != s.frames[i - 1].activation)
        s.entries.push_back({i, {}, ""});
      s.entries.back().python.push_back(i);
    }
  }
  // A stripped build does not name the collector's functions; the
  // interpreter says it collects, in the thread that holds the GIL.
  bool named = std::any_of(s.entries.begin(), s.entries.end(),
                           [](const Entry& e) { return e.line == "Garbage-collecting"; });
  if (thread.collecting_garbage && !named && !s.entries.empty())
    s.entries.insert(s.entries.begin(), {s.entries.front().number, {}, "Garbage-collecting"});
  if (s.native) {
    size_t selected = ctx.target.selected_native_level().value_or(0);
    while (s.current < s.entries.size() && s.entries[s.current].number < selected) ++s.current;
  } else if (ctx.frame_chosen) {  // else below every frame
    for (size_t i = 0; i < s.entries.size(); ++i)
      if (!s.entries[i].python.empty() && s.entries[i].python.back() >= ctx.selected_frame) {
        s.current = i;
        break;
      }
  }
  return s;
}

// The Python frame libpython reads at an activation: the one a command of
// ours selected there, else its innermost.
size_t frame_at(Context& ctx, const Entry& e) {
  if (ctx.frame_chosen &&
      std::find(e.python.begin(), e.python.end(), ctx.selected_frame) != e.python.end())
    return ctx.selected_frame;
  return e.python.front();
}

// Python's str.strip() of a source line.
std::string stripped(const std::string& line) {
  size_t first = line.find_first_not_of(" \t\r\f\v");
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(" \t\r\f\v") - first + 1);
}

// "    <source line>\n", when the file is readable here.
void print_source(Context& ctx, std::ostream& out, const FrameInfo& f, const CodeInfo& c) {
  int line = line_at(c, f.unit_offset);
  if (line < 0) return;
  if (auto src = ctx.source_line(c.filename, line)) out << "    " << stripped(*src) << "\n";
}

std::string line_text(const FrameInfo& f, const CodeInfo& c) {
  int line = line_at(c, f.unit_offset);
  return line < 0 ? "?" : std::to_string(line);
}

// py-bt-full's and py-up's lines for an entry: each frame's "Frame 0x…" view
// and source line, or the native frame's line.
void print_summary(Context& ctx, std::ostream& out, const Stack& s, const Entry& e) {
  if (e.python.empty()) {
    out << "#" << e.number << " " << e.line << "\n";
    return;
  }
  for (size_t i : e.python) {
    const FrameInfo& f = s.frames[i];
    const CodeInfo* c = ctx.code->get(f.code);
    if (!c) {
      out << "#" << e.number << " (unable to read python frame information)\n";
      return;
    }
    out << "#" << e.number << " " << ctx.fmt().frame_summary(f, FormatOptions::libpython()) << "\n";
    print_source(ctx, out, f, *c);
  }
}

// py-bt's lines for an entry.
void print_traceback(Context& ctx, std::ostream& out, const Stack& s, const Entry& e) {
  if (e.python.empty()) {
    out << "  " << e.line << "\n";
    return;
  }
  for (size_t i : e.python) {
    const FrameInfo& f = s.frames[i];
    const CodeInfo* c = ctx.code->get(f.code);
    if (!c) {
      out << "  (unable to read python frame information)\n";
      return;
    }
    out << "  File \"" << c->filename << "\", line " << line_text(f, *c) << ", in " << c->name
        << "\n";
    print_source(ctx, out, f, *c);
  }
}

// Select an entry: in the debugger its native frame, in ours its frame.
void select(Context& ctx, const Stack& s, size_t index) {
  const Entry& e = s.entries[index];
  if (s.native) ctx.target.select_native_frame(e.number);
  if (!e.python.empty()) ctx.selected_frame = e.python.front();
  ctx.frame_chosen = true;
}

// The entry libpython starts from, or nullopt (its line printed) when none.
const Entry* current_entry(const Stack& s, std::ostream& out) {
  if (s.current < s.entries.size()) return &s.entries[s.current];
  out << kNoPythonFrame << "\n";
  return nullptr;
}

// The activation py-print, py-locals and py-list read a frame from: the
// first at or above where libpython starts (libpython's py-print and
// py-locals give up on a built-in's frame; its py-list looks further, as
// all three do here), or nullptr with libpython's line printed.
const Entry* current_activation(const Stack& s, std::ostream& out) {
  for (size_t i = s.current; i < s.entries.size(); ++i)
    if (!s.entries[i].python.empty()) return &s.entries[i];
  out << (s.entries.empty() ? kNoPythonFrame
                            : "Unable to locate gdb frame for python bytecode interpreter")
      << "\n";
  return nullptr;
}

// The frame py-print and py-list read, and its code; nullopt with
// libpython's line printed when there is none.
struct FrameToRead {
  FrameInfo frame;
  const CodeInfo* code = nullptr;
};
std::optional<FrameToRead> frame_to_read(Context& ctx, std::ostream& out) {
  Stack s = libpython_stack(ctx);
  const Entry* e = current_activation(s, out);
  if (!e) return std::nullopt;
  const FrameInfo& f = s.frames[frame_at(ctx, *e)];
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) {
    out << kUnreadableFrame << "\n";
    return std::nullopt;
  }
  return FrameToRead{f, c};
}

}  // namespace

void cmd_py_bt(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("py-bt takes no arguments");
  Stack s = libpython_stack(ctx);
  if (!current_entry(s, out)) return;
  out << "Traceback (most recent call first):\n";
  for (size_t i = s.current; i < s.entries.size(); ++i) print_traceback(ctx, out, s, s.entries[i]);
}

void cmd_py_bt_full(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw CommandError("py-bt-full takes no arguments");
  ctx.python().require(Feature::Locals);
  Stack s = libpython_stack(ctx);
  if (!current_entry(s, out)) return;
  for (size_t i = s.current; i < s.entries.size(); ++i) print_summary(ctx, out, s, s.entries[i]);
}

void cmd_py_up(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  Stack s = libpython_stack(ctx);
  if (!current_entry(s, out)) return;
  // Without native frames a fresh stop sits below every activation.
  size_t next = s.native || ctx.frame_chosen ? s.current + 1 : s.current;
  if (next >= s.entries.size()) {
    out << kNoOlderFrame << "\n";
    return;
  }
  select(ctx, s, next);
  print_summary(ctx, out, s, s.entries[next]);
}

void cmd_py_down(Context& ctx, const std::vector<std::string>&, std::ostream& out) {
  Stack s = libpython_stack(ctx);
  if (!current_entry(s, out)) return;
  if (s.current == 0 || (!s.native && !ctx.frame_chosen)) {
    out << kNoNewerFrame << "\n";
    return;
  }
  select(ctx, s, s.current - 1);
  print_summary(ctx, out, s, s.entries[s.current - 1]);
}

void cmd_pyprint(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() != 1) throw CommandError("py-print: give one variable name");
  ctx.python().require(Feature::Locals);
  const std::string& name = args[0];
  auto read = frame_to_read(ctx, out);
  if (!read) return;
  const FrameInfo& f = read->frame;
  const CodeInfo* c = read->code;
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
  ctx.python().require(Feature::Globals);
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
  ctx.python().require(Feature::Locals);
  Stack s = libpython_stack(ctx);
  const Entry* e = current_activation(s, out);
  if (!e) return;
  // 3.11+ libpython lists every frame of the activation from the one it
  // reads, each under a "Locals for NAME" line; before, that frame alone.
  const bool headed = ctx.python().at_least(3, 11);
  auto first = std::find(e->python.begin(), e->python.end(), frame_at(ctx, *e));
  for (auto i = first; i != (headed ? e->python.end() : first + 1); ++i) {
    if (headed) {
      const CodeInfo* c = ctx.code->get(s.frames[*i].code);
      out << "Locals for " << (c ? c->name : "?") << "\n";
    }
    ctx.print_locals(out, s.frames[*i], "", FormatOptions::libpython());
  }
}

void cmd_py_list(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  auto read = frame_to_read(ctx, out);
  if (!read) return;
  const FrameInfo& f = read->frame;
  const CodeInfo* c = read->code;
  int current = line_at(*c, f.unit_offset);
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
    auto number = [&](const std::string& text) {
      return int(parse_count("py-list", stripped(text)));
    };
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
