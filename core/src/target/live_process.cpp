#include "target/live_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "target/thread_syscalls.h"

namespace cpydbg {

LiveProcessTarget::LiveProcessTarget(int pid) : pid_(pid) {
  std::string mem = "/proc/" + std::to_string(pid) + "/mem";
  fd_ = ::open(mem.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    error_ = "cannot open " + mem + ": " + std::strerror(errno);
    return;
  }
  read_maps();
  if (symbols_.mappings().empty()) error_ = "no mappings in /proc/" + std::to_string(pid) + "/maps";
}

LiveProcessTarget::~LiveProcessTarget() {
  if (fd_ >= 0) ::close(fd_);
  if (write_fd_ >= 0) ::close(write_fd_);
}

bool LiveProcessTarget::read(uint64_t addr, void* buf, size_t size) {
  if (fd_ < 0) return false;
  ++stats_.reads;
  stats_.bytes_read += size;
  // pread takes a signed offset: addresses above 2^63 (kernel space, garbage
  // pointers) are unreadable anyway.
  if (addr > uint64_t(INT64_MAX) || size > uint64_t(INT64_MAX) - addr) return false;
  auto* out = static_cast<uint8_t*>(buf);
  while (size > 0) {
    ssize_t n = ::pread(fd_, out, size, static_cast<off_t>(addr));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EIO: unmapped; 0: the process is gone
    out += n;
    addr += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool LiveProcessTarget::write(uint64_t addr, const void* buf, size_t size) {
  if (size > kMaxWrite || addr > uint64_t(INT64_MAX) || size > uint64_t(INT64_MAX) - addr) return false;
  // Only the debugger that traces the process may write its memory: the
  // kernel checks that on open.
  if (write_fd_ < 0) {
    std::string mem = "/proc/" + std::to_string(pid_) + "/mem";
    write_fd_ = ::open(mem.c_str(), O_WRONLY | O_CLOEXEC);
    if (write_fd_ < 0) return false;
  }
  auto* in = static_cast<const uint8_t*>(buf);
  while (size > 0) {
    ssize_t n = ::pwrite(write_fd_, in, size, static_cast<off_t>(addr));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    in += n;
    addr += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

void LiveProcessTarget::read_maps() {
  std::vector<Mapping> maps;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/maps");
  std::string line;
  while (std::getline(in, line)) {
    // start-end perms offset dev inode [path]
    std::istringstream fields(line);
    std::string range, dev, inode;
    Mapping m;
    fields >> range >> m.perms >> std::hex >> m.offset >> dev >> inode;
    std::getline(fields >> std::ws, m.path);
    size_t dash = range.find('-');
    if (!fields.eof() && fields.fail()) continue;
    if (dash == std::string::npos) continue;
    m.start = std::stoull(range.substr(0, dash), nullptr, 16);
    m.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    maps.push_back(m);
  }
  // A file of another mount namespace (a container) is found under its root.
  symbols_ = ModuleSymbols(std::move(maps), "/proc/" + std::to_string(pid_) + "/root");
}

std::optional<uint64_t> LiveProcessTarget::symbol(std::string_view name) {
  return symbols_.find(name);
}

std::optional<Target::ThreadSyscall> LiveProcessTarget::thread_syscall(uint64_t lwp) {
  return proc_thread_syscall(pid_, lwp);
}

std::optional<SelectedThread> LiveProcessTarget::selected_thread() {
  // No debugger selects a thread here: the main thread (lwp == pid).
  SelectedThread t;
  t.lwp = static_cast<uint64_t>(pid_);
  return t;
}

std::vector<std::string> LiveProcessTarget::module_paths() { return symbols_.paths(); }

void LiveProcessTarget::refresh() {
  ++generation_;
  read_maps();
}

}  // namespace cpydbg
