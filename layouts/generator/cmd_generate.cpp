// cpydbg-layout generate: DWARF (+ the interpreter for opcodes) -> table.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "cpydbg/dwarf.h"
#include "interpreter.h"
#include "tables.h"

// Set by layouts/CMakeLists.txt once collect_opcodes is implemented.
#ifdef CPYDBG_HAVE_OPCODE_PROBE
#include "cpydbg/opcode_probe.h"
#endif

namespace cpydbg::tool {
namespace {

struct GenerateArgs {
  std::string file, out, python, variant, from_debug_offsets;
  bool verbose = false, no_opcodes = false;
  ExtractOptions options;
};

const char* kGenerateUsage =
    "usage: cpydbg-layout generate <file> [-o OUT.json] [--python PATH] [--variant NAME]\n"
    "                              [--version X.Y.Z] [--elf ELF] [--no-opcodes] [-v]\n"
    "       cpydbg-layout generate --from-debug-offsets PID|CORE [-o OUT.json] [--variant NAME]\n";

bool parse(const Args& args, GenerateArgs& g) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "-o" || a == "--output") {
      if (!value(g.out)) return false;
    } else if (a == "--python") {
      if (!value(g.python)) return false;
    } else if (a == "--variant") {
      if (!value(g.variant)) return false;
    } else if (a == "--version") {
      if (!value(g.options.version)) return false;
    } else if (a == "--elf") {
      if (!value(g.options.version_from)) return false;
    } else if (a == "--from-debug-offsets") {
      if (!value(g.from_debug_offsets)) return false;
    } else if (a == "--no-opcodes") {
      g.no_opcodes = true;
    } else if (a == "-v" || a == "--verbose") {
      g.verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "cpydbg-layout generate: unknown option %s\n", a.c_str());
      return false;
    } else if (g.file.empty()) {
      g.file = a;
    } else {
      return false;
    }
  }
  return g.file.empty() != g.from_debug_offsets.empty();
}

void add_opcodes(Layout& l, const GenerateArgs& g, const ExtractReport& rep,
                 std::vector<std::string>& notes) {
  if (g.no_opcodes) {
    notes.push_back("opcodes: skipped (--no-opcodes)");
    return;
  }
  // For a .debug file given with --elf, the interpreter sits by the ELF.
  const std::string& binary = g.options.version_from.empty() ? g.file : g.options.version_from;
  std::string python = g.python.empty() ? find_interpreter(binary, l.major(), l.minor()) : g.python;
#ifdef CPYDBG_HAVE_OPCODE_PROBE
  if (python.empty())
    throw LayoutError("no python" + l.series() + " interpreter found next to " + g.file +
                      " to collect the opcode tables; pass --python PATH (or --no-opcodes)");
  l.opcodes = collect_opcodes(python, rep.dwarf_path, l.version_hex, &notes);
  notes.push_back("opcodes: from " + python);
#else
  (void)rep;
  notes.push_back("opcodes: left empty (this generator was built without the opcode probe); "
                  "interpreter would be " + (python.empty() ? std::string("unknown") : python));
#endif
}

}  // namespace

int cmd_generate(const Args& args) {
  GenerateArgs g;
  if (!parse(args, g)) {
    std::fputs(kGenerateUsage, stderr);
    return 2;
  }
  if (!g.from_debug_offsets.empty())
    return generate_from_debug_offsets(g.from_debug_offsets, g.out, g.variant);
  auto start = std::chrono::steady_clock::now();
  ExtractReport rep;
  Layout l;
  try {
    l = extract_layout(g.file, g.options, &rep);
  } catch (const NoDebugInfoError& e) {
    std::fprintf(stderr, "cpydbg-layout generate: %s\n", e.what());
    return 1;
  }
  std::vector<std::string> notes = rep.notes;
  add_opcodes(l, g, rep, notes);
  std::string name = table_name(l, g.variant);
  std::string out = g.out.empty() ? name + ".json" : g.out;
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << dump_layout(l);
  f.close();
  if (!f) throw LayoutError("cannot write " + out);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: Python %s%s%s, %zu structs, %zu enums, DWARF %d-%d from %s (%.2f s)\n",
              out.c_str(), l.python_version.c_str(), l.flavour.suffix().empty() ? "" : " ",
              l.flavour.suffix().c_str(), l.structs.size(), l.enums.size(), rep.dwarf_version_min,
              rep.dwarf_version_max, rep.dwarf_path.c_str(), secs);
  if (!rep.missing_structs.empty() || g.verbose) {
    std::string missing;
    for (const auto& s : rep.missing_structs) missing += " " + s;
    for (const auto& s : rep.missing_enums) missing += " enum:" + s;
    std::printf("  not in this build:%s\n", missing.c_str());
  }
  if (g.verbose)
    for (const auto& n : notes) std::printf("  %s\n", n.c_str());
  return 0;
}

}  // namespace cpydbg::tool
