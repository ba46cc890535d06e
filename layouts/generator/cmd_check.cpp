// cpydbg-layout check: parse one table and apply check_rules.
#include <cstdio>
#include <filesystem>

#include "check_rules.h"
#include "commands.h"
#include "tables.h"

namespace cpydbg::tool {

int cmd_check(const Args& args) {
  if (args.size() != 1) {
    std::fputs("usage: cpydbg-layout check <table.json or table name>\n", stderr);
    return 2;
  }
  std::string origin;
  Layout l;
  try {
    l = load_table(args[0], &origin);
  } catch (const LayoutError& e) {
    std::printf("FAIL %s: %s\n", args[0].c_str(), e.what());
    return 1;
  }
  std::vector<std::string> problems = check_layout(l);
  std::filesystem::path p(args[0]);
  std::string stem = p.extension() == ".json" ? p.stem().string() : args[0];
  if (!stem_matches(stem, l))
    problems.push_back("the name " + stem + " does not match its contents (Python " +
                       l.python_version + (l.flavour.suffix().empty() ? "" : " ") +
                       l.flavour.suffix() + ", " + l.arch + "; expected " + l.name() + ")");
  size_t fields = 0;
  for (const auto& [n, s] : l.structs) fields += s.fields.size();
  if (!problems.empty()) {
    std::printf("FAIL %s: %s%s\n", args[0].c_str(), problems[0].c_str(),
                problems.size() > 1
                    ? (" (and " + std::to_string(problems.size() - 1) + " more below)").c_str()
                    : "");
    for (size_t i = 1; i < problems.size(); ++i) std::printf("  %s\n", problems[i].c_str());
    return 1;
  }
  std::printf("ok %s: Python %s%s%s, %zu structs, %zu fields, %zu enums, %zu opcodes\n",
              args[0].c_str(), l.python_version.c_str(), l.flavour.suffix().empty() ? "" : " ",
              l.flavour.suffix().c_str(), l.structs.size(), fields, l.enums.size(),
              l.opcodes.names.size());
  for (const auto& w : check_warnings(l)) std::printf("  note: %s\n", w.c_str());
  return 0;
}

}  // namespace cpydbg::tool
