#include "lldb_target.h"

#include "target/glibc_threads.h"
#include "target/thread_syscalls.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace cpydbg::lldb_plugin {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "123", "0x7f00..." (C rules, base 0); anything else is not a plain integer.
std::optional<uint64_t> parse_integer(const std::string& s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// A variable path LLDB can resolve without the expression parser: `op`,
// `f->f_code`, `frame.stack[2]`. Anything with operators goes to the parser.
bool is_variable_path(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalnum(c) || c == '_' || c == '.' || c == '[' || c == ']') continue;
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '>') { ++i; continue; }
    return false;
  }
  return true;
}

// An SBValue can be valid and still carry an error (e.g. an optimised-out
// variable), so check both, then insist on a scalar (integer or pointer).
std::optional<uint64_t> scalar_of(lldb::SBValue value, std::string* error) {
  if (!value.IsValid()) {
    if (error) *error = "could not evaluate the expression";
    return std::nullopt;
  }
  lldb::SBError status = value.GetError();
  if (status.Fail()) {
    if (error) *error = status.GetCString() ? status.GetCString() : "could not evaluate the expression";
    return std::nullopt;
  }
  lldb::SBError conv;
  uint64_t v = value.GetValueAsUnsigned(conv, 0);
  if (conv.Fail()) {
    if (error) *error = "the expression's value is not an integer or pointer";
    return std::nullopt;
  }
  return v;
}

}  // namespace

bool LldbTarget::read(uint64_t addr, void* buf, size_t size) {
  if (size == 0) return true;
  ++stats_.reads;
  stats_.bytes_read += size;
  if (process_.IsValid()) {
    ++stats_.round_trips;
    lldb::SBError error;
    size_t got = process_.ReadMemory(addr, buf, size, error);
    // A short read means part of the range is unmapped: all or nothing.
    if (error.Success() && got == size) return true;
  }
  // Core files usually leave out unmodified file-backed mappings (the
  // kernel's default coredump_filter, gdb's gcore too), so Py_Version,
  // tp_name strings and glibc's thread_db descriptors are missing from
  // them; for read-only segments the file holds the bytes memory held.
  return modules().read_file_backed(addr, buf, size);
}

ModuleSymbols& LldbTarget::modules() {
  uint32_t stop_id = process_.IsValid() ? process_.GetStopID(false) : 0;
  // An expression that loads a library (the agent's dlopen at a safe point)
  // adds a module without a new stop id.
  ++stats_.round_trips;
  uint32_t count = target_.GetNumModules();
  if (modules_ && stop_id == modules_stop_id_ && count == modules_count_) return *modules_;
  // Each module as one mapping of its first page: the ELF header's load
  // address, which LLDB knows from the dynamic loader (live) or the core's
  // file mappings, stripped files included.
  std::vector<Mapping> maps;
  for (uint32_t i = 0; i < count; ++i) {
    ++stats_.round_trips;
    lldb::SBModule module = target_.GetModuleAtIndex(i);
    lldb::addr_t header = module.GetObjectFileHeaderAddress().GetLoadAddress(target_);
    char path[4096];
    uint32_t len = module.GetFileSpec().GetPath(path, sizeof path);
    if (header == LLDB_INVALID_ADDRESS || len == 0 || len >= sizeof path) continue;
    Mapping m;
    m.start = m.end = header;
    m.path.assign(path, len);
    maps.push_back(std::move(m));
  }
  modules_ = std::make_unique<ModuleSymbols>(std::move(maps));
  modules_stop_id_ = stop_id;
  modules_count_ = count;
  return *modules_;
}

bool LldbTarget::write(uint64_t addr, const void* buf, size_t size) {
  if (size > kMaxWrite || process_kind() != ProcessKind::Live) return false;
  lldb::SBError error;
  return process_.WriteMemory(addr, buf, size, error) == size && error.Success();
}

