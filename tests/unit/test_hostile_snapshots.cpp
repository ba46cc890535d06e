// The seed snapshots (tests/fuzz/snapshots) replayed through the fake
// Target: unmodified they read like the stopped interpreters they came from;
// with targeted corruptions (self-referencing and cyclic frames, unreadable
// code, misaligned and wrong-type pointers, absurd counts) every command
// still answers in text; and every fuzz corpus entry and crash ever found
// replays without a violation.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hostile_input.h"
#include "runtime/walker.h"

using namespace cpydbg;
using test::Snapshot;
using test::SnapshotTarget;

namespace {

const std::string kFuzzDir = CPYDBG_SOURCE_DIR "/tests/fuzz";

const std::vector<Snapshot>& seeds() { return test::seed_snapshots(kFuzzDir + "/snapshots"); }

uint64_t object(const Snapshot& s, const std::string& name) {
  for (const auto& [n, addr] : s.objects)
    if (n == name) return addr;
  FAIL("no object " << name << " in " << s.label);
  return 0;
}

// The layout facts a corruption needs: the unmodified image's offsets and
// its main thread's frames.
struct Facts {
  Offsets off;
  ThreadInfo main;
  std::vector<FrameInfo> frames;
  uint64_t frame_link = 0;  // offset of f_back / previous
};

Facts facts(const Snapshot& s) {
  SnapshotTarget target(s);
  Reader reader(target);
  auto py = Python::attach(reader, "");
  Walker walker(*py);
  Facts f;
  f.off = py->off();
  for (const auto& t : walker.threads(nullptr))
    if (t.holds_gil) f.main = t;
  f.frames = walker.frames(f.main, nullptr);
  f.frame_link = f.off.iframe.localsplus != kAbsent ? f.off.iframe.previous : f.off.frame.f_back;
  return f;
}

CommandResult run(SnapshotTarget& target, const char* name, const char* args) {
  Session session(target);
  CommandResult r = session.execute(name, args);
  INFO(name << " " << args << " ->\n" << r.output);
  CHECK(!r.output.empty());
  CHECK(r.output.back() == '\n');
  CHECK(r.output.size() < 200000);
  if (!r.ok) CHECK(r.output.find("cpydbg: ") != std::string::npos);
  return r;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("seed snapshots read like the interpreters they were taken from") {
  // 2.7, 3.6, 3.10 (frame objects), 3.11, 3.11 debug, 3.12, 3.13.
  REQUIRE(seeds().size() == 7);
  for (const auto& s : seeds()) {
    SUBCASE(s.label.c_str()) {
      auto results = test::replay(s);
      auto commands = test::command_list(s, 0xff);
      REQUIRE(results.size() == commands.size());
      for (size_t i = 0; i < results.size(); ++i) {
        INFO(commands[i].name << " " << commands[i].args << " ->\n" << results[i].output);
        CHECK(results[i].ok);
      }
      const std::string& stack = results[1].output;  // pystack -a -l
      CHECK(stack.find("in stop\n") != std::string::npos);
      CHECK(stack.find("in inner\n") != std::string::npos);
      CHECK(stack.find("in outer\n") != std::string::npos);
      CHECK(stack.find("in waiter\n") != std::string::npos);
      CHECK(stack.find("        a = 6\n") != std::string::npos);
      CHECK(stack.find("        b = 7\n") != std::string::npos);
      CHECK(count(stack, "Thread 0x") == 2);
      SnapshotTarget target(s);
      char addr[32];
      std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)object(s, "list"));
      CHECK(run(target, "pyobj", addr).output.ends_with("\n[1, 2, 3]\n"));
      std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)object(s, "cycle"));
      CHECK(run(target, "pyobj", addr).output.ends_with("\n[1, 2, [...]]\n"));
    }
  }
}

