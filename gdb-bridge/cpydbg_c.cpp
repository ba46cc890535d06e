// The C ABI over Session for the gdb shim: a Target built from callbacks,
// with memory of a live process read straight from /proc/<pid>/mem (gdb's
// read_memory costs microseconds per call from Python).
#include "cpydbg_c.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "cpydbg/session.h"
#include "target/live_process.h"

namespace {

class CallbackTarget : public cpydbg::Target {
 public:
  CallbackTarget(const cpydbg_callbacks& cb, int64_t pid) : cb_(cb) {
    if (pid > 0) live_ = std::make_unique<cpydbg::LiveProcessTarget>(int(pid));
  }
  bool read(uint64_t addr, void* buf, size_t size) override {
    if (live_ && live_->read(addr, buf, size)) return true;
    return cb_.read_memory && cb_.read_memory(cb_.ctx, addr, buf, size);
  }
  std::optional<uint64_t> symbol(std::string_view name) override {
    uint64_t addr = 0;
    std::string n(name);
    if (cb_.lookup_symbol && cb_.lookup_symbol(cb_.ctx, n.c_str(), &addr)) return addr;
    return std::nullopt;
  }
  std::optional<cpydbg::SelectedThread> selected_thread() override {
    cpydbg::SelectedThread t;
    if (cb_.selected_thread && cb_.selected_thread(cb_.ctx, &t.lwp, &t.pthread)) return t;
    return std::nullopt;
  }
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override {
    uint64_t value = 0;
    char msg[512] = "";
    std::string e(expr);
    if (cb_.evaluate && cb_.evaluate(cb_.ctx, e.c_str(), &value, msg, sizeof msg)) return value;
    if (error) *error = msg;
    return std::nullopt;
  }
  uint64_t generation() override { return cb_.generation ? cb_.generation(cb_.ctx) : 0; }
  std::vector<std::string> module_paths() override {
    if (live_) return live_->module_paths();
    std::vector<std::string> paths;
    std::string buf(1 << 16, '\0');
    if (!cb_.module_paths || !cb_.module_paths(cb_.ctx, buf.data(), buf.size())) return paths;
    buf.resize(std::strlen(buf.c_str()));
    for (size_t start = 0; start < buf.size();) {
      size_t end = buf.find('\n', start);
      if (end == std::string::npos) end = buf.size();
      if (end > start) paths.push_back(buf.substr(start, end - start));
      start = end + 1;
    }
    return paths;
  }
  std::optional<std::string> thread_name(uint64_t lwp) override {
    char buf[256] = "";
    if (cb_.thread_name && cb_.thread_name(cb_.ctx, lwp, buf, sizeof buf)) return std::string(buf);
    return std::nullopt;
  }

 private:
  cpydbg_callbacks cb_;
  std::unique_ptr<cpydbg::LiveProcessTarget> live_;
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
  cpydbg_session(const cpydbg_callbacks& cb, int64_t pid) : target(cb, pid), session(target) {}
};

extern "C" {

cpydbg_session* cpydbg_open(const cpydbg_callbacks* cb, int64_t pid) {
  try {
    return new cpydbg_session(*cb, pid);
  } catch (...) {
    return nullptr;
  }
}

void cpydbg_close(cpydbg_session* s) { delete s; }

char* cpydbg_execute(cpydbg_session* s, const char* name, const char* args, int* ok) {
  cpydbg::CommandResult r = s->session.execute(name, args ? args : "");
  if (ok) *ok = r.ok;
  return copy_out(r.output);
}

char* cpydbg_commands_json(void) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cpydbg::Session::commands())
    j.push_back({{"name", c.name}, {"alias_of", c.alias_of}, {"summary", c.summary}, {"help", c.help}});
  return copy_out(j.dump());
}

void cpydbg_free(char* p) { std::free(p); }
}