ProcessKind LldbTarget::process_kind() {
  if (!process_.IsValid()) return ProcessKind::None;
  switch (process_.GetState()) {
    case lldb::eStateInvalid:
    case lldb::eStateUnloaded:
    case lldb::eStateConnected:
    case lldb::eStateDetached:
    case lldb::eStateExited:
      return ProcessKind::None;
    default:
      break;
  }
  // Core files are opened by a plugin of their own ("elf-core", "minidump").
  std::string plugin = process_.GetPluginName() ? process_.GetPluginName() : "";
  return plugin.find("core") != std::string::npos || plugin == "minidump" ? ProcessKind::Core
                                                                          : ProcessKind::Live;
}

std::optional<uint64_t> LldbTarget::symbol(std::string_view name) { return modules().find(name); }

std::optional<Target::ThreadSyscall> LldbTarget::thread_syscall(uint64_t lwp) {
  // LLDB shows no orig_rax, where the kernel keeps the call's number: a
  // process of this machine shows it in /proc, a core in its register notes.
  switch (process_kind()) {
    case ProcessKind::Live: {
      ++stats_.round_trips;
      lldb::SBPlatform platform = target_.GetPlatform();
      if (!platform.IsValid() || !platform.GetName() ||
          std::string_view(platform.GetName()) != "host")
        return std::nullopt;
      return proc_thread_syscall(int(process_.GetProcessID()), lwp);
    }
    case ProcessKind::Core:
      return core_registers_.syscall(lwp, [this] { return mapped_core_file(thread_lwps()); });
    default:
      return std::nullopt;
  }
}

lldb::SBFrame LldbTarget::selected_frame() {
  lldb::SBThread thread = process_.GetSelectedThread();
  if (!thread.IsValid()) return {};
  return thread.GetSelectedFrame();
}

std::optional<SelectedThread> LldbTarget::selected_thread() {
  if (!process_.IsValid()) return std::nullopt;
  ++stats_.round_trips;
  lldb::SBThread thread = process_.GetSelectedThread();
  if (!thread.IsValid()) return std::nullopt;
  SelectedThread out;
  out.lwp = thread.GetThreadID();
  // pthread_self() of the thread, from glibc's own thread list: a few reads.
  out.pthread = glibc_pthread_of(*this, out.lwp).value_or(0);
  if (out.pthread) return out;
  // Else the TCB address x86-64 Linux keeps in fs_base, from frame 0 (the
  // thread's real registers, not an unwound guess). Not first: LLDB 19
  // makes that register's value through its type system, 15-60 ms the
  // first time; LLDB 14 has no fs_base.
  ++stats_.round_trips;
  lldb::SBValue fs = thread.GetFrameAtIndex(0).FindRegister("fs_base");
  if (fs.IsValid() && fs.GetError().Success()) {
    lldb::SBError conv;
    uint64_t v = fs.GetValueAsUnsigned(conv, 0);
    if (conv.Success()) out.pthread = v;
  }
  return out;
}

std::optional<uint64_t> LldbTarget::evaluate(std::string_view expr_view, std::string* error) {
  std::string expr(trim(expr_view));
  if (expr.empty()) {
    if (error) *error = "empty expression";
    return std::nullopt;
  }
  ++stats_.round_trips;
  // Cheap paths first: LLDB's expression parser costs a clang compile.
  if (auto v = parse_integer(expr)) return v;
  lldb::SBFrame frame = selected_frame();
  if (frame.IsValid()) {
    if (expr[0] == '$') {
      lldb::SBValue reg = frame.FindRegister(expr.c_str() + 1);
      if (reg.IsValid() && reg.GetError().Success()) return scalar_of(reg, error);
    } else if (is_variable_path(expr)) {
      lldb::SBValue var = frame.GetValueForVariablePath(expr.c_str());
      if (var.IsValid() && var.GetError().Success()) return scalar_of(var, error);
    }
    return scalar_of(frame.EvaluateExpression(expr.c_str()), error);
  }
  // No frame (e.g. no process yet): globals and arithmetic still evaluate.
  return scalar_of(target_.EvaluateExpression(expr.c_str()), error);
}

