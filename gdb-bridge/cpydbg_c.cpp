// The C ABI over Session for the gdb shim: a Target built from callbacks,
// with memory of a live process read straight from /proc/<pid>/mem (gdb's
// read_memory costs microseconds per call from Python).
#include "cpydbg_c.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cpydbg/session.h"
#include "target/live_process.h"
#include "target/module_symbols.h"
#include "target/thread_syscalls.h"
#include "unwind/debugger_frames.h"
#include "unwind/dwarf_inline.h"

namespace {

// The non-empty pieces of `text` between `separator`s.
std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> pieces;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find(separator, start), text.size());
    if (end > start) pieces.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return pieces;
}

class CallbackTarget : public cpydbg::Target {
 public:
  CallbackTarget(const cpydbg_callbacks& cb, int64_t pid) : cb_(cb) {
    if (pid > 0) live_ = std::make_unique<cpydbg::LiveProcessTarget>(int(pid));
  }
  bool read(uint64_t addr, void* buf, size_t size) override {
    ++stats_.reads;
    stats_.bytes_read += size;
    if (live_ && live_->read(addr, buf, size)) return true;
    return cb_.read_memory && call(cb_.read_memory, addr, buf, size);
  }
  bool write(uint64_t addr, const void* buf, size_t size) override {
    if (size > kMaxWrite) return false;
    if (live_ && live_->write(addr, buf, size)) return true;
    return cb_.write_memory && cb_.write_memory(cb_.ctx, addr, buf, size);
  }
  cpydbg::ProcessKind process_kind() override {
    if (live_) return cpydbg::ProcessKind::Live;
    return cb_.process_kind && cb_.process_kind(cb_.ctx) == 2 ? cpydbg::ProcessKind::Core
                                                               : cpydbg::ProcessKind::None;
  }
  std::optional<uint64_t> symbol(std::string_view name) override {
    // Once the ELF tables hold the Python runtime, their answer is final:
    // gdb takes ~10 ms to say a name is absent (a full DWARF search).
    cpydbg::ModuleSymbols& elf = elf_modules();
    if (auto v = elf.find(name)) return v;
    if (elf.find("Py_IsInitialized")) return std::nullopt;  // exported or not
    uint64_t addr = 0;
    std::string n(name);
    if (cb_.lookup_symbol && call(cb_.lookup_symbol, n.c_str(), &addr)) return addr;
    return std::nullopt;
  }
  std::optional<uint64_t> api_symbol(std::string_view name) override {
    if (elf_modules().exports_python_api()) return elf_modules().find_exported(name);
    return symbol(name);  // gdb's lookup cannot tell exported names apart
  }
  std::optional<cpydbg::SelectedThread> selected_thread() override {
    cpydbg::SelectedThread t;
    if (cb_.selected_thread && call(cb_.selected_thread, &t.lwp, &t.pthread)) return t;
    return std::nullopt;
  }
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override {
    uint64_t value = 0;
    char msg[512] = "";
    std::string e(expr);
    if (cb_.evaluate && call(cb_.evaluate, e.c_str(), &value, msg, sizeof msg)) return value;
    if (error) *error = msg;
    return std::nullopt;
  }
  uint64_t generation() override {
    uint64_t gen = cb_.generation ? call(cb_.generation) : 0;
    // The live process ran: it may have loaded or unloaded libraries.
    if (live_ && gen != live_generation_) live_->refresh();
    live_generation_ = gen;
    return gen;
  }
  std::vector<uint64_t> thread_lwps() override {
    std::vector<uint64_t> lwps(4096);
    uint64_t n = 0;
    if (!cb_.thread_lwps || !call(cb_.thread_lwps, lwps.data(), lwps.size(), &n)) return {};
    lwps.resize(std::min<uint64_t>(n, lwps.size()));
    return lwps;
  }
  std::vector<NativeFrame> native_frames(uint64_t lwp, size_t max) override {
    if (const auto* walk = own_walk(lwp)) {
      const auto& frames = walk->frames();
      return {frames.begin(), frames.begin() + std::min(max, frames.size())};
    }
    if (unwinder_ == Unwinder::Cpydbg) return {};
    std::vector<uint64_t> pcs(std::min(max, kMaxNativeFrames));
    std::string names(pcs.size() * 64, '\0');
    uint64_t n = 0;
    if (!cb_.native_frames ||
        !call(cb_.native_frames, lwp, pcs.data(), names.data(), names.size(), pcs.size(), &n))
      return {};
    std::vector<NativeFrame> frames(std::min<uint64_t>(n, pcs.size()));
    std::istringstream lines(names.c_str());
    for (size_t i = 0; i < frames.size(); ++i) {
      frames[i].pc = pcs[i];
      std::string line;
      std::getline(lines, line);
      frames[i].inlined = !line.empty() && line[0] == '1';
      if (!line.empty()) frames[i].function = line.substr(1);
    }
    return frames;
  }
  std::optional<size_t> selected_native_level() override {
    // gdb gives the level only by building the frame object, which costs
    // frame 0's identity the first time (its unwinder reads the caller's
    // whole DWARF unit: 20 ms and more); the pc and sp come for free, and
    // our walk tells the level from them wherever one frame has them.
    uint64_t pc = 0, sp = 0;
    if (auto thread = selected_thread())
      if (const auto* walk = own_walk(thread->lwp))
        if (cb_.selected_frame_registers && call(cb_.selected_frame_registers, &pc, &sp))
          if (auto level = walk->level_of(pc, sp)) return level;
    uint64_t level = 0;
    if (cb_.selected_frame_level && call(cb_.selected_frame_level, &level)) return level;
    return std::nullopt;
  }
  std::vector<FrameValues> native_frame_values(uint64_t lwp, const std::vector<size_t>& levels,
                                               const std::vector<std::string>& names) override {
    if (const auto* walk = own_walk(lwp))
      if (auto values = walk->values(levels, names, core_modules(), *inline_calls_, memory()))
        return *values;
    std::vector<FrameValues> out(levels.size(), FrameValues(names.size()));
    if (!cb_.frame_values || levels.empty() || names.empty() || unwinder_ == Unwinder::Cpydbg)
      return out;
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : "\n") + n;
    std::vector<uint64_t> at(levels.begin(), levels.end());
    std::vector<uint64_t> values(levels.size() * names.size());
    std::vector<uint8_t> valid(values.size());
    if (!call(cb_.frame_values, lwp, at.data(), at.size(), joined.c_str(), values.data(),
              valid.data()))
      return out;
    for (size_t f = 0; f < levels.size(); ++f)
      for (size_t i = 0; i < names.size(); ++i)
        if (valid[f * names.size() + i]) out[f][i] = values[f * names.size() + i];
    return out;
  }
  std::optional<ThreadSyscall> thread_syscall(uint64_t lwp) override {
    if (live_) return live_->thread_syscall(lwp);
    return core_registers_.syscall(lwp, [this] { return core_file(); });
  }
  bool select_native_frame(size_t level) override {
    return cb_.select_frame && call(cb_.select_frame, level);
  }
  CodeSymbol symbol_at(uint64_t addr) override {
    if (live_) return live_->symbol_at(addr);
    return core_modules().symbol_at(addr);
  }
  std::vector<std::string> module_paths() override {
    if (live_) return live_->module_paths();
    std::string buf(1 << 16, '\0');
    if (!cb_.module_paths || !call(cb_.module_paths, buf.data(), buf.size())) return {};
    return split(buf.c_str(), '\n');
  }

 private:
  // Every call into gdb goes through here, counted (Target::stats).
  template <typename Callback, typename... Args>
  auto call(Callback callback, Args... args) -> decltype(callback(nullptr, args...)) {
    ++stats_.round_trips;
    return callback(cb_.ctx, args...);
  }
  std::string core_file() {
    std::string path(4096, '\0');
    if (!cb_.core_file || !call(cb_.core_file, path.data(), path.size())) return std::string();
    return std::string(path.c_str());
  }
  // gdb's frames, and their variables, from our own walk where it vouches
  // for them (a core: the registers are its notes). gdb's own walk reads
  // each frame's DWARF compilation unit in full: ~70 ms for the two dozen
  // frames of a 3.12 thread, against a few for ours.
  // CPYDBG_NATIVE_UNWINDER in gdb's environment: "gdb" keeps gdb's walk;
  // "cpydbg" never falls back to it (the tests compare the two).
  enum class Unwinder { Both, Gdb, Cpydbg };
  static Unwinder unwinder_choice() {
    const char* v = std::getenv("CPYDBG_NATIVE_UNWINDER");
    if (v && std::strcmp(v, "gdb") == 0) return Unwinder::Gdb;
    if (v && std::strcmp(v, "cpydbg") == 0) return Unwinder::Cpydbg;
    return Unwinder::Both;
  }
  const Unwinder unwinder_ = unwinder_choice();
  const cpydbg::unwind::GdbFrames* own_walk(uint64_t lwp) {
    if (unwinder_ == Unwinder::Gdb || live_) return nullptr;
    auto known = own_walks_.find(lwp);  // a core does not change
    if (known != own_walks_.end()) return known->second ? &*known->second : nullptr;
    auto& walk = own_walks_[lwp];
    auto regs = core_registers_.of(lwp, [this] { return core_file(); });
    if (!regs) return nullptr;
    if (!inline_calls_) {
      std::string dirs(4096, '\0');
      if (!cb_.debug_file_directory || !call(cb_.debug_file_directory, dirs.data(), dirs.size()))
        return nullptr;  // where gdb finds debug files decides its inlined frames
      inline_calls_ = std::make_unique<cpydbg::unwind::DwarfInlineCalls>(split(dirs.c_str(), ':'));
    }
    walk = cpydbg::unwind::GdbFrames::walk(cpydbg::unwind::from_user_regs(*regs), core_modules(),
                                           *inline_calls_, memory(), kMaxNativeFrames);
    return walk ? &*walk : nullptr;
  }
  cpydbg::unwind::ReadMemory memory() {
    return [this](uint64_t addr, void* buf, size_t size) { return read(addr, buf, size); };
  }
  // The mapped files' ELF tables (live: /proc/<pid>/maps; core: its
  // mappings as gdb lists them): symbols without a gdb round trip.
  cpydbg::ModuleSymbols& elf_modules() { return live_ ? live_->modules() : core_modules(); }
  cpydbg::ModuleSymbols& core_modules() {
    if (!core_modules_) core_modules_ = std::make_unique<cpydbg::ModuleSymbols>(core_mappings());
    return *core_modules_;
  }
  std::vector<cpydbg::Mapping> core_mappings() {
    std::vector<cpydbg::Mapping> maps;
    if (!cb_.core_mappings) return maps;
    // A few KB as a rule; a buffer as large as the rarest list would cost
    // its page faults every attach (1 MiB: ~0.5 ms), so grow on failure.
    std::string buf;
    bool ok = false;
    for (size_t size : {size_t(64) << 10, size_t(1) << 20}) {
      buf.assign(size, '\0');
      if ((ok = call(cb_.core_mappings, buf.data(), buf.size()))) break;
    }
    if (!ok) return maps;
    std::istringstream in(buf.c_str());
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      cpydbg::Mapping m;
      fields >> std::hex >> m.start >> m.end >> m.offset;
      std::getline(fields >> std::ws, m.path);
      if (fields.fail() && !fields.eof()) continue;
      if (!m.path.empty()) maps.push_back(m);
    }
    return maps;
  }

  cpydbg_callbacks cb_;
  std::unique_ptr<cpydbg::LiveProcessTarget> live_;
  uint64_t live_generation_ = 0;
  std::unique_ptr<cpydbg::ModuleSymbols> core_modules_;
  cpydbg::CoreThreadRegisters core_registers_;
  std::unique_ptr<cpydbg::unwind::DwarfInlineCalls> inline_calls_;  // made on first use
  std::map<uint64_t, std::optional<cpydbg::unwind::GdbFrames>> own_walks_;  // by lwp; nullopt: gdb's
};

