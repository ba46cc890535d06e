// The code cache across stops, on the seed snapshots: a code object is
// decoded once per session; after the process ran it costs the reads of its
// own fields, unless those changed, and then it is decoded again; 3.11+
// bytecode, which the interpreter rewrites as it runs, is read again.
#include <doctest/doctest.h>

#include <regex>

#include "hostile_input.h"
#include "objects/format.h"
#include "runtime/code.h"
#include "runtime/walker.h"

using namespace cpydbg;
using test::Snapshot;
using test::SnapshotTarget;

namespace {

const std::vector<Snapshot>& seeds() {
  return test::seed_snapshots(CPYDBG_SOURCE_DIR "/tests/fuzz/snapshots");
}

// A snapshot whose process "runs" when the test says so.
class SteppingTarget : public SnapshotTarget {
 public:
  using SnapshotTarget::SnapshotTarget;
  uint64_t generation() override { return generation_; }
  void run() { ++generation_; }

 private:
  uint64_t generation_ = 1;
};

// The innermost frame of the thread holding the GIL.
FrameInfo innermost(Python& py) {
  Walker walker(py);
  for (const auto& t : walker.threads(nullptr))
    if (t.holds_gil) {
      auto frames = walker.frames(t, nullptr);
      REQUIRE_FALSE(frames.empty());
      return frames.front();
    }
  FAIL("no thread holds the GIL");
  return {};
}

// The line pystack prints for frame #0.
int line_of_frame0(const std::string& pystack) {
  std::smatch m;
  std::regex first(R"(#0 File "[^"]*", line (\d+), in )");
  REQUIRE(std::regex_search(pystack, m, first));
  return std::stoi(m[1]);
}

}  // namespace

TEST_CASE("a code object is decoded once a session, checked after each stop") {
  for (const Snapshot& seed : seeds()) {
    CAPTURE(seed.label);
    SnapshotTarget target(seed);
    Reader reader(target);
    auto py = Python::attach(reader, "");
    ObjectAccess access(*py);
    CodeCache codes(access);
    const FrameInfo f = innermost(*py);

    const CodeInfo* first = codes.get(f.code);
    REQUIRE(first);
    const std::string name = first->qualname;
    uint64_t reads = target.reads();
    CHECK(codes.get(f.code) == first);  // the same stop: no reads at all
    CHECK(target.reads() == reads);

    // The process ran and left the code alone: the same decoded object, for
    // the pages of its own fields (and 3.11+ its bytecode, inline in it).
    reader.reset();
    codes.process_ran();
    CHECK(codes.get(f.code) == first);
    CHECK(target.reads() - reads <= 3);
    CHECK(first->qualname == name);

    // Its first line number changed: decoded again.
    const auto& o = py->off().code;
    auto firstlineno = reader.get<int32_t>(f.code + o.co_firstlineno);
    REQUIRE(firstlineno);
    int32_t moved = *firstlineno + 100;
    REQUIRE(target.poke(f.code + o.co_firstlineno, &moved, sizeof moved));
    reader.reset();
    codes.process_ran();
    const CodeInfo* again = codes.get(f.code);
    REQUIRE(again);
    CHECK(again->firstlineno == moved);
    CHECK(again->qualname == name);

    if (o.co_code_adaptive != kAbsent) {
      // 3.11+: the interpreter rewrote an instruction (quickening): seen at
      // the next stop, with the fields unchanged.
      REQUIRE(again->bytecode.size() >= 2);
      uint8_t arg = uint8_t(again->bytecode[1] ^ 0x5a);
      REQUIRE(target.poke(f.code + o.co_code_adaptive + 1, &arg, 1));
      CHECK(codes.get(f.code)->bytecode[1] != arg);  // not before the process ran
      reader.reset();
      codes.process_ran();
      CHECK(codes.get(f.code)->bytecode[1] == arg);
    }
  }
}

TEST_CASE("a frame summary decodes its code object into the session's cache, not one of its own") {
  for (const Snapshot& seed : seeds()) {
    CAPTURE(seed.label);
    SnapshotTarget target(seed);
    Reader reader(target);
    auto py = Python::attach(reader, "");
    ObjectFormatter formatter(*py);
    const FrameInfo f = innermost(*py);
    // py-bt-full's line for the frame.
    const std::string summary = formatter.frame_summary(f, FormatOptions::libpython());
    // Decoded by the summary already: the cache answers without a read,
    // even with the reader's pages dropped.
    reader.reset();
    const uint64_t reads = target.reads();
    const CodeInfo* code = formatter.codes().get(f.code);
    CHECK(target.reads() == reads);
    REQUIRE(code);
    CHECK(summary.find(", for file " + code->filename + ", line ") != std::string::npos);
  }
}

TEST_CASE("pystack after a stop reads the code objects' fields, not the objects again") {
  for (const Snapshot& seed : seeds()) {
    CAPTURE(seed.label);
    SteppingTarget target(seed);
    Session session(target);
    CommandResult before = session.execute("pystack", "");
    REQUIRE(before.ok);
    target.run();
    CommandResult same = session.execute("pystack", "");
    CHECK(same.output == before.output);

    // The code of frame #0 now starts 100 lines further down: its lines move.
    Reader reader(target);
    auto py = Python::attach(reader, "");
    const FrameInfo f = innermost(*py);
    const uint64_t at = f.code + py->off().code.co_firstlineno;
    auto firstlineno = reader.get<int32_t>(at);
    REQUIRE(firstlineno);
    int32_t moved = *firstlineno + 100;
    REQUIRE(target.poke(at, &moved, sizeof moved));
    CHECK(line_of_frame0(session.execute("pystack", "").output) == line_of_frame0(before.output));
    target.run();
    CHECK(line_of_frame0(session.execute("pystack", "").output) ==
          line_of_frame0(before.output) + 100);
  }
}
