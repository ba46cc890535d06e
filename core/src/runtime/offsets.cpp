// Layout table -> Offsets. The only place that spells struct and field names.
#include "runtime/offsets.h"

#include <initializer_list>

namespace cpydbg {
namespace {

class Resolver {
 public:
  explicit Resolver(const Layout& l) : l_(l) {}

  // First of `names` present in `st`, else kAbsent. Names cover the spellings
  // across versions (a field moved into a nested struct, an atomic wrapper).
  uint64_t opt(const char* st, std::initializer_list<const char*> names) const {
    for (const char* n : names)
      if (const FieldInfo* f = l_.find_field(st, n)) return f->offset;
    return kAbsent;
  }
  uint64_t opt(const char* st, const char* name) const { return opt(st, {name}); }
  uint64_t req(const char* st, const char* name) const {
    return l_.partial_from.empty() ? l_.offset(st, name) : opt(st, name);
  }
  uint64_t size(const char* st) const {
    const StructInfo* s = l_.find_struct(st);
    return s ? s->size : 0;
  }
  uint64_t field_size(const char* st, const char* name, uint64_t dflt) const {
    const FieldInfo* f = l_.find_field(st, name);
    return f ? f->size : dflt;
  }
  Bitfield bits(const char* st, const char* name) const {
    const FieldInfo* f = l_.find_field(st, name);
    if (!f || !f->is_bitfield()) return {};
    return {static_cast<uint64_t>(f->bit_offset), f->bit_size};
  }
  int64_t enumerator(const char* en, const char* name, int64_t dflt) const {
    return l_.enum_value(en, name).value_or(dflt);
  }

