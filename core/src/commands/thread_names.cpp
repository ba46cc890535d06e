#include "commands/thread_names.h"

#include <cerrno>
#include <cstdlib>

namespace cpydbg {
namespace {

// Bounds for garbage: no process has more threads than this.
constexpr size_t kMaxThreads = 100000;

// The int key of _active: its repr is the decimal ident ("…L" for a 2.7 long).
std::optional<uint64_t> ident_of(ObjectFormatter& fmt, uint64_t key) {
  std::string text = fmt.repr(key);
  if (!text.empty() && text.back() == 'L') text.pop_back();
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno || *end) return std::nullopt;
  return v;
}

// Thread.name and .daemon are the instance attributes `_name` and
// `_daemonic` (2.7: `__name`, `__daemonic`, mangled).
std::optional<PythonThread> thread_of(ObjectFormatter& fmt, uint64_t thread) {
  auto attrs = fmt.attributes(thread, 100);
  if (!attrs) return std::nullopt;
  std::optional<PythonThread> out;
  bool daemon = false;
  for (const auto& a : *attrs) {
    if (!a.value) continue;
    if (a.name == "_name" || a.name == "_Thread__name") {
      if (auto name = fmt.access().text(a.value, 200)) out = PythonThread{*name, false};
    } else if (a.name == "_daemonic" || a.name == "_Thread__daemonic") {
      daemon = fmt.repr(a.value) == "True";
    }
  }
  if (out) out->daemon = daemon;
  return out;
}

}  // namespace

std::map<uint64_t, PythonThread> python_threads(Python& py, ObjectFormatter& fmt, uint64_t interp) {
  std::map<uint64_t, PythonThread> threads;
  if (py.off().interp.modules == kAbsent || py.off().module.md_dict == kAbsent) return threads;
  auto modules = py.mem().ptr(interp + py.off().interp.modules);
  auto threading = modules && *modules ? fmt.dict_get(*modules, "threading") : std::nullopt;
  auto globals = threading ? py.mem().ptr(*threading + py.off().module.md_dict) : std::nullopt;
  auto active = globals && *globals ? fmt.dict_get(*globals, "_active") : std::nullopt;
  if (!active || !fmt.access().is_instance(*active, "PyDict_Type")) return threads;
  auto items = fmt.dict_items(*active, kMaxThreads);
  if (!items) return threads;
  for (const auto& item : *items) {
    auto ident = ident_of(fmt, item.key);
    auto thread = ident ? thread_of(fmt, item.value) : std::nullopt;
    if (thread) threads.emplace(*ident, *thread);
  }
  return threads;
}

}  // namespace cpydbg
