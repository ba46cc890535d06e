// cpydbg-layout list: every table the registry knows, with where it is from.
#include <cstdio>

#include "commands.h"
#include "cpydbg/registry.h"

namespace cpydbg::tool {

int cmd_list(const Args& args) {
  if (!args.empty()) {
    std::fputs("usage: cpydbg-layout list\n", stderr);
    return 2;
  }
  auto& registry = LayoutRegistry::instance();
  std::string problem = registry.reload_overrides();
  if (!problem.empty()) std::fprintf(stderr, "cpydbg-layout list: %s\n", problem.c_str());
  std::printf("%-34s %-10s %-22s %s\n", "NAME", "VERSION", "FLAVOUR", "ORIGIN");
  int bad = 0;
  for (const TableSource& s : registry.sources()) {
    try {
      auto l = registry.by_name(s.name);
      std::string flavour = l->flavour.suffix().empty() ? "release" : l->flavour.suffix();
      std::printf("%-34s %-10s %-22s %s\n", s.name.c_str(), l->python_version.c_str(),
                  flavour.c_str(), s.origin.c_str());
    } catch (const LayoutError& e) {
      ++bad;
      std::printf("%-34s %-10s %-22s %s (unreadable: %s)\n", s.name.c_str(), "?", "?",
                  s.origin.c_str(), e.what());
    }
  }
  if (const char* dir = std::getenv("CPYDBG_LAYOUTS"); dir && *dir)
    std::printf("(CPYDBG_LAYOUTS=%s adds to and overrides the built-in tables)\n", dir);
  return bad ? 1 : 0;
}

}  // namespace cpydbg::tool
