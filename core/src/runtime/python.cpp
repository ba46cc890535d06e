// Version detection, table selection and the sanity checks that decide
// whether a table may be trusted for this process.
#include "runtime/python.h"

#include <algorithm>
#include <regex>

#include "cpydbg/registry.h"
#include "objects/access.h"
#include "runtime/partial_layout.h"

namespace cpydbg {
namespace {

// "libpython3.9.so.1.0", "libpython3.6m.so", "python3.11d" -> 3, 9.
bool version_from_path(const std::string& path, int& major, int& minor) {
  static const std::regex re(R"((?:^|/)(?:lib)?python([23])\.(\d+)[a-z]*(?:\.so[.\d]*)?$)");
  std::smatch m;
  if (!std::regex_search(path, m, re)) return false;
  major = std::stoi(m[1]);
  minor = std::stoi(m[2]);
  return true;
}

Detection detect_python(Reader& mem, Target& target, const std::string& forced) {
  Detection d;
  // Both in the C API where they exist (3.7+, 3.11+): looking for them costs
  // no .symtab where they do not.
  d.runtime = target.api_symbol("_PyRuntime");
  const std::optional<uint64_t>& runtime = d.runtime;
  auto py_version_symbol = target.api_symbol("Py_Version");
  auto py_version = py_version_symbol ? mem.get<uint32_t>(*py_version_symbol) : std::nullopt;
  if (py_version && !*py_version) py_version.reset();
  if (runtime) d.debug_offsets = read_debug_offsets(mem, *runtime, py_version);
  if (!forced.empty()) {
    d.version_hex = parse_version(forced);
    if (!d.version_hex)
      throw RuntimeError("cannot parse the forced version '" + forced + "' (expected e.g. 3.9)");
    d.how = "forced by the user";
  } else if (d.debug_offsets.header_ok) {
    d.version_hex = d.debug_offsets.version_hex;
    d.how = "_Py_DebugOffsets in _PyRuntime";
  } else if (py_version) {
    d.version_hex = *py_version;
    d.how = "Py_Version";
  }
  if (d.version_hex) {
    d.major = d.version_hex >> 24;
    d.minor = (d.version_hex >> 16) & 0xff;
  } else {
    // libpython's soname first, whatever order the debugger lists modules
    // in (gdb and LLDB differ): it names the library that holds the runtime.
    std::vector<std::string> paths = target.module_paths();
    std::stable_partition(paths.begin(), paths.end(), [](const std::string& p) {
      return p.find("/libpython") != std::string::npos || p.rfind("libpython", 0) == 0;
    });
    for (const std::string& path : paths) {
      if (version_from_path(path, d.major, d.minor)) {
        d.how = "the name of " + path.substr(path.rfind('/') + 1);
        break;
      }
    }
    if (!d.major && target.api_symbol("PyString_Type")) {
      d.major = 2, d.minor = 7;
      d.how = "PyString_Type exists (Python 2)";
    }
  }
  if (!d.major) {
    if (!runtime && !target.symbol("PyType_Type") && !target.symbol("_PyThreadState_Current"))
      throw RuntimeError(
          "no Python runtime in this process: none of _PyRuntime, PyType_Type, "
          "_PyThreadState_Current is in its symbol tables (is libpython loaded?)");
    throw RuntimeError(
        "found a Python runtime but not its version (no Py_Version symbol, no libpython "
        "soname); tell cpydbg with: pyinfo --python-version X.Y");
  }
  // Debug builds export reference-count bookkeeping functions release builds lack.
  d.flavour.debug = target.api_symbol("_Py_NegativeRefcount").has_value();
  d.flavour.trace_refs = target.api_symbol("_Py_PrintReferences").has_value() &&
                         target.api_symbol("_Py_ForgetReference").has_value();
  d.flavour.free_threaded = d.debug_offsets.header_ok && d.debug_offsets.free_threaded;
  return d;
}

// Every offset the process's _Py_DebugOffsets give that the table also has,
// compared: the check fails on any difference, each listed in *disagree.
SanityCheck cross_check(const Layout& l, const DebugOffsets& d, std::vector<std::string>* disagree) {
  size_t compared = 0;
  for (const auto& e : d.entries()) {
    auto place = d.place(e);
    if (!place) continue;
    const StructInfo* s = l.find_struct(place->strukt);
    const FieldInfo* f = place->member.empty() ? nullptr : l.find_field(place->strukt, place->member);
    if (!s || (!place->member.empty() && !f)) continue;
    uint64_t in_table = f ? f->offset : s->size;
    ++compared;
    if (in_table != place->value)
      disagree->push_back(place->strukt + (f ? "." + place->member : " size") + ": table " +
                          std::to_string(in_table) + ", _Py_DebugOffsets " +
                          std::to_string(place->value));
  }
  SanityCheck c{"the table agrees with the process's _Py_DebugOffsets", disagree->empty(), ""};
  c.detail = std::to_string(compared - disagree->size()) + " of " + std::to_string(compared) +
             " offsets and sizes agree";
  for (size_t i = 0; i < disagree->size() && i < 3; ++i) c.detail += "; " + (*disagree)[i];
  if (disagree->size() > 3) c.detail += "; " + std::to_string(disagree->size() - 3) + " more";
  return c;
}

// What failed of a layout's checks ("" when none did), and whether anything
// contradicts the layout rather than only going unread.
struct Verdict {
  std::string failed;
  bool mismatch = false;
};

Verdict judge(const std::vector<SanityCheck>& checks) {
  Verdict v;
  for (const auto& c : checks) {
    if (!c.passed) v.failed += (v.failed.empty() ? "" : "; ") + c.what + " (" + c.detail + ")";
    v.mismatch |= !c.passed && c.detail != "unreadable" && c.detail != "symbol not found";
  }
  return v;
}

// Nothing contradicts the layout, the memory (or the symbols) are just not
// there: a process that exited or was killed (the debugger may still read
// its files' static data), or a core cut short. Say that, not "wrong table".
[[noreturn]] void memory_gone(const Verdict& v) {
  throw RuntimeError("cannot read the process's memory (" + v.failed +
                     "): has the process exited, or is the core file truncated?");
}

std::vector<SanityCheck> sanity_checks(Python& py) {
  const Layout& l = py.layout();
  ObjectAccess obj(py);
  std::vector<SanityCheck> checks;
  auto basicsize = [&](const char* type_symbol, const std::string& what, uint64_t expected,
                       uint64_t alternative = kAbsent) {
    SanityCheck c{std::string(type_symbol) + ".tp_basicsize == " + what, false, ""};
    auto type = py.symbol(type_symbol);
    auto size = type ? py.mem().get<int64_t>(*type + py.off().type.tp_basicsize) : std::nullopt;
    if (!size) {
      c.detail = type ? "unreadable" : "symbol not found";
    } else {
      c.passed = uint64_t(*size) == expected || uint64_t(*size) == alternative;
      c.detail = std::to_string(*size) + " vs " + std::to_string(expected);
    }
    checks.push_back(c);
  };
  {
    SanityCheck c{"PyType_Type.tp_name == \"type\"", false, ""};
    auto type = py.symbol("PyType_Type");
    auto name = type ? obj.type_name(*type) : std::nullopt;
    c.passed = name && *name == "type";
    c.detail = !type ? "symbol not found" : name ? "\"" + *name + "\"" : "unreadable";
    checks.push_back(c);
  }
  basicsize("PyTuple_Type", "offsetof(PyTupleObject, ob_item)", l.offset("PyTupleObject", "ob_item"));
  basicsize("PyList_Type", "sizeof(PyListObject)", l.size("PyListObject"));
  basicsize("PyDict_Type", "sizeof(PyDictObject)", l.size("PyDictObject"));
  // A partial table (runtime/partial_layout.h) has no PyHeapTypeObject.
  if (l.find_struct("PyHeapTypeObject"))
    basicsize("PyType_Type", "sizeof(PyHeapTypeObject)", l.size("PyHeapTypeObject"));
  basicsize("PyCode_Type", "sizeof(PyCodeObject)", l.size("PyCodeObject"),
            py.off().code.co_code_adaptive);
  if (!l.partial_from.empty()) {
    // More of what the process's own block says, where its types can confirm it.
    basicsize("PyFloat_Type", "sizeof(PyFloatObject)", l.size("PyFloatObject"));
    basicsize("PyUnicode_Type", "sizeof(PyUnicodeObject)", l.size("PyUnicodeObject"));
    if (const FieldInfo* digit = l.find_field("PyLongObject", "long_value.ob_digit"))
      basicsize("PyLong_Type", "offsetof(PyLongObject, long_value.ob_digit)", digit->offset);
  }
  return checks;
}

}  // namespace

Python::Python(Reader& reader, std::shared_ptr<const Layout> layout, Detection detection)
    : reader_(reader), layout_(std::move(layout)), off_(Offsets::resolve(*layout_)),
      coverage_(*layout_), detection_(std::move(detection)) {
  // Found, or found absent (2.7, 3.6), once: a miss would search every file's .symtab.
  symbols_.emplace("_PyRuntime", detection_.runtime);
}

namespace {

// A lookup's answer from `cache`, or made and kept there (an absence too).
template <typename Lookup>
std::optional<uint64_t> cached(std::unordered_map<std::string, std::optional<uint64_t>>& cache,
                               const std::string& name, const Lookup& lookup) {
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  return cache.emplace(name, lookup(name)).first->second;
}

}  // namespace

std::optional<uint64_t> Python::symbol(const std::string& name) {
  return cached(symbols_, name, [this](const std::string& n) { return reader_.target().symbol(n); });
}

std::optional<uint64_t> Python::api_symbol(const std::string& name) {
  return cached(api_symbols_, name,
                [this](const std::string& n) { return reader_.target().api_symbol(n); });
}

Detection Python::detect(Reader& reader, const std::string& forced_version) {
  return detect_python(reader, reader.target(), forced_version);
}

void Python::require(Feature f) const {
  if (!coverage_.has(f)) throw RuntimeError(coverage_.refusal(f));
}

std::unique_ptr<Python> Python::attach(Reader& reader, const std::string& forced_version) {
  Detection d = detect(reader, forced_version);
  auto& registry = LayoutRegistry::instance();
  const std::string found = "Python " + (d.version_hex ? version_string(d.version_hex)
                                                        : std::to_string(d.major) + "." +
                                                              std::to_string(d.minor)) +
                            (d.flavour.suffix().empty() ? "" : " (" + d.flavour.suffix() + ")");
  if (d.flavour.free_threaded)
    throw RuntimeError("Python " + version_string(d.version_hex) +
                       " is a free-threaded build (Py_GIL_DISABLED, says its _Py_DebugOffsets): "
                       "cpydbg does not read those yet (their object header, per-thread "
                       "bytecode and deferred references differ)");
  auto tables = registry.candidates(d.major, d.minor, d.flavour, d.version_hex);
  // The process's own offsets, when its block is sound and of this series.
  const DebugOffsets* own = d.debug_offsets.offsets ? &*d.debug_offsets.offsets : nullptr;
  if (own && ((own->version_hex >> 16) != (uint32_t(d.major) << 8 | uint32_t(d.minor))))
    own = nullptr;
  std::string failures;
  for (const std::string& name : tables) {
    auto table = registry.by_name(name);
    std::unique_ptr<Python> py(new Python(reader, table, d));
    py->checks_ = sanity_checks(*py);
    if (own) py->checks_.push_back(cross_check(*table, *own, &py->disagreements_));
    Verdict v = judge(py->checks_);
    if (!v.failed.empty() && !v.mismatch) memory_gone(v);
    if (v.failed.empty()) {
      py->table_origin_ = registry.describe(table.get());
      return py;
    }
    failures += (failures.empty() ? "" : " | ") + registry.describe(table.get()) + ": " + v.failed;
  }
  const std::string generate =
      "generate one with: cpydbg-layout generate <its libpython or python binary with debug "
      "info> and put it in $CPYDBG_LAYOUTS";
  const std::string builtins_off =
      registry.builtins_enabled() ? "" : "; CPYDBG_BUILTIN_LAYOUTS=0 switched the built-in tables off";
  if (own) {
    // No table, or none to trust: what the process says of itself.
    auto layout = std::make_shared<const Layout>(partial_layout(*own, d.flavour, reader));
    std::unique_ptr<Python> py(new Python(reader, layout, d));
    py->checks_ = sanity_checks(*py);
    Verdict v = judge(py->checks_);
    if (!v.failed.empty() && !v.mismatch) memory_gone(v);
    const std::string no_table = tables.empty() ? "no table for " + found + builtins_off
                                                : std::string("no table fits");
    if (v.failed.empty() && py->coverage_.has(Feature::Stack)) {
      py->table_origin_ = "partial, from the process's _Py_DebugOffsets (" + no_table + ")";
      py->rejected_ = failures;
      return py;
    }
    throw RuntimeError(no_table + (failures.empty() ? "" : " (" + failures + ")") +
                       ", and the layout its own _Py_DebugOffsets give does not fit it either (" +
                       (v.failed.empty() ? py->coverage_.refusal(Feature::Stack) : v.failed) +
                       "); " + generate);
  }
  const std::string& problem = d.debug_offsets.problem;
  const std::string why_not_own =
      problem.empty() ? "" : "; its _Py_DebugOffsets are not used: " + problem;
  if (tables.empty())
    throw RuntimeError("no layout table for " + found + " (detected from " + d.how + builtins_off +
                       why_not_own + "); " + generate);
  throw RuntimeError("the layout table does not fit this " + found + ", refusing to print " +
                     "garbage: " + failures + why_not_own +
                     ". Generate a table from this build's debug info with cpydbg-layout generate");
}

}  // namespace cpydbg
