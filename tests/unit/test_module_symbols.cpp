// ModuleSymbols given only where each file's ELF header is loaded — all the
// LLDB plugin asks of LLDB — against every interpreter, live: the symbols
// are where the process's own maps put them, and the read-only segments read
// from the files are the bytes the process holds.
#include <doctest/doctest.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "stopped_python.h"
#include "target/live_process.h"
#include "target/module_symbols.h"

using namespace cpydbg;

namespace {
const std::string kScript = CPYDBG_SOURCE_DIR "/tests/format/stop_with_ids.py";

uint64_t hex(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

// One mapping per file: the one of its first page, as a module list gives it.
std::vector<Mapping> header_mappings(const std::vector<Mapping>& maps) {
  std::vector<Mapping> headers;
  for (const Mapping& m : maps)
    if (m.offset == 0 && !m.path.empty() && m.path[0] == '/') headers.push_back({m.start, m.start, 0, "", m.path});
  return headers;
}
}  // namespace

TEST_CASE("ModuleSymbols from ELF header addresses finds symbols and file-backed bytes") {
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) {
      test::StoppedPython proc(interp.python, kScript);
      REQUIRE_MESSAGE(proc.ok(), proc.failure());
      auto facts = nlohmann::json::parse(proc.output());
      LiveProcessTarget live(proc.pid());
      REQUIRE_MESSAGE(live.ok(), live.error());
      ModuleSymbols modules(header_mappings(live.mappings()));

      auto none = modules.find("_Py_NoneStruct");
      REQUIRE(none.has_value());
      CHECK(*none == hex(facts["none"]));

      // Code is read-only and file-backed: the file's bytes are the process's.
      auto code = modules.find("PyList_New");
      REQUIRE(code.has_value());
      unsigned char from_file[64] = {}, from_process[64] = {};
      REQUIRE(modules.read_file_backed(*code, from_file, sizeof from_file));
      REQUIRE(live.read(*code, from_process, sizeof from_process));
      CHECK(std::memcmp(from_file, from_process, sizeof from_file) == 0);

      // None lives in a writable segment: what the file holds there is stale.
      char buf[16];
      CHECK_FALSE(modules.read_file_backed(*none, buf, sizeof buf));
      CHECK_FALSE(modules.read_file_backed(0x10, buf, sizeof buf));
    }
  }
}
