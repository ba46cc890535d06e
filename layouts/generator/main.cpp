// cpydbg-layout: entry point and usage text.
#include <cstdio>
#include <cstring>
#include <exception>

#include "commands.h"

namespace {

const char* kUsage =
    "usage: cpydbg-layout <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate <file> [-o OUT.json] [--python PATH] [--version X.Y.Z]\n"
    "      write the layout table of a CPython build; <file> is libpython*.so, a python\n"
    "      executable or a separate .debug file (build-id and .gnu_debuglink are followed).\n"
    "      -o        output file (default: ./<table name>.json, e.g. cpython-3.12-x86_64.json)\n"
    "      --python  the matching interpreter, run to collect the opcode tables\n"
    "                (default: <file> itself if it is python, else <prefix>/bin/pythonX.Y)\n"
    "      --version the exact version, when <file> is a .debug file with no data in it\n"
    "      --elf     the stripped ELF whose data belongs to a .debug <file> (version source)\n"
    "  generate --from-debug-offsets PID|CORE [-o OUT.json] [--variant NAME]\n"
    "      write the partial table a live Python 3.13+ process or a core file of one gives\n"
    "      through its _Py_DebugOffsets (default name: cpython-X.Y-partial-<arch>.json); the\n"
    "      commands it does not cover say so (a table from a build with debug info covers all)\n"
    "  list\n"
    "      the tables cpydbg knows: built-in and $CPYDBG_LAYOUTS\n"
    "  diff A B\n"
    "      what changed from table A to table B (file paths or table names)\n"
    "  check T\n"
    "      validate table T (file path or table name); exit status 0 when good\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  cpydbg::tool::Args args(argv + 2, argv + argc);
  try {
    if (cmd == "generate") return cpydbg::tool::cmd_generate(args);
    if (cmd == "list") return cpydbg::tool::cmd_list(args);
    if (cmd == "diff") return cpydbg::tool::cmd_diff(args);
    if (cmd == "check") return cpydbg::tool::cmd_check(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cpydbg-layout %s: %s\n", cmd.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr, "cpydbg-layout: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
