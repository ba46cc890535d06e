// The compact binary form of the built-in tables: it holds exactly what the
// JSON holds, its header says what a table is for, and bad bytes give one
// line, never a crash.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cpydbg/layout.h"
#include "cpydbg/registry.h"

using namespace cpydbg;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("every built-in table is its layouts/*.json, decoded from the library") {
  const auto& tables = builtin_tables();
  REQUIRE(tables.size() >= 11);  // 2.7, 3.6 ... 3.13, Debian's 3.11 and 3.11d
  for (const TableSource& t : tables) {
    CAPTURE(t.name);
    REQUIRE(t.packed());
    Layout from_json =
        parse_layout(read_file(std::string(CPYDBG_SOURCE_DIR) + "/layouts/" + t.name + ".json"), t.name);
    Layout decoded = decode_layout(t.bytes, t.origin);
    CHECK(dump_layout(decoded) == dump_layout(from_json));
    auto header = peek_layout_header(t.bytes);
    REQUIRE(header);
    CHECK(header->version_hex == from_json.version_hex);
    CHECK(header->flavour == from_json.flavour);
    CHECK(decoded.name().rfind("cpython-" + from_json.series() + "-", 0) == 0);
  }
}

TEST_CASE("choosing a built-in table goes by its header") {
  auto& registry = LayoutRegistry::instance();
  registry.reload_overrides();
  Flavour release, debug;
  debug.debug = true;
  // pyenv's 3.11.7 and Debian's 3.11.2 are both release 3.11 tables; the
  // exact version comes first.
  auto names = registry.candidates(3, 11, release, 0x030b02f0);
  REQUIRE(names.size() == 2);
  CHECK(registry.by_name(names[0])->python_version == "3.11.2");
  CHECK(registry.by_name(names[1])->python_version == "3.11.7");
  CHECK(registry.candidates(3, 11, release, 0x030b07f0).front() == "cpython-3.11-x86_64");
  CHECK(registry.candidates(3, 11, debug) == std::vector<std::string>{"cpython-3.11-debug-x86_64"});
  CHECK(registry.candidates(3, 12, debug).empty());
  CHECK(registry.candidates(3, 99, release).empty());
}

TEST_CASE("a truncated or corrupt binary table gives one line, never a crash") {
  const TableSource& t = builtin_tables().front();
  const std::string good(t.bytes);
  REQUIRE_NOTHROW(decode_layout(good, "t"));
  for (size_t cut = 0; cut < good.size(); cut += 1 + cut / 8) {
    CAPTURE(cut);
    try {
      decode_layout(good.substr(0, cut), "t");
      FAIL("a table cut at byte " << cut << " decoded");
    } catch (const LayoutError& e) {
      std::string what = e.what();
      CHECK(what.find("layout table t: ") == 0);
      CHECK(what.find('\n') == std::string::npos);
    }
  }
  CHECK_FALSE(peek_layout_header("{\"schema\": 1}"));
  CHECK_FALSE(is_encoded_layout("{\"schema\": 1}"));
  // Bytes overwritten anywhere: an error or a table, never a crash or a hang.
  uint32_t seed = 12345;
  for (int round = 0; round < 300; ++round) {
    std::string bad = good;
    for (int k = 0; k < 4; ++k) {
      seed = seed * 1103515245 + 12345;
      bad[(seed >> 8) % bad.size()] = char(seed >> 24);
    }
    try {
      decode_layout(bad, "t");
    } catch (const LayoutError&) {
    }
  }
}
