// pyobj, py-print and pyinfo.
#include "commands/context.h"

namespace cpydbg {

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
  out << ctx.fmt().describe(*addr) << "\n" << ctx.fmt().repr(*addr, options) << "\n";
}

void cmd_pyprint(Context& ctx, const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() != 1) throw CommandError("py-print: give one variable name");
  FrameInfo f = ctx.selected_frame_info();
  const CodeInfo* c = ctx.code->get(f.code);
  if (!c) throw CommandError("the selected frame's code object is unreadable");
  for (size_t i = 0; i < c->slots.size(); ++i) {
    if (c->slots[i].name != args[0]) continue;
    auto v = ctx.reader.ptr(f.localsplus + i * 8);
    if (!v || !*v) throw CommandError("local '" + args[0] + "' is unbound");
    out << "local '" << args[0] << "' = " << ctx.fmt().repr(*v) << "\n";
    return;
  }
  throw CommandError("no local named '" + args[0] + "' in the selected Python frame");
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
  out << "Python " << (d.version_hex ? version_string(d.version_hex) : py.layout().python_version)
      << (d.flavour.suffix().empty() ? "" : " (" + d.flavour.suffix() + ")") << ", detected from "
      << d.how << "\n";
  out << "layout table: " << py.table_origin() << ", generated from Python "
      << py.layout().python_version << "\n";
  out << "sanity checks:\n";
  for (const auto& c : py.checks())
    out << "  " << (c.passed ? "ok    " : "FAILED") << " " << c.what << " (" << c.detail << ")\n";
}

}  // namespace cpydbg
