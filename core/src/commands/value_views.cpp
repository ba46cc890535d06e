// The debugger's own views of CPython values: what gdb's pretty-printers
// and LLDB's type summaries show for a pointer of a CPython type, one line
// in libpython's style (libpython.py is what people know from gdb).
#include "commands/context.h"

namespace cpydbg {

using Pointee = Session::Pointee;

const std::vector<std::pair<std::string, Pointee>>& Session::summarized_types() {
  static const std::vector<std::pair<std::string, Pointee>> types = [] {
    std::vector<std::pair<std::string, Pointee>> v;
    // Every object struct of 2.7 and 3.x (typedef names, then the struct
    // tags that differ from them), and libpython's own list.
    for (const char* name :
         {"PyObject", "PyVarObject", "PyLongObject", "PyIntObject", "PyFloatObject",
          "PyComplexObject", "PyUnicodeObject", "PyASCIIObject", "PyCompactUnicodeObject",
          "PyStringObject", "PyBytesObject", "PyByteArrayObject", "PyTupleObject", "PyListObject",
          "PyDictObject", "PySetObject", "PyFrameObject", "PyCodeObject", "PyFunctionObject",
          "PyMethodObject", "PyCFunctionObject", "PyCMethodObject", "PyModuleObject",
          "PyCellObject", "PyGenObject", "PyCoroObject", "PyAsyncGenObject",
          "PyBaseExceptionObject", "PyTypeObject", "PyHeapTypeObject", "PySliceObject",
          "PyWeakReference", "PyMemoryViewObject", "PyTracebackObject", "PyInstanceObject",
          "PyClassObject", "wrapperobject", "_object", "_longobject", "_typeobject",
          "_heaptypeobject", "_frame", "_traceback", "_PyWeakReference"})
      v.emplace_back(name, Pointee::Object);
    v.emplace_back("_PyInterpreterFrame", Pointee::InterpreterFrame);
    return v;
  }();
  return types;
}

// libpython's one line for the pointer; throws when the runtime is unreadable.
std::string value_summary(Context& ctx, uint64_t addr, Pointee pointee) {
  ctx.python();
  const FormatOptions options = FormatOptions::libpython();
  if (pointee == Pointee::Object) return ctx.fmt().repr(addr, options);
  if (!addr) return "0x0";
  auto frame = ctx.walker->read_frame(addr);
  // libpython's words for a frame it cannot read.
  if (!frame) return "(unable to read python frame information)";
  return ctx.fmt().frame_summary(*frame, options);
}

}  // namespace cpydbg
