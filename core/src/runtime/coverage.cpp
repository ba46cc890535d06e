// The needs of each feature, in the names of the layout tables (3.13+: only
// partial tables, all 3.13 or later, are asked). Each list is what the code
// behind the feature reads; a name here that a table lacks is what the
// refusal line names.
#include "runtime/coverage.h"

#include <string_view>

namespace cpydbg {
namespace {

// "Struct.member", "Struct" (the struct's size), "opcodes" (the opcode
// tables), "constant:NAME", "enum:NAME".
struct Needs {
  Feature feature;
  const char* what;
  std::vector<const char*> names;
};

const std::vector<Needs>& needs() {
  static const std::vector<Needs> all = {
      {Feature::Stack, "the Python stack",
       {"_PyRuntimeState.interpreters.head", "PyInterpreterState.next",
        "PyInterpreterState.threads.head", "PyThreadState.next", "PyThreadState.interp",
        "PyThreadState.current_frame", "PyThreadState.thread_id", "_PyInterpreterFrame.previous",
        "_PyInterpreterFrame.f_executable", "_PyInterpreterFrame.instr_ptr",
        "_PyInterpreterFrame.owner", "enum:_frameowner", "PyCodeObject.co_filename",
        "PyCodeObject.co_name", "PyCodeObject.co_qualname", "PyCodeObject.co_firstlineno",
        "PyCodeObject.co_linetable", "PyCodeObject.co_code_adaptive", "PyObject.ob_type",
        "PyVarObject.ob_size", "PyTypeObject.tp_name", "PyBytesObject.ob_sval",
        "PyASCIIObject.length", "PyASCIIObject.state.kind", "PyASCIIObject.state.compact",
        "PyASCIIObject.state.ascii"}},
      {Feature::Locals, "locals",
       {"_PyInterpreterFrame.localsplus", "PyCodeObject.co_localsplusnames",
        "PyCodeObject.co_localspluskinds", "PyTupleObject.ob_item", "PyCellObject.ob_ref"}},
      {Feature::ValueStack, "pyopstack",
       {"opcodes", "PyCodeObject.co_exceptiontable", "PyCodeObject.co_flags",
        "PyCodeObject.co_stacksize", "PyCodeObject.co_consts", "PyCodeObject.co_names"}},
      {Feature::Globals, "names beyond the frame's locals",
       {"_PyInterpreterFrame.f_globals", "_PyInterpreterFrame.f_builtins", "PyDictObject.ma_used",
        "PyDictKeysObject.dk_nentries", "PyDictKeysObject.dk_kind"}},
      {Feature::ThreadNames, "thread names",
       {"PyInterpreterState.imports.modules", "PyModuleObject.md_dict",
        "PyDictKeysObject.dk_nentries"}},
      {Feature::Int, "int objects",
       {"PyLongObject.long_value.lv_tag", "PyLongObject.long_value.ob_digit",
        "constant:long_digit_bits"}},
      {Feature::Float, "float objects", {"PyFloatObject.ob_fval"}},
      {Feature::Complex, "complex objects", {"PyComplexObject.cval"}},
      {Feature::Str, "str objects",
       {"PyASCIIObject.length", "PyASCIIObject.state.kind", "PyASCIIObject.state.compact",
        "PyASCIIObject.state.ascii", "PyCompactUnicodeObject", "PyUnicodeObject.data.any"}},
      {Feature::Bytes, "bytes objects", {"PyBytesObject.ob_sval"}},
      {Feature::ByteArray, "bytearray objects",
       {"PyByteArrayObject.ob_bytes", "PyByteArrayObject.ob_start"}},
      {Feature::Tuple, "tuple objects", {"PyTupleObject.ob_item"}},
      {Feature::List, "list objects", {"PyListObject.ob_item"}},
      {Feature::Dict, "dict objects",
       {"PyDictObject.ma_used", "PyDictObject.ma_keys", "PyDictObject.ma_values",
        "PyDictKeysObject.dk_log2_size", "PyDictKeysObject.dk_log2_index_bytes",
        "PyDictKeysObject.dk_kind", "PyDictKeysObject.dk_nentries", "PyDictKeysObject.dk_indices",
        "PyDictKeyEntry", "PyDictUnicodeEntry", "PyDictValues.values"}},
      {Feature::Set, "set objects",
       {"PySetObject.used", "PySetObject.mask", "PySetObject.table", "setentry.key"}},
      {Feature::Range, "range objects",
       {"rangeobject.start", "rangeobject.stop", "rangeobject.step"}},
      {Feature::Slice, "slice objects",
       {"PySliceObject.start", "PySliceObject.stop", "PySliceObject.step"}},
      {Feature::MemoryView, "memoryview objects", {"PyMemoryViewObject"}},
      {Feature::Weakref, "weak references", {"PyWeakReference.wr_object"}},
      {Feature::Function, "function objects",
       {"PyFunctionObject.func_qualname", "PyFunctionObject.func_name"}},
      {Feature::Method, "bound methods", {"PyMethodObject.im_func", "PyMethodObject.im_self"}},
      {Feature::CFunction, "built-in functions",
       {"PyCFunctionObject.m_ml", "PyCFunctionObject.m_self", "PyMethodDef.ml_name"}},
      {Feature::MethodWrapper, "method-wrappers", {"PyMethodDescrObject"}},
      {Feature::Code, "code objects",
       {"PyCodeObject.co_name", "PyCodeObject.co_filename", "PyCodeObject.co_firstlineno"}},
      {Feature::Frame, "frame objects", {"PyFrameObject.f_frame"}},
      {Feature::Generator, "generators and coroutines",
       {"PyGenObject.gi_iframe", "PyGenObject.gi_frame_state", "PyGenObject.gi_qualname",
        "enum:_framestate"}},
      {Feature::Module, "module objects", {"PyModuleObject.md_dict", "PyDictKeysObject.dk_nentries"}},
      {Feature::Type, "type objects",
       {"PyTypeObject.tp_base", "PyTypeObject.tp_dict", "PyHeapTypeObject.ht_qualname",
        "PyDictKeysObject.dk_nentries"}},
      {Feature::Exception, "exceptions",
       {"PyBaseExceptionObject.args", "PyTypeObject.tp_base", "PyTypeObject.tp_dict",
        "PyHeapTypeObject.ht_qualname"}},
      {Feature::Instance, "instances of this type",
       {"PyTypeObject.tp_base", "PyTypeObject.tp_dict", "PyTypeObject.tp_dictoffset",
        "PyHeapTypeObject.ht_qualname", "PyDictKeysObject.dk_nentries"}},
      {Feature::Cell, "cell objects", {"PyCellObject.ob_ref"}},
  };
  return all;
}

bool present(const Layout& l, std::string_view name) {
  if (name == "opcodes") return !l.opcodes.names.empty();
  if (name.rfind("constant:", 0) == 0) return l.constant(name.substr(9)).has_value();
  if (name.rfind("enum:", 0) == 0) return l.enums.count(std::string(name.substr(5))) != 0;
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return l.find_struct(name) != nullptr;
  return l.find_field(name.substr(0, dot), name.substr(dot + 1)) != nullptr;
}

const Needs& needs_of(Feature f) {
  for (const Needs& n : needs())
    if (n.feature == f) return n;
  return needs().front();  // every feature has an entry
}

std::string shown(std::string_view name) {
  if (name == "opcodes") return "the opcode tables";
  if (name.rfind("constant:", 0) == 0 || name.rfind("enum:", 0) == 0)
    return std::string(name.substr(name.find(':') + 1));
  return std::string(name);
}

}  // namespace

Coverage::Coverage(const Layout& l) : python_version_(l.python_version), source_(l.partial_from) {
  if (l.partial_from.empty()) return;
  for (const Needs& n : needs())
    for (const char* name : n.names)
      if (!present(l, name)) missing_[size_t(n.feature)].push_back(shown(name));
}

const char* Coverage::describe(Feature f) { return needs_of(f).what; }

std::string Coverage::refusal(Feature f) const {
  const auto& gone = missing(f);
  std::string names;
  for (size_t i = 0; i < gone.size() && i < 3; ++i) names += (i ? ", " : "") + gone[i];
  if (gone.size() > 3) names += " and " + std::to_string(gone.size() - 3) + " more";
  return source_ + " does not cover " + describe(f) + " (missing: " + names +
         "); a table made by `cpydbg-layout generate` from a build of Python " + python_version_ +
         " with debug info covers them";
}

std::vector<Feature> Coverage::uncovered() const {
  std::vector<Feature> out;
  for (size_t i = 0; i < size_t(Feature::kCount); ++i)
    if (!missing_[i].empty()) out.push_back(Feature(i));
  return out;
}

}  // namespace cpydbg
