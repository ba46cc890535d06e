// Thread states from the system call a thread is in: /proc's view of a real
// stopped interpreter's threads on every version (a sleeping thread, one
// blocked on a lock, two waiting for the GIL that the stopped main thread
// holds), classified with the GIL's extent the layout gives; the
// classification's edges, by hand; 2.7's hand-over of the GIL, which only
// the native frames tell; a thread stopped inside the collector.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cpydbg/session.h"
#include "runtime/native_activity.h"
#include "stopped_python.h"
#include "target/live_process.h"
#include "target/reader.h"

using namespace cpydbg;

namespace {

const std::string kScript = CPYDBG_SOURCE_DIR "/tests/format/stop_blocked_threads.py";

std::string blocked(Target& target, Walker& walker, uint64_t interp, uint64_t tid) {
  auto call = target.thread_syscall(tid);
  REQUIRE(call);
  auto activity = syscall_activity(*call, walker.gil_extent(interp));
  return activity ? activity->blocked : "(the frames tell)";
}

Target::ThreadSyscall call_of(int64_t number, std::initializer_list<uint64_t> args) {
  Target::ThreadSyscall call;
  call.number = number;
  size_t i = 0;
  for (uint64_t a : args) call.args[i++] = a;
  return call;
}

}  // namespace

TEST_CASE("a blocked thread's system call says what it waits for, on every interpreter") {
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) {
      test::StoppedPython proc(interp.python, kScript);
      REQUIRE_MESSAGE(proc.ok(), proc.failure());
      auto tids = nlohmann::json::parse(proc.output());
      LiveProcessTarget target(proc.pid());
      REQUIRE(target.ok());
      Reader reader(target);
      auto py = Python::attach(reader, "");
      REQUIRE(py);
      Walker walker(*py);
      auto threads = walker.threads(nullptr);
      REQUIRE(!threads.empty());
      const uint64_t interp_state = threads[0].interp;

      CHECK(blocked(target, walker, interp_state, tids["sleep"][0]) == "in sleep");
      // The main thread stopped itself in kill(2): in no wait.
      CHECK(blocked(target, walker, interp_state, proc.pid()) == "");
      // 2.7 and 3.6 keep their GIL in static variables: a futex there is
      // only told apart by the native frames.
      const bool gil_known = py->at_least(3, 7);
      CHECK(walker.gil_extent(interp_state).has_value() == gil_known);
      CHECK(blocked(target, walker, interp_state, tids["lock"][0]) ==
            (gil_known ? "waiting on a lock" : "(the frames tell)"));
      if (gil_known) {
        // Each spinner waits in the GIL's condition variable unless caught
        // on its way there: one of the two, at least.
        int waiting = 0;
        for (uint64_t tid : tids["spin"])
          waiting += blocked(target, walker, interp_state, tid) == "waiting for the GIL";
        CHECK(waiting >= 1);
      }
    }
  }
}

TEST_CASE("system calls that are waits, and those that are not") {
  const MemoryExtent gil{0x1000, 208};
  auto blocked = [&](const Target::ThreadSyscall& call, std::optional<MemoryExtent> extent) {
    auto activity = syscall_activity(call, extent);
    return activity ? activity->blocked : "(the frames tell)";
  };
  constexpr int64_t kFutex = 202, kSelect = 23, kPoll = 7, kRead = 0;
  constexpr uint64_t kWaitPrivate = 128, kWakePrivate = 129, kWaitBitsetPrivate = 137;
  CHECK(blocked(call_of(kFutex, {0x1000 + 40, kWaitPrivate}), gil) == "waiting for the GIL");
  CHECK(blocked(call_of(kFutex, {0x1000 + 207, kWaitBitsetPrivate}), gil) == "waiting for the GIL");
  CHECK(blocked(call_of(kFutex, {0x1000 + 208, kWaitPrivate}), gil) == "waiting on a lock");
  CHECK(blocked(call_of(kFutex, {0xfff, kWaitPrivate}), gil) == "waiting on a lock");
  CHECK(blocked(call_of(kFutex, {0x1000, kWakePrivate}), gil) == "");
  CHECK(blocked(call_of(kFutex, {0x1000, kWaitPrivate}), std::nullopt) == "(the frames tell)");
  // 2.7 hands its GIL over by releasing a lock: a wake, which only the frames
  // tell apart from a threading.Lock's.
  CHECK(blocked(call_of(kFutex, {0x1000, kWakePrivate}), std::nullopt) == "(the frames tell)");
  CHECK(blocked(call_of(kSelect, {0, 0, 0, 0, 0x7ff0}), gil) == "in sleep");
  CHECK(blocked(call_of(kSelect, {4, 0x7ff0, 0, 0, 0}), gil) == "in select");
  CHECK(blocked(call_of(kPoll, {0x7ff0, 1, 1000}), gil) == "in select");
  CHECK(blocked(call_of(kRead, {3, 0x7ff0, 4096}), gil) == "");
  CHECK(blocked(call_of(-1, {}), gil) == "");
  constexpr int64_t kRestartSyscall = 219;  // a sleep resumed after a stop
  CHECK(blocked(call_of(kRestartSyscall, {}), gil) == "(the frames tell)");
}

