#include "runtime/native_activity.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace cpydbg {
namespace {

// A function's name without what compilers append to the parts they split
// off or specialise (".cold", ".isra.0", ".constprop.0").
std::string_view base(const std::string& name) {
  std::string_view s(name);
  return s.substr(0, s.find('.'));
}

bool is_one_of(const std::string& name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), base(name)) != names.end();
}

// The functions that acquire the GIL for a thread coming back from C; one
// that called something and is still on the stack is waiting for it (what
// take_gil, which a stripped build does not name, is inlined into or called by).
bool acquires_gil(const std::string& name) {
  return is_one_of(name, {"PyEval_RestoreThread", "PyEval_AcquireThread", "PyEval_AcquireLock",
                          "PyGILState_Ensure"});
}

bool waits_for_gil(const Python& py, const std::vector<NativeFrameInfo>& frames, size_t level) {
  const std::string& name = frames[level].function;
  if (base(name) == "take_gil") return true;
  // 2.7's GIL is a plain lock: PyThread_acquire_lock, from the eval loop or
  // PyEval_RestoreThread (a threading.Lock comes from lock_PyThread_acquire_lock).
  if (py.major() == 2 && base(name) == "PyThread_acquire_lock")
    return level + 1 < frames.size() &&
           (acquires_gil(frames[level + 1].function) ||
            base(frames[level + 1].function) == "PyEval_EvalFrameEx");
  return false;
}

// What the eval loop runs to hand the GIL over, or to wait for its turn
// (3.2+: take_gil; drop_gil waits there until another thread has it).
bool handles_gil(const std::string& name) {
  return is_one_of(name, {"take_gil", "drop_gil", "_Py_HandlePending", "eval_frame_handle_pending",
                          "handle_eval_breaker"});
}

bool in_libc(const NativeFrameInfo& f) {
  return f.module.rfind("libc.so", 0) == 0 || f.module.rfind("libpthread.so", 0) == 0;
}

// Waiting for the GIL, for the thread states, from named frames: libpython's
// (take_gil, 2.7's lock), a function that acquires the GIL still calling,
// drop_gil waiting for the other thread to take it.
bool waits_for_gil_named(const Python& py, const std::vector<NativeFrameInfo>& frames, size_t end) {
  for (size_t level = 0; level < end; ++level) {
    const std::string& name = frames[level].function;
    if (waits_for_gil(py, frames, level) ||
        (level > 0 && (acquires_gil(name) || base(name) == "drop_gil")))
      return true;
    // 2.7's eval loop hands the GIL over by releasing its lock and taking it
    // again at once: caught releasing it (sem_post's futex wake), a thread is
    // on its way to wait, as 3.x's drop_gil is.
    if (py.major() == 2 && level > 0 && base(name) == "PyThread_release_lock" &&
        level + 1 < frames.size() && base(frames[level + 1].function) == "PyEval_EvalFrameEx")
      return true;
  }
  return false;
}

// A condition variable or mutex wait in the C library (the GIL is made of
// them), or a function the library does not name.
bool waits_in_libc(const NativeFrameInfo& f) {
  if (!in_libc(f)) return false;
  std::string_view s = base(f.function);
  return s.empty() || s.find("pthread_cond_") != std::string_view::npos ||
         s.find("pthread_mutex_lock") != std::string_view::npos ||
         s.find("lll_lock") != std::string_view::npos || s.find("futex") != std::string_view::npos;
}

// In a stripped build the GIL's functions have no names: waiting on a
// condition or mutex in the C library, reached from the eval loop through
// nothing but unnamed interpreter frames (or the GIL's own), a thread is
// waiting for the GIL. (A named sleep, select or lock function is looked for first.)
bool waits_for_gil_unnamed(const std::vector<NativeFrameInfo>& frames, size_t end) {
  size_t level = 0;
  while (level < end && waits_in_libc(frames[level])) ++level;
  if (level == 0 || level == end || end >= frames.size()) return false;
  for (; level < end; ++level)
    if (!frames[level].function.empty() && !handles_gil(frames[level].function) &&
        !acquires_gil(frames[level].function))
      return false;
  return true;
}

bool collects_garbage(const std::string& name) {
  // libpython's names (3.13 has split the collector into several).
  return is_one_of(name, {"collect", "gc_collect_main", "gc_collect_full", "gc_collect_young",
                          "gc_collect_increment"});
}

}  // namespace

