// The bytecode functions see bytes read from a target that may be corrupt:
// random input must end in an error or a result, never a crash or a hang.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "cpydbg/bytecode.h"

using namespace cpydbg;

namespace {

Layout table(const char* name) {
  std::ifstream f(std::string(CPYDBG_SOURCE_DIR) + "/layouts/" + name + ".json");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_layout(ss.str(), name);
}

}  // namespace

TEST_CASE("bytecode functions survive random bytes") {
  std::mt19937 rng(12345);
  for (const char* name : {"cpython-2.7-x86_64", "cpython-3.6-x86_64", "cpython-3.10-x86_64",
                           "cpython-3.11-x86_64", "cpython-3.12-x86_64", "cpython-3.13-x86_64"}) {
    Layout l = table(name);
    const OpcodeTable& t = l.opcodes;
    size_t analysed = 0;
    for (int round = 0; round < 300; ++round) {
      std::string code(rng() % 200, '\0'), lines(rng() % 64, '\0'), exc(rng() % 32, '\0');
      for (auto* s : {&code, &lines, &exc})
        for (char& c : *s) c = static_cast<char>(rng());
      auto ranges = bytecode::decode_line_table(t.line_table, lines, 1, code.size());
      (void)bytecode::line_at(ranges, static_cast<uint32_t>(rng() % 256));
      auto an = bytecode::analyse_stack(t, code, rng(), exc);
      auto d = bytecode::depth_at(an, static_cast<uint32_t>(rng() % 256));
      CHECK((d.depth >= 0 || !d.error.empty()));
      analysed += an.error.empty();
    }
    MESSAGE(std::string(name) << ": " << analysed << " of 300 random codes analysed without error");
  }
}

TEST_CASE("depth_at explains what it cannot answer") {
  Layout l = table("cpython-3.11-x86_64");
  const OpcodeTable& t = l.opcodes;
  auto op = [&](const char* n) { return static_cast<char>(t.opcode(n)); };
  // RESUME 0; LOAD_CONST 0; RETURN_VALUE; LOAD_CONST 0 (dead)
  std::string code = {op("RESUME"), 0, op("LOAD_CONST"), 0, op("RETURN_VALUE"), 0,
                      op("LOAD_CONST"), 0};
  auto an = bytecode::analyse_stack(t, code, 0);
  REQUIRE(an.error.empty());
  CHECK(an.max_depth == 1);
  CHECK(bytecode::depth_at(an, 4).depth == 1);
  CHECK(bytecode::depth_at(an, 4).exact);
  CHECK(bytecode::depth_at(an, 6).error.find("not reachable") != std::string::npos);
  CHECK(bytecode::depth_at(an, 99).error.find("outside") != std::string::npos);
  // BINARY_OP with its inline cache: an offset inside the cache is the op's.
  std::string code2 = {op("RESUME"), 0, op("LOAD_CONST"), 0, op("LOAD_CONST"), 0,
                       op("BINARY_OP"), 0, 0, 0, op("RETURN_VALUE"), 0};
  auto an2 = bytecode::analyse_stack(t, code2, 0);
  REQUIRE(an2.error.empty());
  CHECK(bytecode::depth_at(an2, 6).depth == 2);
  CHECK(bytecode::depth_at(an2, 8).depth == 2);
  CHECK(bytecode::depth_at(an2, 10).depth == 1);
  // A jump into the middle of an instruction is refused with a reason.
  std::string code3 = {op("RESUME"), 0, op("JUMP_FORWARD"), 1, op("BINARY_OP"), 0, 0, 0};
  auto an3 = bytecode::analyse_stack(t, code3, 0);
  CHECK(an3.error.find("not an instruction boundary") != std::string::npos);
}