 private:
  const Layout& l_;
};

}  // namespace

Offsets Offsets::resolve(const Layout& l) {
  Resolver r(l);
  Offsets o;
  o.object.ob_refcnt = r.opt("PyObject", {"ob_refcnt", "ob_ref_local"});
  o.object.refcnt_size = r.field_size("PyObject", "ob_refcnt", 8);
  o.object.ob_type = r.req("PyObject", "ob_type");
  o.object.size = r.size("PyObject");
  o.var.ob_size = r.req("PyVarObject", "ob_size");

  o.type.tp_name = r.req("PyTypeObject", "tp_name");
  o.type.tp_basicsize = r.req("PyTypeObject", "tp_basicsize");
  o.type.tp_itemsize = r.opt("PyTypeObject", "tp_itemsize");
  o.type.tp_flags = r.req("PyTypeObject", "tp_flags");
  o.type.tp_base = r.req("PyTypeObject", "tp_base");
  o.type.tp_dict = r.opt("PyTypeObject", "tp_dict");
  o.type.tp_dictoffset = r.opt("PyTypeObject", "tp_dictoffset");
  o.type.tp_mro = r.opt("PyTypeObject", "tp_mro");
  o.type.tp_members = r.opt("PyTypeObject", "tp_members");
  o.type.tp_repr = r.opt("PyTypeObject", "tp_repr");
  o.type.size = r.size("PyTypeObject");
  o.heaptype.ht_name = r.opt("PyHeapTypeObject", "ht_name");
  o.heaptype.ht_qualname = r.opt("PyHeapTypeObject", "ht_qualname");
  o.heaptype.ht_cached_keys = r.opt("PyHeapTypeObject", "ht_cached_keys");
  o.heaptype.ht_module = r.opt("PyHeapTypeObject", "ht_module");
  o.heaptype.size = r.size("PyHeapTypeObject");
  o.memberdef.name = r.opt("PyMemberDef", "name");
  o.memberdef.type = r.opt("PyMemberDef", "type");
  o.memberdef.offset = r.opt("PyMemberDef", "offset");
  o.memberdef.flags = r.opt("PyMemberDef", "flags");
  o.memberdef.size = r.size("PyMemberDef");

  o.runtime.interpreters_head = r.opt("_PyRuntimeState", "interpreters.head");
  o.runtime.gil_tstate_current =
      r.opt("_PyRuntimeState", {"gilstate.tstate_current._value", "gilstate.tstate_current"});
  // 3.9-3.12 wrap the pointer in an atomic (_value); 3.7-3.8 call it finalizing.
  o.runtime.finalizing = r.opt("_PyRuntimeState", {"_finalizing._value", "_finalizing", "finalizing"});
  o.runtime.gc_collecting = r.opt("_PyRuntimeState", "gc.collecting");
  o.interp.gc_collecting = r.opt("PyInterpreterState", "gc.collecting");
  o.descr.d_name = r.opt("PyMethodDescrObject", {"d_common.d_name", "d_name"});
  o.interp.next = r.req("PyInterpreterState", "next");
  o.interp.tstate_head = r.opt("PyInterpreterState", {"threads.head", "tstate_head"});
  o.interp.ceval_gil = r.opt("PyInterpreterState", "ceval.gil");
  o.runtime.ceval_gil = r.opt("_PyRuntimeState", "ceval.gil");
  o.interp.id = r.opt("PyInterpreterState", "id");
  o.interp.modules = r.opt("PyInterpreterState", {"imports.modules", "modules"});
  o.gil.last_holder = r.opt("_gil_runtime_state", {"last_holder._value", "last_holder"});
  o.gil.locked = r.opt("_gil_runtime_state", {"locked._value", "locked"});
  o.gil.size = r.size("_gil_runtime_state");
  o.tstate.next = r.req("PyThreadState", "next");
  o.tstate.interp = r.req("PyThreadState", "interp");
  o.tstate.frame = r.opt("PyThreadState", "frame");
  o.tstate.cframe = r.opt("PyThreadState", "cframe");
  o.tstate.current_frame = r.opt("PyThreadState", "current_frame");
  o.tstate.thread_id = r.req("PyThreadState", "thread_id");
  o.tstate.thread_id_size = r.field_size("PyThreadState", "thread_id", 8);
  o.tstate.native_thread_id = r.opt("PyThreadState", "native_thread_id");
  o.cframe.current_frame = r.opt("_PyCFrame", "current_frame");
  o.remote_debug.enabled = r.opt("PyInterpreterState", "config.remote_debug");
  o.remote_debug.support = r.opt("PyThreadState", "remote_debugger_support");
  o.remote_debug.pending_call = r.opt("_PyRemoteDebuggerSupport", "debugger_pending_call");
  o.remote_debug.script_path = r.opt("_PyRemoteDebuggerSupport", "debugger_script_path");
  o.remote_debug.script_path_size = r.field_size("_PyRemoteDebuggerSupport", "debugger_script_path", 0);

  o.frame.f_back = r.opt("PyFrameObject", "f_back");
  o.frame.f_code = r.opt("PyFrameObject", "f_code");
  o.frame.f_globals = r.opt("PyFrameObject", "f_globals");
  o.frame.f_builtins = r.opt("PyFrameObject", "f_builtins");
  o.frame.f_locals = r.opt("PyFrameObject", "f_locals");
  o.frame.f_valuestack = r.opt("PyFrameObject", "f_valuestack");
  o.frame.f_stacktop = r.opt("PyFrameObject", "f_stacktop");
  o.frame.f_stackdepth = r.opt("PyFrameObject", "f_stackdepth");
  o.frame.f_lasti = r.opt("PyFrameObject", "f_lasti");
  o.frame.f_lasti_size = r.field_size("PyFrameObject", "f_lasti", 4);
  o.frame.f_lineno = r.opt("PyFrameObject", "f_lineno");
  o.frame.f_state = r.opt("PyFrameObject", "f_state");
  o.frame.f_gen = r.opt("PyFrameObject", "f_gen");
  o.frame.f_localsplus = r.opt("PyFrameObject", "f_localsplus");
  o.frame.f_frame = r.opt("PyFrameObject", "f_frame");
  o.frame.f_trace = r.opt("PyFrameObject", "f_trace");

  o.iframe.f_code = r.opt("_PyInterpreterFrame", "f_code");
  o.iframe.f_executable = r.opt("_PyInterpreterFrame", "f_executable");
  o.iframe.previous = r.opt("_PyInterpreterFrame", "previous");
  o.iframe.f_func = r.opt("_PyInterpreterFrame", {"f_funcobj", "f_func"});
  o.iframe.f_globals = r.opt("_PyInterpreterFrame", "f_globals");
  o.iframe.f_builtins = r.opt("_PyInterpreterFrame", "f_builtins");
  o.iframe.f_locals = r.opt("_PyInterpreterFrame", "f_locals");
  o.iframe.frame_obj = r.opt("_PyInterpreterFrame", "frame_obj");
  o.iframe.prev_instr = r.opt("_PyInterpreterFrame", "prev_instr");
  o.iframe.instr_ptr = r.opt("_PyInterpreterFrame", "instr_ptr");
  o.iframe.stacktop = r.opt("_PyInterpreterFrame", "stacktop");
  o.iframe.is_entry = r.opt("_PyInterpreterFrame", "is_entry");
  o.iframe.owner = r.opt("_PyInterpreterFrame", "owner");
  o.iframe.localsplus = r.opt("_PyInterpreterFrame", "localsplus");
  o.iframe.stackpointer = r.opt("_PyInterpreterFrame", "stackpointer");
  o.iframe.size = r.size("_PyInterpreterFrame");
  o.owner_generator = r.enumerator("_frameowner", "FRAME_OWNED_BY_GENERATOR", -1);
  o.owner_cstack = r.enumerator("_frameowner", "FRAME_OWNED_BY_CSTACK", -1);
  o.owner_interpreter = r.enumerator("_frameowner", "FRAME_OWNED_BY_INTERPRETER", -1);
  o.tagged_stackrefs = l.version_hex >= 0x030e0000;
  o.frame_state_suspended = r.enumerator("_framestate", "FRAME_SUSPENDED", -1);
  o.frame_state_created = r.enumerator("_framestate", "FRAME_CREATED", -2);
  o.frame_state_executing = r.enumerator("_framestate", "FRAME_EXECUTING", 0);

  const char* co = "PyCodeObject";
  o.code.co_argcount = r.opt(co, "co_argcount");
  o.code.co_kwonlyargcount = r.opt(co, "co_kwonlyargcount");
  o.code.co_nlocals = r.opt(co, "co_nlocals");
  o.code.co_stacksize = r.opt(co, "co_stacksize");
  o.code.co_flags = r.opt(co, "co_flags");
  o.code.co_firstlineno = r.req(co, "co_firstlineno");
  o.code.co_code = r.opt(co, "co_code");
  o.code.co_consts = r.opt(co, "co_consts");
  o.code.co_names = r.opt(co, "co_names");
  o.code.co_varnames = r.opt(co, "co_varnames");
  o.code.co_freevars = r.opt(co, "co_freevars");
  o.code.co_cellvars = r.opt(co, "co_cellvars");
  o.code.co_filename = r.req(co, "co_filename");
  o.code.co_name = r.req(co, "co_name");
  o.code.co_qualname = r.opt(co, "co_qualname");
  o.code.co_lnotab = r.opt(co, "co_lnotab");
  o.code.co_linetable = r.opt(co, "co_linetable");
  o.code.co_exceptiontable = r.opt(co, "co_exceptiontable");
  o.code.co_nlocalsplus = r.opt(co, "co_nlocalsplus");
  o.code.co_localsplusnames = r.opt(co, "co_localsplusnames");
  o.code.co_localspluskinds = r.opt(co, "co_localspluskinds");
  o.code.co_code_adaptive = r.opt(co, "co_code_adaptive");
  o.code.co_firsttraceable = r.opt(co, "_co_firsttraceable");
  o.code.co_monitoring = r.opt(co, "_co_monitoring");
  o.code.size = r.size(co);
  o.monitoring.lines = r.opt("_PyCoMonitoringData", "lines");
  o.monitoring.per_instruction_opcodes = r.opt("_PyCoMonitoringData", "per_instruction_opcodes");
  o.monitoring.line_size = r.size("_PyCoLineInstrumentationData");
  o.monitoring.line_original_opcode = r.opt("_PyCoLineInstrumentationData", "original_opcode");
  o.monitoring.line_bytes_per_entry = r.opt("_PyCoLineInstrumentationData", "bytes_per_entry");
  o.monitoring.line_data = r.opt("_PyCoLineInstrumentationData", "data");

  o.pyint.ob_ival = r.opt("PyIntObject", "ob_ival");
  o.pylong.ob_digit = r.opt("PyLongObject", {"long_value.ob_digit", "ob_digit"});
  o.pylong.lv_tag = r.opt("PyLongObject", "long_value.lv_tag");
  o.digit_bits = static_cast<int>(l.constant("long_digit_bits").value_or(30));
  o.pyfloat.ob_fval = r.opt("PyFloatObject", "ob_fval");
  o.pycomplex.cval = r.opt("PyComplexObject", "cval");
  o.pybytes.ob_sval = r.opt("PyBytesObject", "ob_sval");
  if (o.pybytes.ob_sval == kAbsent) o.pybytes.ob_sval = r.opt("PyStringObject", "ob_sval");
  o.bytearray.ob_bytes = r.opt("PyByteArrayObject", "ob_bytes");
  o.bytearray.ob_start = r.opt("PyByteArrayObject", "ob_start");
  o.unicode.length = r.opt("PyASCIIObject", "length");
  o.unicode.state = r.opt("PyASCIIObject", "state");
  o.unicode.kind = r.bits("PyASCIIObject", "state.kind");
  o.unicode.compact = r.bits("PyASCIIObject", "state.compact");
  o.unicode.ascii = r.bits("PyASCIIObject", "state.ascii");
  o.unicode.ascii_size = r.size("PyASCIIObject");
  o.unicode.compact_size = r.size("PyCompactUnicodeObject");
  o.unicode.data_any = r.opt("PyUnicodeObject", "data.any");
  if (o.unicode.length == kAbsent) {  // 2.7's unicode object
    o.unicode.length = r.opt("PyUnicodeObject", "length");
    o.unicode.str27 = r.opt("PyUnicodeObject", "str");
  }
  o.tuple.ob_item = r.req("PyTupleObject", "ob_item");
  o.list.ob_item = r.req("PyListObject", "ob_item");
  o.dict.ma_used = r.req("PyDictObject", "ma_used");
  o.dict.ma_keys = r.opt("PyDictObject", "ma_keys");
  o.dict.ma_values = r.opt("PyDictObject", "ma_values");
  o.dict.ma_fill = r.opt("PyDictObject", "ma_fill");
  o.dict.ma_mask = r.opt("PyDictObject", "ma_mask");
  o.dict.ma_table = r.opt("PyDictObject", "ma_table");
  o.dictkeys.dk_size = r.opt("PyDictKeysObject", "dk_size");
  o.dictkeys.dk_log2_size = r.opt("PyDictKeysObject", "dk_log2_size");
  o.dictkeys.dk_log2_index_bytes = r.opt("PyDictKeysObject", "dk_log2_index_bytes");
  o.dictkeys.dk_kind = r.opt("PyDictKeysObject", "dk_kind");
  o.dictkeys.dk_nentries = r.opt("PyDictKeysObject", "dk_nentries");
  o.dictkeys.dk_indices = r.opt("PyDictKeysObject", "dk_indices");
  if (uint64_t s = r.size("PyDictKeyEntry")) o.dictkeys.entry_size = s;
  else if (uint64_t s27 = r.size("PyDictEntry")) o.dictkeys.entry_size = s27;
  if (uint64_t s = r.size("PyDictUnicodeEntry")) o.dictkeys.unicode_entry_size = s;
  o.dictvalues.capacity = r.opt("PyDictValues", "capacity");
  o.dictvalues.size = r.opt("PyDictValues", "size");
  o.dictvalues.embedded = r.opt("PyDictValues", "embedded");
  o.dictvalues.valid = r.opt("PyDictValues", "valid");
  o.dictvalues.values = r.opt("PyDictValues", "values");
  o.set.fill = r.opt("PySetObject", "fill");
  o.set.used = r.opt("PySetObject", "used");
  o.set.mask = r.opt("PySetObject", "mask");
  o.set.table = r.opt("PySetObject", "table");
  if (uint64_t s = r.size("setentry")) o.set.entry_size = s;
  if (uint64_t k = r.opt("setentry", "key"); k != kAbsent) o.set.entry_key = k;
  if (uint64_t h = r.opt("setentry", "hash"); h != kAbsent) o.set.entry_hash = h;
  o.func.func_code = r.opt("PyFunctionObject", "func_code");
  o.func.func_globals = r.opt("PyFunctionObject", "func_globals");
  o.func.func_name = r.opt("PyFunctionObject", "func_name");
  o.func.func_qualname = r.opt("PyFunctionObject", "func_qualname");
  o.func.func_module = r.opt("PyFunctionObject", "func_module");
  o.method.im_func = r.opt("PyMethodObject", "im_func");
  o.method.im_self = r.opt("PyMethodObject", "im_self");
  o.method.im_class = r.opt("PyMethodObject", "im_class");
  o.cfunc.m_ml = r.opt("PyCFunctionObject", "m_ml");
  o.cfunc.m_self = r.opt("PyCFunctionObject", "m_self");
  o.cfunc.m_module = r.opt("PyCFunctionObject", "m_module");
  o.methoddef.ml_name = r.opt("PyMethodDef", "ml_name");
  o.module.md_dict = r.opt("PyModuleObject", "md_dict");
  o.cell.ob_ref = r.opt("PyCellObject", "ob_ref");
  o.gen.gi_frame = r.opt("PyGenObject", "gi_frame");
  o.gen.gi_code = r.opt("PyGenObject", "gi_code");
  o.gen.gi_name = r.opt("PyGenObject", "gi_name");
  o.gen.gi_qualname = r.opt("PyGenObject", "gi_qualname");
  o.gen.gi_iframe = r.opt("PyGenObject", "gi_iframe");
  o.gen.gi_frame_state = r.opt("PyGenObject", "gi_frame_state");
  o.exc.args = r.opt("PyBaseExceptionObject", "args");
  o.exc.traceback = r.opt("PyBaseExceptionObject", "traceback");
  o.traceback.tb_next = r.opt("PyTracebackObject", "tb_next");
  o.traceback.tb_frame = r.opt("PyTracebackObject", "tb_frame");
  o.traceback.tb_lasti = r.opt("PyTracebackObject", "tb_lasti");
  o.slice.start = r.opt("PySliceObject", "start");
  o.slice.stop = r.opt("PySliceObject", "stop");
  o.slice.step = r.opt("PySliceObject", "step");
  o.range.start = r.opt("rangeobject", "start");
  o.range.stop = r.opt("rangeobject", "stop");
  o.range.step = r.opt("rangeobject", "step");
  o.range.length = r.opt("rangeobject", "length");
  o.range.len27 = r.opt("rangeobject", "len");
  o.weakref.wr_object = r.opt("PyWeakReference", "wr_object");
  o.instance27.in_class = r.opt("PyInstanceObject", "in_class");
  o.instance27.in_dict = r.opt("PyInstanceObject", "in_dict");
  o.instance27.cl_name = r.opt("PyClassObject", "cl_name");
  o.instance27.cl_dict = r.opt("PyClassObject", "cl_dict");
  return o;
}

}  // namespace cpydbg
