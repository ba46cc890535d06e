// The repr formatter against ground truth from every interpreter: each runs
// tests/format/scenario.py, which records hex(id(obj)) and repr(obj) of ~150
// objects of every supported type and stops itself; we read those objects
// out of the stopped process (LiveProcessTarget, no debugger) and must print
// exactly what repr() printed, addresses included.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "objects/format.h"
#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;
using nlohmann::json;

namespace {

const std::string kScenario = CPYDBG_SOURCE_DIR "/tests/format/scenario.py";

// A failure that ends this interpreter's check but lets the others run
// (REQUIRE would end the whole test case, skipping the remaining subcases).
#define FAIL_CHECK_RETURN(msg) \
  do {                         \
    FAIL_CHECK(msg);           \
    return;                    \
  } while (0)

// Unbounded enough for every object the scenario builds.
FormatOptions unbounded() {
  FormatOptions o;
  o.max_depth = 1000;
  o.max_items = 1000000;
  o.max_string = 1000000;
  o.max_output = 64 << 20;
  return o;
}

void check_interpreter(const test::Interpreter& interp) {
  test::StoppedPython proc(interp.python, kScenario);
  if (!proc.ok()) FAIL_CHECK_RETURN(proc.failure());
  json truth = json::parse(proc.output());
  LiveProcessTarget target(proc.pid());
  if (!target.ok()) FAIL_CHECK_RETURN(target.error());
  Reader reader(target);
  std::unique_ptr<Python> py;
  try {
    py = Python::attach(reader, "");
  } catch (const std::exception& e) {
    FAIL_CHECK_RETURN("attach: " << e.what());
  }
  ObjectFormatter formatter(*py);
  size_t compared = 0;
  for (auto& [name, entry] : truth.items()) {
    uint64_t addr = std::stoull(entry[0].get<std::string>(), nullptr, 16);
    const std::string want = entry[1].get<std::string>();
    std::string got = formatter.repr(addr, unbounded());
    INFO(interp.label << " " << name);
    CHECK(got == want);
    ++compared;
    if (entry[2].is_null()) continue;
    // Attributes: __dict__ in insertion order, then slots (any order).
    std::vector<std::pair<std::string, std::string>> want_attrs, got_attrs;
    for (auto& pair : entry[2])
      want_attrs.emplace_back(pair[0].get<std::string>(),
                              pair[1].is_null() ? "<unset>" : pair[1].get<std::string>());
    // An instance whose __dict__ was never made has none to show.
    auto attrs = formatter.attributes(addr);
    if (!attrs) {
      if (!want_attrs.empty()) FAIL_CHECK("no attributes");
      continue;
    }
    for (auto& a : *attrs)
      got_attrs.emplace_back(a.name, a.value ? formatter.repr(a.value, unbounded()) : "<unset>");
    std::sort(want_attrs.begin(), want_attrs.end());
    std::sort(got_attrs.begin(), got_attrs.end());
    auto text = [](const std::vector<std::pair<std::string, std::string>>& v) {
      std::string s;
      for (auto& [k, r] : v) s += k + "=" + r + "; ";
      return s;
    };
    CHECK(text(got_attrs) == text(want_attrs));
  }
  CHECK(compared > 100);
}

}  // namespace

TEST_CASE("repr of every supported type matches the interpreter's own repr()") {
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) { check_interpreter(interp); }
  }
}