uint64_t LldbTarget::generation() {
  // Expression evaluation runs the process but leaves its memory as it was;
  // counting those stops would throw the caches away for nothing.
  ++stats_.round_trips;
  return process_.IsValid() ? process_.GetStopID(false) : 0;
}

std::vector<uint64_t> LldbTarget::thread_lwps() {
  std::vector<uint64_t> lwps;
  if (!process_.IsValid()) return lwps;
  const uint32_t n = process_.GetNumThreads();
  stats_.round_trips += 1 + n;
  for (uint32_t i = 0; i < n; ++i)
    lwps.push_back(process_.GetThreadAtIndex(i).GetThreadID());
  return lwps;
}

std::vector<Target::NativeFrame> LldbTarget::native_frames(uint64_t lwp, size_t max) {
  std::vector<NativeFrame> out;
  ++stats_.round_trips;
  lldb::SBThread thread = process_.IsValid() ? process_.GetThreadByID(lwp) : lldb::SBThread();
  if (!thread.IsValid()) return out;
  max = std::min(max, kMaxNativeFrames);
  // GetNumFrames would unwind the whole stack first.
  for (uint32_t i = 0; out.size() < max; ++i) {
    ++stats_.round_trips;
    lldb::SBFrame frame = thread.GetFrameAtIndex(i);
    if (!frame.IsValid()) break;
    NativeFrame f;
    // LLDB gives the frame an inlined call sits in the address of the inlined
    // block; it runs at the inlined call's pc (gdb says so too).
    f.pc = !out.empty() && out.back().inlined ? out.back().pc : frame.GetPC();
    f.inlined = frame.IsInlined();
    // Inlined callees are frames of their own, named after themselves. A
    // symbol LLDB made up from unwind information names nothing.
    const char* name = frame.GetFunctionName();
    if (name && std::string_view(name).rfind("___lldb_unnamed_symbol", 0) != 0) f.function = name;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Target::FrameValues> LldbTarget::native_frame_values(
    uint64_t lwp, const std::vector<size_t>& levels, const std::vector<std::string>& names) {
  std::vector<FrameValues> out(levels.size(), FrameValues(names.size()));
  stats_.round_trips += 1 + levels.size();
  lldb::SBThread thread = process_.IsValid() ? process_.GetThreadByID(lwp) : lldb::SBThread();
  if (!thread.IsValid()) return out;
  for (size_t i = 0; i < levels.size(); ++i) {
    lldb::SBFrame frame = thread.GetFrameAtIndex(uint32_t(levels[i]));
    if (!frame.IsValid()) continue;
    for (size_t k = 0; k < names.size(); ++k)
      out[i][k] = scalar_of(frame.FindVariable(names[k].c_str()), nullptr);
  }
  return out;
}

bool LldbTarget::select_native_frame(size_t level) {
  ++stats_.round_trips;
  lldb::SBThread thread = process_.IsValid() ? process_.GetSelectedThread() : lldb::SBThread();
  return thread.IsValid() && level < thread.GetNumFrames() &&
         thread.SetSelectedFrame(uint32_t(level)).IsValid();
}

std::optional<size_t> LldbTarget::selected_native_level() {
  ++stats_.round_trips;
  lldb::SBThread thread = process_.IsValid() ? process_.GetSelectedThread() : lldb::SBThread();
  lldb::SBFrame frame = thread.IsValid() ? thread.GetSelectedFrame() : lldb::SBFrame();
  if (!frame.IsValid()) return std::nullopt;
  return frame.GetFrameID();
}

std::vector<std::string> LldbTarget::module_paths() { return modules().paths(); }

}  // namespace cpydbg::lldb_plugin