TEST_CASE("2.7's threads are waiting for the GIL while handing it over, by their frames") {
  const test::Interpreter* py27 = nullptr;
  for (const auto& i : test::interpreters())
    if (i.label == "2.7") py27 = &i;
  REQUIRE(py27);
  test::StoppedPython proc(py27->python, kScript);
  REQUIRE_MESSAGE(proc.ok(), proc.failure());
  LiveProcessTarget target(proc.pid());
  Reader reader(target);
  auto py = Python::attach(reader, "");
  REQUIRE(py);
  auto frames_of = [](std::initializer_list<const char*> names) {
    std::vector<NativeFrameInfo> frames;
    for (const char* n : names) {
      NativeFrameInfo f;
      f.function = n;
      f.module = f.function.rfind("Py", 0) == 0 ? "libpython2.7.so.1.0" : "libc.so.6";
      f.is_eval = f.function == "PyEval_EvalFrameEx";
      frames.push_back(f);
    }
    return frames;
  };
  // The eval loop's hand-over every 100 instructions: releasing the lock
  // (sem_post waking a waiter), then taking it again.
  CHECK(native_activity(*py, frames_of({"futex_wake", "sem_post", "PyThread_release_lock",
                                        "PyEval_EvalFrameEx", "PyEval_EvalCodeEx"}))
            .blocked == "waiting for the GIL");
  CHECK(native_activity(*py, frames_of({"__new_sem_wait_slow", "PyThread_acquire_lock",
                                        "PyEval_EvalFrameEx"}))
            .blocked == "waiting for the GIL");
  // A threading.Lock released from Python is no hand-over.
  CHECK(native_activity(*py, frames_of({"futex_wake", "sem_post", "PyThread_release_lock",
                                        "lock_PyThread_release_lock", "PyEval_EvalFrameEx"}))
            .blocked == "");
}

TEST_CASE("a thread stopped inside a garbage collection is garbage-collecting, on every interpreter") {
  // 3.7+ keep the collector's state in the runtime; 2.7 and 3.6 in a static
  // flag that .symtab names. A stop in kill(2) waits for nothing, so the
  // frames are not asked: the state alone must tell.
  for (const auto& interp : test::interpreters()) {
    SUBCASE(interp.label.c_str()) {
      test::StoppedPython proc(interp.python, CPYDBG_SOURCE_DIR "/tests/format/stop_in_gc.py");
      REQUIRE_MESSAGE(proc.ok(), proc.failure());
      LiveProcessTarget target(proc.pid());
      REQUIRE(target.ok());
      Session session(target);
      CommandResult stack = session.execute("pystack", "");
      REQUIRE_MESSAGE(stack.ok, stack.output);
      CHECK_MESSAGE(stack.output.find("garbage-collecting") != std::string::npos, stack.output);
      CHECK_MESSAGE(stack.output.find("stop_in_collector") != std::string::npos, stack.output);
    }
  }
}
