// The formatter's bounds: cut-offs (items, depth, string length, total
// output), huge ints, and hostile memory — garbage addresses, unmapped
// pointers, impossible sizes — fed through a target that overlays corrupt
// bytes on a real stopped interpreter.
#include <doctest/doctest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "objects/format.h"
#include "overlay_target.h"
#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;
using test::OverlayTarget;

namespace {

const std::string kScript = CPYDBG_SOURCE_DIR "/tests/format/limits.py";

uint64_t hex(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

std::string unreadable(uint64_t addr) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "<unreadable object at 0x%llx>", (unsigned long long)addr);
  return buf;
}

void check_limits(const test::Interpreter& interp) {
  test::StoppedPython proc(interp.python, kScript);
  if (!proc.ok()) {
    FAIL_CHECK(proc.failure());
    return;
  }
  auto ids = nlohmann::json::parse(proc.output());
  LiveProcessTarget live(proc.pid());
  OverlayTarget target(live);
  Reader reader(target);
  std::unique_ptr<Python> py;
  try {
    py = Python::attach(reader, "");
  } catch (const std::exception& e) {
    FAIL_CHECK(e.what());
    return;
  }
  ObjectFormatter f(*py);

  // Cut-offs.
  FormatOptions few;
  few.max_items = 5;
  CHECK(f.repr(hex(ids["list1000"]), few) == "[0, 1, 2, 3, 4, ...]");
  FormatOptions shallow;
  shallow.max_depth = 3;
  CHECK(f.repr(hex(ids["nested"]), shallow) == "[[[[...]]]]");
  FormatOptions short_strings;
  short_strings.max_string = 4;
  CHECK(f.repr(hex(ids["long_str"]), short_strings) == "'xxxx'...");
  FormatOptions tiny;
  tiny.max_output = 20;
  std::string cut = f.repr(hex(ids["list1000"]), tiny);
  CHECK(cut == "[0, 1, 2, 3, 4, 5, 6...");
  // 3 ** 200000 has 95,425 decimal digits.
  CHECK(f.repr(hex(ids["huge_int"])).starts_with("<int of about 9542"));
  CHECK(f.repr(hex(ids["huge_int"])).ends_with(ids["huge_int"].get<std::string>() + ">"));

  // Garbage addresses.
  CHECK(f.repr(0) == "NULL");
  CHECK(f.repr(0x10) == unreadable(0x10));
  CHECK(f.repr(0xdead00000000ull) == unreadable(0xdead00000000ull));
  CHECK(f.repr(0xffffffffffffff00ull) == unreadable(0xffffffffffffff00ull));
  CHECK(f.describe(0x10) == unreadable(0x10));
  // Inside a real object, not at its start: its fields are not a type.
  uint64_t list3 = hex(ids["list3"]);
  CHECK(f.repr(list3 + 8).starts_with("<unreadable object at 0x"));

  // describe(): the pyobj header.
  std::string header = f.describe(list3);
  CHECK(header.starts_with("list at 0x"));
  CHECK(header.ends_with(", len 3"));
  CHECK(header.find(", refcnt ") != std::string::npos);
  if (py->at_least(3, 12)) CHECK(f.describe(hex(ids["none"])).ends_with("refcnt immortal"));

  // Impossible sizes: a list claiming 10^12 items, a dict claiming 10^12,
  // a tuple claiming -1, an int claiming 10^15 digits.
  const auto& o = py->off();
  reader.reset();
  target.patch<int64_t>(list3 + o.var.ob_size, 1000000000000);
  target.patch<int64_t>(hex(ids["dict"]) + o.dict.ma_used, 1000000000000);
  target.patch<int64_t>(hex(ids["tuple"]) + o.var.ob_size, -1);
  uint64_t huge = hex(ids["huge_int"]);
  if (o.pylong.lv_tag != kAbsent) target.patch<uint64_t>(huge + o.pylong.lv_tag, uint64_t(1) << 53);
  else target.patch<int64_t>(huge + o.var.ob_size, 1000000000000000);
  CHECK(f.repr(list3) == unreadable(list3));
  CHECK(f.repr(hex(ids["dict"])) == unreadable(hex(ids["dict"])));
  CHECK(f.repr(hex(ids["tuple"])) == unreadable(hex(ids["tuple"])));
  CHECK(f.repr(huge) == unreadable(huge));
  CHECK(f.describe(list3).find(", len") == std::string::npos);

  // A plausible but wrong size reads past the real items: bounded output.
  target.patch<int64_t>(list3 + o.var.ob_size, 100000);
  reader.reset();
  std::string garbage = f.repr(list3);
  CHECK(garbage.starts_with("[1, 2, 3, "));
  CHECK(garbage.ends_with(", ...]"));
  CHECK(garbage.size() <= FormatOptions{}.max_output + 3);

  // Items pointing into unmapped memory, and a type pointer that is garbage.
  uint64_t list1000 = hex(ids["list1000"]);
  auto items = reader.ptr(list1000 + o.list.ob_item);
  REQUIRE(items.has_value());
  target.patch<uint64_t>(*items + 8, 0xdead00000000ull);
  target.patch<uint64_t>(*items + 16, 0x10);
  reader.reset();
  CHECK(f.repr(list1000, few) == "[0, " + unreadable(0xdead00000000ull) + ", " + unreadable(0x10) +
                                     ", 3, 4, ...]");
  uint64_t tuple = hex(ids["tuple"]);
  target.patch<uint64_t>(tuple + o.object.ob_type, 0xdead00000000ull);
  reader.reset();
  CHECK(f.repr(tuple) == unreadable(tuple));
  // A list containing itself through a corrupt item prints a cycle, once.
  target.patch<uint64_t>(*items, list1000);
  reader.reset();
  CHECK(f.repr(list1000, few).starts_with("[[...], "));
}

}  // namespace

TEST_CASE("formatter limits and hostile memory on every interpreter") {
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) { check_limits(interp); }
  }
}
