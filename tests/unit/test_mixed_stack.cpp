// Pairing eval loop activations with native frames (mixed_stack), on a real
// stopped interpreter of each frame family, with the native frames scripted:
// as unwound, with an innermost eval frame that has not made its frame
// current yet (a breakpoint on the eval function's entry), and with an
// unwinder that stopped short. The Python stack is the one the process
// recorded itself.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "objects/access.h"
#include "runtime/code.h"
#include "runtime/mixed_stack.h"
#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;

namespace {

const std::string kScript = CPYDBG_SOURCE_DIR "/tests/format/stop_nested.py";

// The live process, with native frames as the test says.
class ScriptedNative : public LiveProcessTarget {
 public:
  using LiveProcessTarget::LiveProcessTarget;
  std::vector<std::string> names;  // innermost first
  std::vector<NativeFrame> native_frames(uint64_t, size_t) override {
    std::vector<NativeFrame> frames;
    for (const std::string& n : names) frames.push_back({0, n, false});
    return frames;
  }
};

// The Python frame names each native frame runs: {level, names}.
std::vector<std::pair<size_t, std::vector<std::string>>> placed(Python& py, const MixedStack& s) {
  std::vector<std::pair<size_t, std::vector<std::string>>> out;
  ObjectAccess access(py);
  CodeCache code(access);
  for (size_t level = 0; level < s.native.size(); ++level) {
    if (s.native[level].python.empty()) continue;
    std::vector<std::string> names;
    for (size_t i : s.native[level].python) names.push_back(code.get(s.python[i].code)->name);
    out.push_back({level, names});
  }
  return out;
}

}  // namespace

TEST_CASE("eval loop activations pair with native frames") {
  for (const char* label : {"2.7", "3.10", "3.12", "3.13"}) {
    const test::Interpreter* interp = nullptr;
    for (const auto& i : test::interpreters())
      if (i.label == label) interp = &i;
    REQUIRE(interp);
    SUBCASE(label) {
      test::StoppedPython proc(interp->python, kScript);
      REQUIRE_MESSAGE(proc.ok(), proc.failure());
      auto truth = nlohmann::json::parse(proc.output());
      std::vector<std::string> stack = truth["stack"];
      REQUIRE(stack == std::vector<std::string>{"inner", "<lambda>", "outer", "<module>"});
      ScriptedNative target(proc.pid());
      REQUIRE(target.ok());
      Reader reader(target);
      auto py = Python::attach(reader, "");
      Walker walker(*py);
      auto threads = walker.threads(nullptr);
      REQUIRE(!threads.empty());
      const std::string eval = eval_function(*py);

      // One activation per frame up to 3.10; from 3.11 one per call from C.
      std::vector<std::vector<std::string>> activations;
      if (py->at_least(3, 11)) activations = {{"inner", "<lambda>"}, {"outer", "<module>"}};
      else for (const auto& name : stack) activations.push_back({name});
      std::vector<std::string> natives = {"kill"};
      std::vector<std::pair<size_t, std::vector<std::string>>> want;
      for (const auto& a : activations) {
        want.push_back({natives.size(), a});
        natives.insert(natives.end(), {eval, "a_c_function"});
      }
      natives.push_back("_start");

      target.names = natives;
      MixedStack s = mixed_stack(*py, walker, 1, &threads[0]);
      CHECK(placed(*py, s) == want);
      CHECK(s.problem.empty());

      // Stopped on the eval function's entry: one more eval frame innermost,
      // running no Python frame yet.
      target.names = natives;
      target.names.insert(target.names.begin(), eval);
      s = mixed_stack(*py, walker, 1, &threads[0]);
      auto shifted = want;
      for (auto& w : shifted) ++w.first;
      CHECK(placed(*py, s) == shifted);
      CHECK(s.problem.find("1 " + eval + " frame(s) more") != std::string::npos);

      // The unwinder gave up after the first eval frame: the innermost
      // activation is placed, the rest is said to be missing.
      target.names = {"kill", eval, "a_c_function"};
      s = mixed_stack(*py, walker, 1, &threads[0]);
      CHECK(placed(*py, s) == decltype(want){want.front()});
      CHECK(s.problem.find("unwinder stopped early") != std::string::npos);
    }
  }
}
