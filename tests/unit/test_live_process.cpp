// LiveProcessTarget against every interpreter: symbols from .dynsym and
// .symtab (local ones too) with the load bias applied, memory reads, maps.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;

namespace {
const std::string kScript = CPYDBG_SOURCE_DIR "/tests/format/stop_with_ids.py";

uint64_t hex(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }
}  // namespace

TEST_CASE("LiveProcessTarget reads symbols and memory of every interpreter") {
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) {
      test::StoppedPython proc(interp.python, kScript);
      REQUIRE_MESSAGE(proc.ok(), proc.failure());
      auto facts = nlohmann::json::parse(proc.output());
      LiveProcessTarget target(proc.pid());
      REQUIRE_MESSAGE(target.ok(), target.error());

      // An exported data symbol, biased: the address of None itself.
      auto none = target.symbol("_Py_NoneStruct");
      REQUIRE(none.has_value());
      CHECK(*none == hex(facts["none"]));
      // Memory: None's ob_type is NoneType.
      uint64_t header[2] = {0, 0};
      REQUIRE(target.read(*none, header, sizeof header));
      CHECK(header[1] == hex(facts["none_type"]));

      if (std::string(interp.label) == "2.7") {
        // A static (local) symbol only .symtab has.
        CHECK(target.symbol("interp_head").has_value());
      }
      CHECK_FALSE(target.symbol("no_such_symbol_anywhere").has_value());

      bool found_exe = false;
      for (const auto& p : target.module_paths()) found_exe |= p == facts["executable"];
      CHECK(found_exe);
    }
  }
}

TEST_CASE("LiveProcessTarget refuses unmapped and impossible addresses") {
  test::StoppedPython proc(test::interpreters()[8].python, kScript);
  REQUIRE_MESSAGE(proc.ok(), proc.failure());
  LiveProcessTarget target(proc.pid());
  REQUIRE(target.ok());
  char buf[16];
  CHECK_FALSE(target.read(0x10, buf, sizeof buf));
  CHECK_FALSE(target.read(0xffffffffffff0000ull, buf, sizeof buf));
  CHECK_FALSE(target.read(0x7ffffffffffffff8ull, buf, 16));  // wraps past 2^63
  uint64_t gen = target.generation();
  target.refresh();
  CHECK(target.generation() != gen);
}

TEST_CASE("LiveProcessTarget on a pid that does not exist says why") {
  LiveProcessTarget target(999999999);
  CHECK_FALSE(target.ok());
  CHECK(target.error().find("/proc/999999999/mem") != std::string::npos);
}