char* copy_out(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

}  // namespace

struct cpydbg_session {
  CallbackTarget target;
  cpydbg::Session session;
  cpydbg_session(const cpydbg_callbacks& cb, int64_t pid, cpydbg_session* previous)
      : target(cb, pid), session(target, previous ? previous->session.python_breakpoints() : nullptr) {}
};

extern "C" {

cpydbg_session* cpydbg_open(const cpydbg_callbacks* cb, int64_t pid) { return cpydbg_open_after(cb, pid, nullptr); }

cpydbg_session* cpydbg_open_after(const cpydbg_callbacks* cb, int64_t pid, cpydbg_session* previous) {
  try {
    return new cpydbg_session(*cb, pid, previous);
  } catch (...) {
    return nullptr;
  }
}

uint32_t cpydbg_agent_needs(cpydbg_session* s) {
  cpydbg::AgentNeeds n = s->session.agent_needs();
  return (n.watch ? CPYDBG_AGENT_WATCH : 0) | (n.preload ? CPYDBG_AGENT_PRELOAD : 0) |
         (n.arm ? CPYDBG_AGENT_ARM : 0) | (n.resume ? CPYDBG_AGENT_RESUME : 0);
}

void cpydbg_agent_release(cpydbg_session* s) { s->session.agent_release(); }

int cpydbg_agent_next_call(cpydbg_session* s, uint64_t* function) {
  cpydbg::AgentCall call = s->session.agent_next_call();
  if (function) *function = call.function;
  return call.kind == cpydbg::AgentCall::Load ? 1 : call.kind == cpydbg::AgentCall::Activate ? 2 : 0;
}

uint64_t cpydbg_agent_safe_points(cpydbg_session* s, uint64_t* addrs, uint64_t max) {
  std::vector<uint64_t> points = s->session.agent_safe_points();
  uint64_t n = 0;
  for (; n < points.size() && n < max; ++n) addrs[n] = points[n];
  return n;
}

void cpydbg_close(cpydbg_session* s) { delete s; }

char* cpydbg_execute(cpydbg_session* s, const char* name, const char* args, int* ok) {
  cpydbg::CommandResult r = s->session.execute(name, args ? args : "");
  if (ok) *ok = r.ok;
  return copy_out(r.output);
}

char* cpydbg_python_frames_at(cpydbg_session* s, uint64_t level) {
  nlohmann::json frames = nlohmann::json::array();
  for (const cpydbg::PythonFrameView& v : s->session.python_frames_at(level)) {
    nlohmann::json args = nlohmann::json::array(), locals = nlohmann::json::array();
    for (const auto& var : v.variables.variables)
      (var.is_arg ? args : locals).push_back({var.name, var.value});
    if (!v.variables.more.empty()) locals.push_back({"", v.variables.more});
    frames.push_back({{"index", v.index}, {"function", v.function}, {"filename", v.filename},
                      {"line", v.line}, {"args", args}, {"locals", locals}});
  }
  // Target data need not be UTF-8: replace what is not, never throw.
  return copy_out(frames.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

char* cpydbg_summary(cpydbg_session* s, uint64_t addr, const char* type_name) {
  const auto& types = cpydbg::Session::summarized_types();
  auto type = std::find_if(types.begin(), types.end(),
                           [&](const auto& t) { return type_name && t.first == type_name; });
  if (type == types.end()) return nullptr;
  auto text = s->session.summary(addr, type->second);
  return text ? copy_out(*text) : nullptr;
}

char* cpydbg_summarized_types_json(void) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : cpydbg::Session::summarized_types()) j.push_back(t.first);
  return copy_out(j.dump());
}

char* cpydbg_commands_json(void) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cpydbg::Session::commands())
    j.push_back({{"name", c.name}, {"alias_of", c.alias_of}, {"summary", c.summary}, {"help", c.help}});
  return copy_out(j.dump());
}

void cpydbg_free(char* p) { std::free(p); }
}
