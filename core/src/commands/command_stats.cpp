#include "commands/command_stats.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace cpydbg {
namespace {

uint64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace

CommandStats::CommandStats() {
  if (const char* path = std::getenv("CPYDBG_STATS")) path_ = path;
}

CommandStats::Mark CommandStats::start(const Target& target) const {
  return {target.stats(), now_ns(CLOCK_THREAD_CPUTIME_ID), now_ns(CLOCK_MONOTONIC)};
}

void CommandStats::finish(const Mark& mark, const Target& target, std::string_view name,
                          std::string_view args, bool ok) const {
  const uint64_t cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - mark.cpu_ns;
  const uint64_t wall = now_ns(CLOCK_MONOTONIC) - mark.wall_ns;
  const TargetStats& now = target.stats();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  // O_NONBLOCK: a FIFO nobody reads must not hang the debugger.
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  FILE* out = fd >= 0 ? fdopen(fd, "a") : nullptr;
  if (!out) {  // a diagnostic: never the reason a command fails
    if (fd >= 0) ::close(fd);
    return;
  }
  std::fprintf(out,
               "%.*s%s%.*s\tok=%d cpu_us=%llu wall_us=%llu reads=%llu read_bytes=%llu "
               "round_trips=%llu maxrss_kb=%ld\n",
               int(name.size()), name.data(), args.empty() ? "" : " ", int(args.size()),
               args.data(), ok ? 1 : 0, (unsigned long long)(cpu / 1000),
               (unsigned long long)(wall / 1000),
               (unsigned long long)(now.reads - mark.target.reads),
               (unsigned long long)(now.bytes_read - mark.target.bytes_read),
               (unsigned long long)(now.round_trips - mark.target.round_trips), usage.ru_maxrss);
  std::fclose(out);
}

}  // namespace cpydbg
