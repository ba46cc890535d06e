// pyobj and pyinfo.
#include "commands/context.h"

#include <algorithm>
#include <unordered_set>

#include "runtime/partial_layout.h"

namespace cpydbg {
namespace {

constexpr size_t kMaxTraceback = 10000;  // entries shown; a longer chain is corrupt or looped

std::string generator_state(Context& ctx, const GeneratorInfo& g) {
  switch (g.state) {
    case GeneratorInfo::State::NotStarted: return "not started: " + ctx.location(*g.frame);
    case GeneratorInfo::State::Suspended: return "suspended at " + ctx.location(*g.frame);
    case GeneratorInfo::State::Running: return "running at " + ctx.location(*g.frame);
    case GeneratorInfo::State::Finished: break;
  }
  return "finished";
}

// An exception's __traceback__ (3.x), outermost first as Python prints it.
void print_traceback(Context& ctx, uint64_t exc, std::ostream& out) {
  const Offsets& o = ctx.python().off();
  if (o.exc.traceback == kAbsent) return;  // 2.7 keeps it in sys.exc_info only
  auto tb = ctx.reader.ptr(exc + o.exc.traceback);
  if (!tb || !*tb) return;
  out << "Traceback (most recent call last):\n";
  std::unordered_set<uint64_t> seen;
  for (uint64_t t = *tb; t; ) {
    if (seen.size() >= kMaxTraceback || !seen.insert(t).second) {
      out << "  (the traceback chain loops or is too long)\n";
      return;
    }
    auto frame = ctx.reader.ptr(t + o.traceback.tb_frame);
    auto lasti = ctx.reader.get<int32_t>(t + o.traceback.tb_lasti);
    auto next = ctx.reader.ptr(t + o.traceback.tb_next);
    auto f = frame && *frame ? ctx.walker->frame_of_object(*frame) : std::nullopt;
    if (!f || !lasti || !next) {
      out << "  (unreadable traceback entry)\n";
      return;
    }
    f->unit_offset = *lasti;  // the instruction that raised, not where the frame is now
    out << "  " << ctx.location(*f) << "\n";
    t = *next;
  }
}

// What pyobj adds under the repr: where a generator or coroutine is, an
// exception's traceback, and the attributes (__dict__, then __slots__) of an
// instance of a class defined in Python, which its repr does not show.
void print_details(Context& ctx, uint64_t addr, const FormatOptions& options, std::ostream& out) {
  auto& access = ctx.access();
  for (const char* type : {"PyGen_Type", "PyCoro_Type", "PyAsyncGen_Type"}) {
    if (!access.is_instance(addr, type)) continue;
    auto g = ctx.walker->generator(addr);
    out << (g ? generator_state(ctx, *g) : "frame unreadable") << "\n";
    return;
  }
  auto type = access.type_of(addr);
  auto flags = type ? access.tp_flags(*type) : std::nullopt;
  if (flags && (*flags & kTpFlagBaseExcSubclass)) print_traceback(ctx, addr, out);
  bool user_instance = (flags && (*flags & kTpFlagHeapType) && !access.is_instance(addr, "PyType_Type")) ||
                       access.is_instance(addr, "PyInstance_Type");
  if (!user_instance) return;
  auto attrs = ctx.fmt().attributes(addr, options.max_items);
  if (!attrs) return;
  for (const auto& a : *attrs)
    out << "  " << a.name << " = " << (a.value ? ctx.fmt().repr(a.value, options) : "<unset>") << "\n";
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// pyinfo's view of the process's _Py_DebugOffsets: every entry, a line per
// group, or why they are not used; then (3.14+) what sys.remote_exec may do.
void print_debug_offsets(Context& ctx, std::ostream& out) {
  Python& py = ctx.python();
  const DebugOffsetsRead& r = py.detection().debug_offsets;
  if (!r.present) return;
  if (!r.offsets) {
    out << "_Py_DebugOffsets: not used: " << r.problem << "\n";
    return;
  }
  const DebugOffsets& d = *r.offsets;
  out << "_Py_DebugOffsets at 0x" << std::hex << d.address << std::dec << " (the "
      << (d.version_hex >> 24) << "." << d.shape_minor << " shape, " << d.size
      << " bytes), Python " << version_string(d.version_hex)
      << (d.free_threaded ? ", free-threaded" : "") << ":\n";
  std::string group, line;
  for (const auto& e : d.entries()) {
    std::string name = e.field->name;
    std::string g = name.substr(0, name.find('.'));
    if (g != group) {
      if (!line.empty()) out << line << "\n";
      group = g;
      line = "  " + g + ":";
    } else {
      line += ",";
    }
    line += " " + name.substr(g.size() + 1) + " " + std::to_string(e.value);
  }
  if (!line.empty()) out << line << "\n";
  const Offsets& o = py.off();
  if (o.remote_debug.enabled == kAbsent) return;
  std::string problem;
  auto threads = ctx.walker->threads(&problem);
  if (threads.empty()) return;
  auto enabled = ctx.reader.get<int32_t>(threads.front().interp + o.remote_debug.enabled);
  out << "remote debugging (PEP 768, sys.remote_exec): "
      << (!enabled ? "unreadable" : *enabled ? "allowed" : "switched off (-X disable_remote_debug)")
      << "\n";
  if (o.remote_debug.support == kAbsent || o.remote_debug.pending_call == kAbsent) return;
  for (const auto& t : threads) {
    uint64_t support = t.tstate + o.remote_debug.support;
    auto pending = ctx.reader.get<int32_t>(support + o.remote_debug.pending_call);
    if (!pending || !*pending) continue;
    std::optional<std::string> path;
    if (o.remote_debug.script_path != kAbsent && o.remote_debug.script_path_size)
      path = ctx.reader.cstring(support + o.remote_debug.script_path,
                                std::min<uint64_t>(o.remote_debug.script_path_size, 4096));
    out << "  " << ctx.thread_header(t) << ": a script is pending: "
        << (path ? *path : "<unreadable path>") << "\n";
  }
}

}  // namespace

void cmd_pyobj(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  FormatOptions options;
  std::string expr;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--depth" && i + 1 < args.size())
      options.max_depth = int(std::min<size_t>(parse_count("--depth", args[++i]), 64));
    else if (args[i] == "--max-items" && i + 1 < args.size())
      options.max_items = parse_count("--max-items", args[++i]);
    else expr += (expr.empty() ? "" : " ") + args[i];
  }
  if (expr.empty()) throw CommandError("pyobj: give an address or expression (see: help pyobj)");
  std::string error;
  auto addr = ctx.target.evaluate(expr, &error);
  if (!addr) throw CommandError("pyobj: cannot evaluate '" + expr + "': " + error);
  ctx.python();
  // 0x1, a stack address, the middle of an object: one line saying so, not
  // a header and a repr that both say "unreadable".
  if (!ctx.access().type_name_of(*addr)) {
    std::ostringstream msg;
    msg << "pyobj: no Python object at 0x" << std::hex << *addr
        << " (its memory or its type is unreadable)";
    throw CommandError(msg.str());
  }
  if (auto feature = ctx.fmt().uncovered(*addr))
    throw CommandError("pyobj: " + ctx.python().coverage().refusal(*feature));
  out << ctx.fmt().describe(*addr) << "\n" << ctx.fmt().repr(*addr, options) << "\n";
  print_details(ctx, *addr, options, out);
}

void cmd_pyinfo(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--python-version" && i + 1 < args.size()) {
      ctx.forced_version = args[++i];
      ctx.py.reset();
    } else {
      throw CommandError("pyinfo: unknown argument '" + args[i] + "'");
    }
  }
  Python& py = ctx.python();
  const Detection& d = py.detection();
  const Layout& l = py.layout();
  out << "Python " << (d.version_hex ? version_string(d.version_hex) : l.python_version)
      << (d.flavour.suffix().empty() ? "" : " (" + d.flavour.suffix() + ")") << ", detected from "
      << d.how << "\n";
  if (l.partial_from.empty()) {
    out << "layout table: " << py.table_origin() << ", generated from Python " << l.python_version
        << "\n";
  } else {
    out << "layout table: " << py.table_origin() << "\n";
    if (!py.rejected_tables().empty()) out << "  not trusted: " << py.rejected_tables() << "\n";
    out << "  beyond its _Py_DebugOffsets:\n";
    for (const auto& fact : partial_layout_facts(l)) out << "    " << fact << "\n";
    out << "  not covered (a table made by `cpydbg-layout generate` from a build with debug info "
           "covers them):\n";
    for (Feature f : py.coverage().uncovered())
      out << "    " << Coverage::describe(f) << " (missing: " << join(py.coverage().missing(f))
          << ")\n";
  }
  out << "sanity checks:\n";
  for (const auto& c : py.checks()) {
    out << "  " << (c.passed ? "ok    " : "FAILED") << " " << c.what << " (" << c.detail << ")\n";
  }
  for (const auto& line : py.disagreements()) out << "         " << line << "\n";
  print_debug_offsets(ctx, out);
}

}  // namespace cpydbg
