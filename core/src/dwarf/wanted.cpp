// The structs and enums a table records. Keys are what the runtime asks
// for; names are how the various CPython versions spell them in DWARF.
#include "cpydbg/dwarf.h"

namespace cpydbg {

const std::vector<WantedType>& default_wanted_structs() {
  static const std::vector<WantedType> wanted = {
      {"PyObject", {"PyObject", "struct _object"}},
      {"PyVarObject", {"PyVarObject"}},
      {"PyTypeObject", {"PyTypeObject", "struct _typeobject"}},
      {"PyHeapTypeObject", {"PyHeapTypeObject", "struct _heaptypeobject"}},
      {"PyCodeObject", {"PyCodeObject", "struct PyCodeObject"}},
      {"PyFrameObject", {"PyFrameObject", "struct _frame"}},
      {"_PyInterpreterFrame", {"_PyInterpreterFrame", "struct _PyInterpreterFrame"}},
      {"PyThreadState", {"PyThreadState", "struct _ts"}},
      {"PyInterpreterState", {"PyInterpreterState", "struct _is"}},
      {"_PyRuntimeState", {"_PyRuntimeState", "struct pyruntimestate"}},
      // 3.10 calls it CFrame.
      {"_PyCFrame", {"_PyCFrame", "CFrame", "struct _cframe"}},
      {"_Py_DebugOffsets", {"_Py_DebugOffsets", "struct _Py_DebugOffsets"}},
      {"_gil_runtime_state", {"struct _gil_runtime_state"}},
      {"_PyStackChunk", {"_PyStackChunk", "struct _PyStackChunk"}},
      {"PyLongObject", {"PyLongObject", "struct _longobject"}},
      {"PyIntObject", {"PyIntObject"}},
      {"PyFloatObject", {"PyFloatObject"}},
      {"PyComplexObject", {"PyComplexObject"}},
      {"PyASCIIObject", {"PyASCIIObject"}},
      {"PyCompactUnicodeObject", {"PyCompactUnicodeObject"}},
      {"PyUnicodeObject", {"PyUnicodeObject"}},
      {"PyStringObject", {"PyStringObject"}},
      {"PyBytesObject", {"PyBytesObject"}},
      {"PyByteArrayObject", {"PyByteArrayObject"}},
      {"PyTupleObject", {"PyTupleObject"}},
      {"PyListObject", {"PyListObject"}},
      {"PyDictObject", {"PyDictObject"}},
      {"PyDictKeysObject", {"PyDictKeysObject", "struct _dictkeysobject"}},
      {"PyDictKeyEntry", {"PyDictKeyEntry"}},
      {"PyDictUnicodeEntry", {"PyDictUnicodeEntry"}},
      {"PyDictEntry", {"PyDictEntry"}},
      {"PyDictValues", {"PyDictValues", "struct _dictvalues"}},
      {"PySetObject", {"PySetObject"}},
      {"setentry", {"setentry"}},
      {"PyFunctionObject", {"PyFunctionObject"}},
      {"PyMethodObject", {"PyMethodObject"}},
      {"PyCFunctionObject", {"PyCFunctionObject"}},
      {"PyModuleObject", {"PyModuleObject"}},
      {"PyCellObject", {"PyCellObject"}},
      // 3.14 defines them in an internal header under these tags.
      {"PyGenObject", {"PyGenObject", "struct _PyGenObject"}},
      {"PyCoroObject", {"PyCoroObject", "struct _PyCoroObject"}},
      {"PyAsyncGenObject", {"PyAsyncGenObject", "struct _PyAsyncGenObject"}},
      {"PyBaseExceptionObject", {"PyBaseExceptionObject"}},
      {"PyTracebackObject", {"PyTracebackObject", "struct _traceback"}},
      {"PySliceObject", {"PySliceObject"}},
      {"PyMemoryViewObject", {"PyMemoryViewObject"}},
      {"PyWeakReference", {"PyWeakReference", "struct _PyWeakReference"}},
      {"rangeobject", {"rangeobject"}},
      {"PyMemberDef", {"PyMemberDef", "struct PyMemberDef"}},
      {"PyInstanceObject", {"PyInstanceObject"}},
      {"PyClassObject", {"PyClassObject"}},
      {"PyMethodDef", {"PyMethodDef", "struct PyMethodDef"}},
      {"PyMethodDescrObject", {"PyMethodDescrObject"}},
      {"PyGetSetDescrObject", {"PyGetSetDescrObject"}},
      {"PyMemberDescrObject", {"PyMemberDescrObject"}},
      {"_PyErr_StackItem", {"_PyErr_StackItem", "struct _err_stackitem"}},
      {"PyGC_Head", {"PyGC_Head"}},
      // 3.12+: where sys.monitoring/settrace keep the opcodes that
      // INSTRUMENTED_LINE / INSTRUMENTED_INSTRUCTION replaced.
      {"_PyCoMonitoringData", {"_PyCoMonitoringData"}},
      {"_PyCoLineInstrumentationData", {"_PyCoLineInstrumentationData"}},
      // 3.14+ (PEP 768): a thread's pending sys.remote_exec() request.
      {"_PyRemoteDebuggerSupport", {"_PyRemoteDebuggerSupport"}},
  };
  return wanted;
}

const std::vector<WantedType>& default_wanted_enums() {
  static const std::vector<WantedType> wanted = {
      {"_frameowner", {"enum _frameowner"}},
      {"_framestate", {"enum _framestate", "PyFrameState"}},
      {"DictKeysKind", {"DictKeysKind"}},
      {"PyUnicode_Kind", {"enum PyUnicode_Kind"}},
      {"PyGILState_STATE", {"PyGILState_STATE"}},
  };
  return wanted;
}

}  // namespace cpydbg
