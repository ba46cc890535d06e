// See check_rules.h. The required lists are what the runtime walker reads
// for each version family (DESIGN.md section 4, CPYTHON-INTERNALS.md).
#include "check_rules.h"

#include "runtime/coverage.h"

namespace cpydbg::tool {
namespace {

struct Need {
  uint32_t from, until;  // PY_VERSION_HEX range [from, until)
  const char* strukt;
  const char* field;     // nullptr: only the struct
};

constexpr uint32_t V(int major, int minor) { return uint32_t(major) << 24 | uint32_t(minor) << 16; }
constexpr uint32_t kAny = 0xffffffff;

const Need kNeeds[] = {
    {V(2, 0), kAny, "PyObject", "ob_type"},
    {V(2, 0), kAny, "PyVarObject", "ob_size"},
    {V(2, 0), kAny, "PyTypeObject", "tp_name"},
    {V(2, 0), kAny, "PyTypeObject", "tp_flags"},
    {V(2, 0), kAny, "PyCodeObject", "co_filename"},
    {V(2, 0), kAny, "PyCodeObject", "co_name"},
    {V(2, 0), kAny, "PyCodeObject", "co_firstlineno"},
    {V(2, 0), kAny, "PyFrameObject", nullptr},
    {V(2, 0), kAny, "PyThreadState", "interp"},
    {V(2, 0), kAny, "PyInterpreterState", nullptr},
    {V(2, 0), kAny, "PyTupleObject", "ob_item"},
    {V(2, 0), kAny, "PyListObject", "ob_item"},
    {V(2, 0), kAny, "PyDictObject", "ma_used"},
    {V(2, 0), V(3, 12), "PyLongObject", "ob_digit"},
    {V(3, 12), kAny, "PyLongObject", "long_value.ob_digit"},
    {V(3, 12), kAny, "PyLongObject", "long_value.lv_tag"},
    {V(2, 0), kAny, "PyFloatObject", "ob_fval"},
    {V(2, 0), kAny, "PySetObject", "table"},
    {V(2, 0), kAny, "setentry", "key"},
    {V(2, 0), kAny, "PyFunctionObject", nullptr},
    {V(2, 0), kAny, "PyModuleObject", nullptr},
    {V(2, 0), kAny, "PyCellObject", nullptr},
    {V(2, 0), kAny, "PyUnicodeObject", nullptr},
    {V(2, 0), V(3, 0), "PyIntObject", "ob_ival"},
    {V(2, 0), V(3, 0), "PyStringObject", "ob_sval"},
    {V(2, 0), V(3, 0), "PyDictEntry", "me_key"},
    {V(2, 0), V(3, 11), "PyFrameObject", "f_code"},
    {V(2, 0), V(3, 11), "PyFrameObject", "f_lasti"},
    {V(2, 0), V(3, 11), "PyThreadState", "frame"},
    {V(3, 0), kAny, "PyBytesObject", "ob_sval"},
    {V(3, 0), kAny, "PyASCIIObject", "state.kind"},
    {V(3, 0), kAny, "PyASCIIObject", "state.compact"},
    {V(3, 0), kAny, "PyASCIIObject", "state.ascii"},
    {V(3, 0), kAny, "PyCompactUnicodeObject", nullptr},
    {V(3, 0), kAny, "PyDictKeysObject", "dk_nentries"},
    {V(3, 7), kAny, "_PyRuntimeState", "interpreters.head"},
    {V(3, 10), V(3, 13), "_PyCFrame", nullptr},
    {V(3, 11), kAny, "_PyInterpreterFrame", "previous"},
    {V(3, 11), kAny, "_PyInterpreterFrame", "owner"},
    {V(3, 11), kAny, "_PyInterpreterFrame", "localsplus"},
    {V(3, 11), kAny, "PyDictUnicodeEntry", "me_key"},
    {V(3, 11), kAny, "PyFrameObject", "f_frame"},
    {V(3, 13), kAny, "_Py_DebugOffsets", "cookie"},
    {V(3, 13), kAny, "PyThreadState", "current_frame"},
    {V(3, 13), kAny, "_PyInterpreterFrame", "f_executable"},
    {V(3, 13), kAny, "_PyInterpreterFrame", "instr_ptr"},
    {V(3, 14), kAny, "_PyInterpreterFrame", "stackpointer"},
};

}  // namespace

std::vector<std::string> check_layout(const Layout& l) {
  std::vector<std::string> problems;
  auto add = [&](std::string s) { problems.push_back(std::move(s)); };
  // A partial table (from _Py_DebugOffsets) does not know every struct's
  // size, and lacks what its source does not give: check_warnings lists that.
  const bool partial = !l.partial_from.empty();
  for (const auto& [sname, s] : l.structs) {
    if (s.size == 0 && partial) continue;
    if (s.size == 0) add("struct " + sname + " has size 0");
    for (const auto& [fname, f] : s.fields) {
      std::string where = sname + "." + fname;
      if (f.is_bitfield()) {
        uint64_t first = f.offset * 8, end = (f.offset + f.size) * 8;
        if (f.bit_size == 0 || uint64_t(f.bit_offset) < first ||
            uint64_t(f.bit_offset) + f.bit_size > end)
          add(where + ": bits " + std::to_string(f.bit_offset) + "+" + std::to_string(f.bit_size) +
              " lie outside its storage unit at byte " + std::to_string(f.offset));
      }
      if (f.offset + f.size > s.size || f.offset > s.size)
        add(where + " (offset " + std::to_string(f.offset) + ", size " + std::to_string(f.size) +
            ") lies outside the struct (size " + std::to_string(s.size) + ")");
    }
  }
  for (const Need& n : kNeeds) {
    if (partial || l.version_hex < n.from || l.version_hex >= n.until) continue;
    if (!l.find_struct(n.strukt)) {
      add("Python " + l.series() + " needs struct " + n.strukt + ", which is missing");
    } else if (n.field && !l.find_field(n.strukt, n.field)) {
      add("Python " + l.series() + " needs " + n.strukt + "." + n.field + ", which is missing");
    }
  }
  if (l.version_hex >= V(3, 11) && !l.enum_value("_frameowner", "FRAME_OWNED_BY_GENERATOR"))
    add("Python " + l.series() + " needs enum _frameowner, which is missing");
  auto bits = l.constant("long_digit_bits");
  if ((bits || !partial) && (!bits || (*bits != 15 && *bits != 30)))
    add("constant long_digit_bits is missing or not 15/30");
  if (l.python_version != version_string(l.version_hex))
    add("python.version " + l.python_version + " does not match python.hex (" +
        version_string(l.version_hex) + ")");
  return problems;
}

std::vector<std::string> check_warnings(const Layout& l) {
  std::vector<std::string> w;
  if (!l.partial_from.empty()) {
    Coverage coverage(l);
    for (Feature f : coverage.uncovered())
      w.push_back("partial (from " + l.partial_from + "): does not cover " +
                  Coverage::describe(f));
    return w;
  }
  if (l.opcodes.names.empty())
    w.push_back("no opcode table: bytecode views (pyopstack, stack depth) will not work; "
                "regenerate with the interpreter available (--python)");
  return w;
}

}  // namespace cpydbg::tool
