#include "target/glibc_threads.h"

#include <initializer_list>

namespace cpydbg {

namespace {

// A `_thread_db_<struct>_<field>` descriptor is uint32_t[3]:
// {size in bits, element count, byte offset}.
std::optional<uint64_t> field_offset(Target& target, const char* descriptor) {
  std::optional<uint64_t> addr = target.symbol(descriptor);
  if (!addr) return std::nullopt;
  uint32_t desc[3];
  if (!target.read(*addr, desc, sizeof desc)) return std::nullopt;
  return desc[2];
}

std::optional<uint64_t> read_u64(Target& target, uint64_t addr) {
  uint64_t v;
  if (!target.read(addr, &v, sizeof v)) return std::nullopt;
  return v;
}

// Walks one circular list_t of struct pthread (linked through its `list`
// member) looking for the thread whose `tid` is `lwp`.
std::optional<uint64_t> search_list(Target& target, uint64_t head, uint64_t list_off,
                                    uint64_t tid_off, uint64_t lwp) {
  std::optional<uint64_t> node = read_u64(target, head);  // head->next
  // Bounded: a corrupt or half-written list (core files) must not loop.
  for (int steps = 0; node && *node != head && *node != 0 && steps < 100000; ++steps) {
    uint64_t pthread = *node - list_off;
    int32_t tid;
    if (!target.read(pthread + tid_off, &tid, sizeof tid)) return std::nullopt;
    if (tid > 0 && static_cast<uint64_t>(tid) == lwp) return pthread;
    node = read_u64(target, *node);
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> glibc_tid_of(Target& target, uint64_t pthread) {
  std::optional<uint64_t> tid_off = field_offset(target, "_thread_db_pthread_tid");
  int32_t tid;
  if (!tid_off || !target.read(pthread + *tid_off, &tid, sizeof tid) || tid <= 0)
    return std::nullopt;
  return static_cast<uint64_t>(tid);
}

std::optional<uint64_t> glibc_pthread_of(Target& target, uint64_t lwp) {
  std::optional<uint64_t> list_off = field_offset(target, "_thread_db_pthread_list");
  std::optional<uint64_t> tid_off = field_offset(target, "_thread_db_pthread_tid");
  if (!list_off || !tid_off) return std::nullopt;

  // glibc 2.34+: the lists live in ld.so's _rtld_global. `stack_user` also
  // holds the main thread, so search it first.
  if (std::optional<uint64_t> rtld = target.symbol("_rtld_global")) {
    for (const char* list : {"_thread_db_rtld_global__dl_stack_user",
                             "_thread_db_rtld_global__dl_stack_used"}) {
      if (std::optional<uint64_t> off = field_offset(target, list)) {
        if (auto found = search_list(target, *rtld + *off, *list_off, *tid_off, lwp)) return found;
      }
    }
    return std::nullopt;
  }
  // Older glibc: the same lists are libpthread variables.
  for (const char* list : {"__stack_user", "stack_used"}) {
    if (std::optional<uint64_t> head = target.symbol(list)) {
      if (auto found = search_list(target, *head, *list_off, *tid_off, lwp)) return found;
    }
  }
  return std::nullopt;
}

}  // namespace cpydbg
