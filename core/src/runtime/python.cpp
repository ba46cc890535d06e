// Version detection, table selection and the sanity checks that decide
// whether a table may be trusted for this process.
#include "runtime/python.h"

#include <algorithm>
#include <cstring>
#include <regex>

#include "cpydbg/registry.h"
#include "objects/access.h"

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

Detection detect(Reader& mem, Target& target, const std::string& forced) {
  Detection d;
  auto runtime = target.symbol("_PyRuntime");
  if (!forced.empty()) {
    d.version_hex = parse_version(forced);
    if (!d.version_hex)
      throw RuntimeError("cannot parse the forced version '" + forced + "' (expected e.g. 3.9)");
    d.how = "forced by the user";
  } else if (char cookie[8]; runtime && mem.read(*runtime, cookie, 8) &&
                             std::memcmp(cookie, "xdebugpy", 8) == 0) {
    d.version_hex = static_cast<uint32_t>(mem.get<uint64_t>(*runtime + 8).value_or(0));
    d.how = "_Py_DebugOffsets in _PyRuntime";
  } else if (auto pv = target.symbol("Py_Version"); pv && mem.get<uint32_t>(*pv)) {
    d.version_hex = *mem.get<uint32_t>(*pv);
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
    if (!d.major && target.symbol("PyString_Type")) {
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
  // Debug builds keep reference-count bookkeeping functions release builds lack.
  d.flavour.debug = target.symbol("_Py_NegativeRefcount").has_value();
  d.flavour.trace_refs = target.symbol("_Py_PrintReferences").has_value() &&
                         target.symbol("_Py_ForgetReference").has_value();
  return d;
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
  basicsize("PyType_Type", "sizeof(PyHeapTypeObject)", l.size("PyHeapTypeObject"));
  basicsize("PyCode_Type", "sizeof(PyCodeObject)", l.size("PyCodeObject"),
            py.off().code.co_code_adaptive);
  return checks;
}

}  // namespace

Python::Python(Reader& reader, std::shared_ptr<const Layout> layout, Detection detection)
    : reader_(reader), layout_(std::move(layout)), off_(Offsets::resolve(*layout_)),
      detection_(std::move(detection)) {}

std::optional<uint64_t> Python::symbol(const std::string& name) {
  auto it = symbols_.find(name);
  if (it != symbols_.end()) return it->second;
  auto addr = reader_.target().symbol(name);
  symbols_.emplace(name, addr);
  return addr;
}

std::unique_ptr<Python> Python::attach(Reader& reader, const std::string& forced_version) {
  Detection d = detect(reader, reader.target(), forced_version);
  auto& registry = LayoutRegistry::instance();
  auto tables = registry.candidates(d.major, d.minor, d.flavour, d.version_hex);
  const std::string found = "Python " + (d.version_hex ? version_string(d.version_hex)
                                                        : std::to_string(d.major) + "." +
                                                              std::to_string(d.minor)) +
                            (d.flavour.suffix().empty() ? "" : " (" + d.flavour.suffix() + ")");
  if (tables.empty())
    throw RuntimeError("no layout table for " + found + " (detected from " + d.how +
                       "); generate one with: cpydbg-layout generate <its libpython or "
                       "python binary with debug info> and put it in $CPYDBG_LAYOUTS");
  std::string failures;
  for (const auto& table : tables) {
    std::unique_ptr<Python> py(new Python(reader, table, d));
    py->checks_ = sanity_checks(*py);
    std::string failed;
    bool mismatch = false;
    for (const auto& c : py->checks_) {
      if (!c.passed) failed += (failed.empty() ? "" : "; ") + c.what + " (" + c.detail + ")";
      mismatch |= !c.passed && c.detail != "unreadable" && c.detail != "symbol not found";
    }
    // Nothing contradicts the table, the memory (or the symbols) are just not
    // there: a process that exited or was killed (the debugger may still read
    // its files' static data), or a core cut short. Say that, not "wrong table".
    if (!failed.empty() && !mismatch)
      throw RuntimeError("cannot read the process's memory (" + failed +
                         "): has the process exited, or is the core file truncated?");
    if (failed.empty()) {
      py->table_origin_ = registry.describe(table.get());
      return py;
    }
    failures += (failures.empty() ? "" : " | ") + registry.describe(table.get()) + ": " + failed;
  }
  throw RuntimeError("the layout table does not fit this " + found + ", refusing to print " +
                     "garbage: " + failures +
                     ". Generate a table from this build's debug info with cpydbg-layout generate");
}

}  // namespace cpydbg
