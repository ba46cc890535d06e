// The names Python gives its threads (threading.Thread.name: "MainThread",
// "Thread-1 (worker)") and whether they are daemons, read from the target's
// own `threading._active`.
// The OS thread name is no use: Python before 3.14 never sets it (every
// thread is "python"), and a core file gives it to LLDB but not to gdb, so
// the two debuggers would print different headers for the same core.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "objects/format.h"

namespace cpydbg {

// What the threading module knows of a thread.
struct PythonThread {
  std::string name;     // Thread.name
  bool daemon = false;  // Thread.daemon
};

// thread ident (pthread_t, ThreadInfo::thread_id) -> its Thread, for every
// thread of interpreter `interp` the threading module knows; empty when it
// was never imported or its memory is unreadable.
std::map<uint64_t, PythonThread> python_threads(Python& py, ObjectFormatter& fmt, uint64_t interp);

}  // namespace cpydbg