LibpythonFrame libpython_frame(const Python& py, const std::vector<NativeFrameInfo>& frames,
                               size_t level) {
  using Kind = LibpythonFrame::Kind;
  const std::string& name = frames[level].function;
  if (waits_for_gil(py, frames, level)) return {Kind::WaitingForGil};
  if (collects_garbage(name)) return {Kind::GarbageCollecting};
  if (base(name) == "wrapper_call") return {Kind::WrapperCall, "wp"};
  // Where each version calls a built-in function, and the variable it is in.
  const std::string_view f = base(name);
  if (py.major() == 2 || !py.at_least(3, 7)) {
    if (f == "PyCFunction_Call") return {Kind::BuiltinCall, "func"};
    if (f == "_PyCFunction_FastCallDict") return {Kind::BuiltinCall, "func_obj"};
  } else if (!py.at_least(3, 8)) {
    if (f == "_PyCFunction_FastCallDict" || f == "_PyCFunction_FastCallKeywords")
      return {Kind::BuiltinCall, "func"};
  } else if (f.rfind("cfunction_vectorcall_", 0) == 0 ||
             f == (py.at_least(3, 9) ? "cfunction_call" : "cfunction_call_varargs")) {
    return {Kind::BuiltinCall, "func"};
  }
  return {};
}

NativeActivity native_activity(const Python& py, const std::vector<NativeFrameInfo>& frames) {
  NativeActivity out;
  size_t end = 0;  // the frames below the innermost eval loop frame
  while (end < frames.size() && !frames[end].is_eval) ++end;
  bool lock = false, sleep = false, select = false;
  for (size_t level = 0; level < end; ++level) {
    const std::string& name = frames[level].function;
    out.collecting_garbage |= collects_garbage(name);
    lock |= is_one_of(name, {"PyThread_acquire_lock_timed", "PyThread_acquire_lock",
                             "PyThread_acquire_lock_timed_with_retries",
                             "lock_PyThread_acquire_lock", "rlock_acquire", "acquire_timed",
                             "PyMutex_Lock", "_PyMutex_LockTimed", "_PyMutex_LockSlow",
                             "_PySemaphore_Wait"});
    // 2.7's time.sleep waits in select(): a sleeping frame says which it is.
    sleep |= is_one_of(name, {"time_sleep", "pysleep", "floatsleep", "clock_nanosleep",
                              "__clock_nanosleep", "nanosleep", "__nanosleep"});
    select |= is_one_of(name, {"select", "__select", "pselect", "poll", "__poll", "ppoll",
                               "epoll_wait", "epoll_pwait", "select_select_impl",
                               "select_poll_poll_impl", "select_epoll_poll_impl"});
  }
  // Coming back from a sleep or a lock, a thread may wait for the GIL.
  out.blocked = waits_for_gil_named(py, frames, end)    ? "waiting for the GIL"
                : lock                                   ? "waiting on a lock"
                : sleep                                  ? "in sleep"
                : select                                 ? "in select"
                : waits_for_gil_unnamed(frames, end)     ? "waiting for the GIL"
                                                         : "";
  return out;
}

std::optional<NativeActivity> syscall_activity(const Target::ThreadSyscall& call,
                                               const std::optional<MemoryExtent>& gil) {
  // x86-64 Linux system call numbers (asm/unistd_64.h).
  enum : int64_t {
    kPoll = 7, kSelect = 23, kNanosleep = 35, kFutex = 202, kRestartSyscall = 219,
    kEpollWait = 232, kClockNanosleep = 230, kPselect6 = 270, kPpoll = 271, kEpollPwait = 281,
    kEpollPwait2 = 441,
  };
  NativeActivity out;
  switch (call.number) {
    case kFutex: {
      // The waiting operations (linux/futex.h), without the private and clock flags.
      const uint64_t op = call.args[1] & 0x7f;
      const bool waits = op == 0 /*WAIT*/ || op == 6 /*LOCK_PI*/ || op == 9 /*WAIT_BITSET*/ ||
                         op == 11 /*WAIT_REQUEUE_PI*/ || op == 13 /*LOCK_PI2*/;
      // Where the GIL's extent is unknown (2.7, 3.6) a wake may be the eval
      // loop handing its GIL lock over (sem_post): the frames tell.
      if (!gil) return std::nullopt;
      if (!waits) return out;
      out.blocked = gil->contains(call.args[0]) ? "waiting for the GIL" : "waiting on a lock";
      return out;
    }
    case kNanosleep:
    case kClockNanosleep:
      out.blocked = "in sleep";
      return out;
    case kSelect:
    case kPselect6:
      // time.sleep before 3.11 (2.7 too) is a select() on no descriptors.
      out.blocked = call.args[0] == 0 && !call.args[1] && !call.args[2] && !call.args[3]
                        ? "in sleep"
                        : "in select";
      return out;
    case kRestartSyscall:
      // A sleep or timed wait that a signal (an earlier stop) interrupted goes
      // on under this number, its own forgotten: the frames still show it.
      return std::nullopt;
    case kPoll:
    case kPpoll:
    case kEpollWait:
    case kEpollPwait:
    case kEpollPwait2:
      out.blocked = "in select";
      return out;
    default:  // running (-1), or in a call that is not a wait
      return out;
  }
}

}  // namespace cpydbg
