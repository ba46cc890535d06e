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

// Thread.name is the instance attribute `_name` (2.7: `__name`, mangled).
std::optional<std::string> name_of(ObjectFormatter& fmt, uint64_t thread) {
  auto attrs = fmt.attributes(thread, 100);
  if (!attrs) return std::nullopt;
  for (const auto& a : *attrs)
    if (a.value && (a.name == "_name" || a.name == "_Thread__name"))
      return fmt.access().text(a.value, 200);
  return std::nullopt;
}

}  // namespace

std::map<uint64_t, std::string> python_thread_names(Python& py, ObjectFormatter& fmt,
                                                    uint64_t interp) {
  std::map<uint64_t, std::string> names;
  if (py.off().interp.modules == kAbsent || py.off().module.md_dict == kAbsent) return names;
  auto modules = py.mem().ptr(interp + py.off().interp.modules);
  auto threading = modules && *modules ? fmt.dict_get(*modules, "threading") : std::nullopt;
  auto globals = threading ? py.mem().ptr(*threading + py.off().module.md_dict) : std::nullopt;
  auto active = globals && *globals ? fmt.dict_get(*globals, "_active") : std::nullopt;
  if (!active || !fmt.access().is_instance(*active, "PyDict_Type")) return names;
  auto items = fmt.dict_items(*active, kMaxThreads);
  if (!items) return names;
  for (const auto& item : *items) {
    auto ident = ident_of(fmt, item.key);
    auto name = ident ? name_of(fmt, item.value) : std::nullopt;
    if (name) names.emplace(*ident, *name);
  }
  return names;
}

}  // namespace cpydbg
