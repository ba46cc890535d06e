// Layout tables: round trip and one clear line for every kind of bad table.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "cpydbg/layout.h"

using namespace cpydbg;

namespace {

Layout sample() {
  Layout l;
  l.python_version = "3.12.1";
  l.version_hex = 0x030c01f0;
  l.flavour.debug = true;
  l.structs["PyObject"].size = 16;
  l.structs["PyObject"].fields["ob_type"] = {8, 8, -1, 0, "PyTypeObject *"};
  l.structs["PyASCIIObject"].size = 40;
  l.structs["PyASCIIObject"].fields["state.kind"] = {32, 4, 258, 3, "unsigned int"};
  l.enums["_frameowner"]["FRAME_OWNED_BY_CSTACK"] = 3;
  l.constants["long_digit_bits"] = 30;
  l.opcodes.names = {"CACHE", "POP_TOP"};
  l.opcodes.line_table = "locations311";
  l.opcodes.jump_unit = "code_units";
  l.opcodes.effect_nojump[1] = StackEffect{{-1}, 0};
  StackEffect build;
  for (int i = 0; i < 256; ++i) build.by_arg.push_back(1 - i);
  build.high_byte = -256;
  l.opcodes.effect_nojump[2] = build;
  return l;
}

std::string error_of(const std::string& text) {
  try {
    parse_layout(text, "t.json");
  } catch (const LayoutError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a layout survives a JSON round trip") {
  Layout back = parse_layout(dump_layout(sample()), "mem");
  CHECK(back.python_version == "3.12.1");
  CHECK(back.series() == "3.12");
  CHECK(back.name() == "cpython-3.12-debug-x86_64");
  CHECK(back.offset("PyObject", "ob_type") == 8);
  CHECK(back.field("PyASCIIObject", "state.kind").bit_offset == 258);
  CHECK(back.field("PyASCIIObject", "state.kind").bit_size == 3);
  CHECK(back.enum_value("_frameowner", "FRAME_OWNED_BY_CSTACK") == 3);
  CHECK(back.constant("long_digit_bits") == 30);
  CHECK(back.opcodes.opcode("POP_TOP") == 1);
  CHECK(back.opcodes.effect_nojump.at(1).at(0) == -1);
  CHECK(back.opcodes.effect_nojump.at(2).at(300) == 1 - 300);
}

TEST_CASE("absent structs and fields name the table and the version") {
  Layout l = sample();
  CHECK(l.find_field("PyFrameObject", "f_back") == nullptr);
  CHECK_THROWS_WITH_AS(l.offset("PyObject", "ob_size"),
                       "the cpython-3.12-debug-x86_64 table (Python 3.12.1) has no field "
                       "PyObject.ob_size",
                       LayoutError);
  CHECK_THROWS_AS(l.size("PyFrameObject"), LayoutError);
}

TEST_CASE("bad tables give one line naming what is wrong") {
  std::string good = dump_layout(sample());
  CHECK(error_of(good.substr(0, good.size() / 2)).find("not valid JSON") != std::string::npos);
  CHECK(error_of("[]").find("the document is not an object") != std::string::npos);
  CHECK(error_of("{}").find(".schema is missing") != std::string::npos);

  auto with = [&](auto edit) {
    nlohmann::json j = nlohmann::json::parse(good);
    edit(j);
    return error_of(j.dump());
  };
  CHECK(with([](auto& j) { j["schema"] = 99; }).find("schema 1") != std::string::npos);
  CHECK(with([](auto& j) { j["python"].erase("hex"); }).find(".python.hex is missing") !=
        std::string::npos);
  CHECK(with([](auto& j) { j["structs"]["PyObject"]["fields"]["ob_type"]["offset"] = "8"; })
            .find(".structs.PyObject.fields.ob_type.offset is not an integer") != std::string::npos);
  CHECK(with([](auto& j) { j["structs"]["PyObject"]["fields"]["ob_type"]["offset"] = 4096; })
            .find("lies outside its struct") != std::string::npos);
  CHECK(with([](auto& j) { j["abi"]["pointer_size"] = 3; }).find("not 4 or 8") !=
        std::string::npos);
  CHECK(with([](auto& j) { j["opcodes"]["effect_nojump"]["2"]["by_arg"] = {1, 2}; })
            .find("256 entries") != std::string::npos);
  // Every error is one line.
  CHECK(with([](auto& j) { j.erase("opcodes"); }).find('\n') == std::string::npos);
}

TEST_CASE("version strings") {
  CHECK(parse_version("3.12.1") == 0x030c01f0);
  CHECK(parse_version("3.13.0rc1") == 0x030d00c1);
  CHECK(parse_version("2.7") == 0x020700f0);
  CHECK(parse_version("three") == 0);
  CHECK(version_string(0x030b07f0) == "3.11.7");
  CHECK(version_string(0x030d00c1) == "3.13.0rc1");
}