TEST_CASE("targeted corruptions of every seed give text, never garbage or a crash") {
  REQUIRE(!seeds().empty());
  for (const auto& s : seeds()) {
    SUBCASE(s.label.c_str()) {
      Facts f = facts(s);
      REQUIRE(f.frames.size() >= 4);  // stop, inner, outer, <module>
      const uint64_t f0 = f.frames[0].addr, f1 = f.frames[1].addr;

      SUBCASE("a frame whose caller is itself") {
        SnapshotTarget t(s);
        REQUIRE(t.poke(f0 + f.frame_link, &f0, 8));
        auto r = run(t, "pystack", "");
        CHECK(r.ok);
        CHECK(count(r.output, "\n#") + r.output.starts_with("#") <= 1);
        CHECK(r.output.find("loops back") != std::string::npos);
      }
      SUBCASE("two frames calling each other") {
        SnapshotTarget t(s);
        REQUIRE(t.poke(f1 + f.frame_link, &f0, 8));
        auto r = run(t, "pystack", "-l");  // the main thread only
        CHECK(r.ok);
        CHECK(r.output.find("#1 File") != std::string::npos);
        CHECK(r.output.find("#2 File") == std::string::npos);
        CHECK(r.output.find("loops back") != std::string::npos);
        run(t, "pyopstack", "-a");
      }
      SUBCASE("a frame link into unmapped memory") {
        SnapshotTarget t(s);
        uint64_t bad = 0xdead00000000;
        REQUIRE(t.poke(f1 + f.frame_link, &bad, 8));
        auto r = run(t, "pystack", "");
        CHECK(r.ok);
        CHECK(r.output.find("#1 File") != std::string::npos);
        CHECK(r.output.find("warning: unreadable frame") != std::string::npos);
      }
      SUBCASE("a misaligned frame link") {
        SnapshotTarget t(s);
        uint64_t bad = f.frames[2].addr + 3;
        REQUIRE(t.poke(f1 + f.frame_link, &bad, 8));
        run(t, "pystack", "-a -l");
        run(t, "pyopstack", "-a");
        run(t, "pyframe", "2");
        run(t, "pylocals", "");
      }
      SUBCASE("an unreadable code object") {
        SnapshotTarget t(s);
        t.make_unreadable(f.frames[0].code);
        auto r = run(t, "pystack", "-a -l");
        CHECK(r.output.find("#0 <unreadable code object at ") != std::string::npos);
        run(t, "pyopstack", "-a");
        run(t, "pylist", "");
      }
      SUBCASE("absurd local and stack counts in the code object") {
        SnapshotTarget t(s);
        uint64_t code = f.frames[1].code;
        int32_t huge = 0x7fffffff;
        for (uint64_t field : {f.off.code.co_nlocalsplus, f.off.code.co_nlocals,
                               f.off.code.co_stacksize, f.off.code.co_argcount})
          if (field != kAbsent) t.poke(code + field, &huge, 4);
        run(t, "pystack", "-a -l");
        run(t, "pyopstack", "1");
        run(t, "pyframe", "1");
      }
      SUBCASE("an object whose type pointer is another object") {
        SnapshotTarget t(s);
        uint64_t list = object(s, "list"), dict = object(s, "dict");
        REQUIRE(t.poke(list + f.off.object.ob_type, &dict, 8));
        char addr[32];
        std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)list);
        CHECK(run(t, "pyobj", addr).output.find("[1, 2, 3]") == std::string::npos);
      }
      SUBCASE("the thread list pointing into itself") {
        SnapshotTarget t(s);
        REQUIRE(t.poke(f.main.tstate + f.off.tstate.next, &f.main.tstate, 8));
        auto r = run(t, "pystack", "-a");
        CHECK(r.output.find("the thread list loops") != std::string::npos);
      }
      SUBCASE("not an object: pyobj 0x1 and a pointer into a frame") {
        SnapshotTarget t(s);
        CHECK(run(t, "pyobj", "0x1").output == "cpydbg: pyobj: no Python object at 0x1 (its memory or its type is unreadable)\n");
        char addr[32];
        std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)(f0 + 8));
        run(t, "pyobj", addr);
      }
    }
  }
}

TEST_CASE("fuzz corpus and every crash found replay cleanly") {
  size_t replayed = 0;
  for (const char* dir : {"corpus", "crashes"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(kFuzzDir + "/" + dir, ec)) {
      if (!e.is_regular_file() || e.path().filename() == "README.md") continue;
      std::string bytes = slurp(e.path());
      auto r = test::run_case(seeds(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      INFO(e.path().string());
      CHECK_MESSAGE(r.violation.empty(), r.violation);
      ++replayed;
    }
  }
  CHECK(replayed > 0);
}
