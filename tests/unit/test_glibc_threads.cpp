// glibc_pthread_of finds each thread's pthread_t from its kernel id through
// glibc's own thread lists, as the LLDB front end does where LLDB has no
// fs_base register. Truth: Python's threading.get_ident() is pthread_self()
// and get_native_id() the kernel id (3.8+).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "stopped_python.h"
#include "target/glibc_threads.h"
#include "target/live_process.h"

using namespace cpydbg;

TEST_CASE("glibc_pthread_of and glibc_tid_of map kernel ids and pthread_t both ways") {
  // 3.12: threading knows both ids; the threads wait on an Event.
  test::StoppedPython proc(test::interpreters()[7].python,
                           CPYDBG_SOURCE_DIR "/tests/unit/threads_with_ids.py");
  REQUIRE_MESSAGE(proc.ok(), proc.failure());
  auto threads = nlohmann::json::parse(proc.output());
  REQUIRE(threads.size() == 4);
  LiveProcessTarget target(proc.pid());
  REQUIRE_MESSAGE(target.ok(), target.error());
  for (const auto& t : threads) {
    auto pthread = glibc_pthread_of(target, t["native_id"].get<uint64_t>());
    REQUIRE(pthread.has_value());
    CHECK(*pthread == t["ident"].get<uint64_t>());
    CHECK(glibc_tid_of(target, t["ident"].get<uint64_t>()) == t["native_id"].get<uint64_t>());
  }
  // A kernel id no thread of the process has.
  CHECK_FALSE(glibc_pthread_of(target, 0x7fffffff).has_value());
}
