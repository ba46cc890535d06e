// Offsets the walker and formatters use, resolved once from the layout table
// into plain integers (Bloomberg pystack's idea, but from DWARF tables instead
// of hand-copied headers). A field this version does not have is kAbsent.
#pragma once

#include <cstdint>

#include "cpydbg/layout.h"

namespace cpydbg {

inline constexpr uint64_t kAbsent = ~uint64_t(0);

struct Bitfield {
  uint64_t bit_offset = kAbsent;
  uint32_t bit_size = 0;
  bool present() const { return bit_offset != kAbsent; }
};

struct Offsets {
  struct {
    uint64_t ob_refcnt = kAbsent, ob_type = kAbsent, size = 0;
    uint64_t refcnt_size = 8;
  } object;
  struct {
    uint64_t ob_size = kAbsent;
  } var;
  struct {
    uint64_t tp_name = kAbsent, tp_basicsize = kAbsent, tp_itemsize = kAbsent, tp_flags = kAbsent,
             tp_base = kAbsent, tp_dict = kAbsent, tp_dictoffset = kAbsent, tp_mro = kAbsent,
             tp_members = kAbsent, tp_repr = kAbsent;
    uint64_t size = 0;
  } type;
  struct {
    uint64_t ht_name = kAbsent, ht_qualname = kAbsent, ht_cached_keys = kAbsent, ht_module = kAbsent;
    uint64_t size = 0;
  } heaptype;
  struct {
    uint64_t name = kAbsent, type = kAbsent, offset = kAbsent, flags = kAbsent;
    uint64_t size = 0;
  } memberdef;

  // --- runtime, interpreters, threads ---
  struct {
    uint64_t interpreters_head = kAbsent, gil_tstate_current = kAbsent;
    uint64_t ceval_gil = kAbsent;  // 3.7 - 3.11: the GIL itself, in the runtime
    // The thread finalizing the runtime (3.7+); 3.7-3.8 keep the GC's state here.
    uint64_t finalizing = kAbsent, gc_collecting = kAbsent;
  } runtime;
  struct {
    uint64_t next = kAbsent, tstate_head = kAbsent, ceval_gil = kAbsent, gil_inline = kAbsent,
             id = kAbsent, modules = kAbsent;
    uint64_t gc_collecting = kAbsent;  // 3.9+
  } interp;
  struct {
    uint64_t last_holder = kAbsent, locked = kAbsent;
    uint64_t size = 0;  // its mutexes and condition variables lie within
  } gil;
  struct {
    uint64_t next = kAbsent, interp = kAbsent, frame = kAbsent, cframe = kAbsent,
             current_frame = kAbsent, thread_id = kAbsent, native_thread_id = kAbsent;
    uint64_t thread_id_size = 8;
  } tstate;
  struct {
    uint64_t current_frame = kAbsent;
  } cframe;
  // 3.14+ (PEP 768): whether sys.remote_exec() may run code in the
  // interpreter, and each thread's pending request.
  struct {
    uint64_t enabled = kAbsent;  // PyInterpreterState.config.remote_debug (int)
    uint64_t support = kAbsent;  // PyThreadState.remote_debugger_support
    uint64_t pending_call = kAbsent, script_path = kAbsent;  // inside that struct
    uint64_t script_path_size = 0;
  } remote_debug;

  // --- frames ---
  struct {  // PyFrameObject (≤3.10 the frame itself, 3.11+ a wrapper)
    uint64_t f_back = kAbsent, f_code = kAbsent, f_globals = kAbsent, f_builtins = kAbsent,
             f_locals = kAbsent, f_valuestack = kAbsent, f_stacktop = kAbsent,
             f_stackdepth = kAbsent, f_lasti = kAbsent, f_lineno = kAbsent, f_state = kAbsent,
             f_gen = kAbsent, f_localsplus = kAbsent, f_frame = kAbsent, f_trace = kAbsent;
    uint64_t f_lasti_size = 4;
  } frame;
  struct {  // _PyInterpreterFrame (3.11+)
    uint64_t f_code = kAbsent, f_executable = kAbsent, previous = kAbsent, f_func = kAbsent,
             f_globals = kAbsent, f_builtins = kAbsent, f_locals = kAbsent, frame_obj = kAbsent,
             prev_instr = kAbsent, instr_ptr = kAbsent, stacktop = kAbsent, is_entry = kAbsent,
             owner = kAbsent, localsplus = kAbsent,
             stackpointer = kAbsent;  // 3.14+: _PyStackRef *, replaces stacktop
    uint64_t size = 0;
  } iframe;
  // _frameowner values; the interpreter's own frames (3.12+ CSTACK, 3.14+
  // also INTERPRETER) are not Python frames.
  int64_t owner_generator = -1, owner_cstack = -1, owner_interpreter = -1;
  // 3.14+: frame slots (f_executable, localsplus, the value stack) hold
  // tagged _PyStackRef values (runtime/stackref.h), not PyObject *.
  bool tagged_stackrefs = false;
  // _framestate (3.10 f_state, 3.11+ gi_frame_state): below EXECUTING the frame
  // is created or suspended, above it finished.
  int64_t frame_state_suspended = -1, frame_state_created = -2, frame_state_executing = 0;

  // --- code ---
  struct {
    uint64_t co_argcount = kAbsent, co_kwonlyargcount = kAbsent, co_nlocals = kAbsent, co_stacksize = kAbsent,
             co_flags = kAbsent, co_firstlineno = kAbsent, co_code = kAbsent, co_consts = kAbsent,
             co_names = kAbsent, co_varnames = kAbsent, co_freevars = kAbsent,
             co_cellvars = kAbsent, co_filename = kAbsent, co_name = kAbsent,
             co_qualname = kAbsent, co_lnotab = kAbsent, co_linetable = kAbsent,
             co_exceptiontable = kAbsent, co_nlocalsplus = kAbsent, co_localsplusnames = kAbsent,
             co_localspluskinds = kAbsent, co_code_adaptive = kAbsent,
             co_firsttraceable = kAbsent, co_monitoring = kAbsent;
    uint64_t size = 0;
  } code;
  // 3.12+ _co_monitoring: the opcodes INSTRUMENTED_LINE / _INSTRUCTION stand
  // in for, one entry per code unit.
  // 3.14 keeps the line data in one struct {bytes_per_entry, data[]} whose
  // entries start with the original opcode.
  struct {
    uint64_t lines = kAbsent, per_instruction_opcodes = kAbsent;
    uint64_t line_size = 0, line_original_opcode = kAbsent;
    uint64_t line_bytes_per_entry = kAbsent, line_data = kAbsent;  // 3.14+
  } monitoring;

  // --- objects ---
  struct { uint64_t ob_ival = kAbsent; } pyint;     // 2.7
  struct { uint64_t ob_digit = kAbsent, lv_tag = kAbsent; } pylong;
  int digit_bits = 30;
  struct { uint64_t ob_fval = kAbsent; } pyfloat;
  struct { uint64_t cval = kAbsent; } pycomplex;
  struct { uint64_t ob_sval = kAbsent; } pybytes;    // also 2.7 str
  struct { uint64_t ob_bytes = kAbsent, ob_start = kAbsent; } bytearray;
  struct {
    uint64_t length = kAbsent, state = kAbsent, ascii_size = 0, compact_size = 0,
             data_any = kAbsent, str27 = kAbsent;  // 2.7 PyUnicodeObject.str
    Bitfield kind, compact, ascii;
    uint64_t unicode27_size = 4;  // Py_UNICODE width in 2.7 (UCS4 here)
  } unicode;
  struct { uint64_t ob_item = kAbsent; } tuple;
  struct { uint64_t ob_item = kAbsent; } list;
  struct {
    uint64_t ma_used = kAbsent, ma_keys = kAbsent, ma_values = kAbsent,
             ma_fill = kAbsent, ma_mask = kAbsent, ma_table = kAbsent;  // 2.7
  } dict;
  struct {
    uint64_t dk_size = kAbsent, dk_log2_size = kAbsent, dk_log2_index_bytes = kAbsent,
             dk_kind = kAbsent, dk_nentries = kAbsent, dk_indices = kAbsent;
    uint64_t entry_size = 24, unicode_entry_size = 16;
  } dictkeys;
  struct {
    uint64_t capacity = kAbsent, size = kAbsent, embedded = kAbsent, valid = kAbsent,
             values = kAbsent;
  } dictvalues;  // 3.13
  struct {
    uint64_t fill = kAbsent, used = kAbsent, mask = kAbsent, table = kAbsent;
    uint64_t entry_size = 16, entry_key = 0, entry_hash = 8;  // 2.7 swaps key and hash
  } set;
  struct {
    uint64_t func_code = kAbsent, func_globals = kAbsent, func_name = kAbsent,
             func_qualname = kAbsent, func_module = kAbsent;
  } func;
  struct { uint64_t im_func = kAbsent, im_self = kAbsent, im_class = kAbsent; } method;  // im_class: 2.7
  struct { uint64_t m_ml = kAbsent, m_self = kAbsent, m_module = kAbsent; } cfunc;
  struct { uint64_t ml_name = kAbsent; } methoddef;
  // PyDescr_COMMON, the head of every descriptor (PyMethodDescrObject's in the table).
  struct { uint64_t d_name = kAbsent; } descr;
  struct { uint64_t md_dict = kAbsent; } module;
  struct { uint64_t ob_ref = kAbsent; } cell;
  struct {
    uint64_t gi_frame = kAbsent, gi_code = kAbsent, gi_name = kAbsent, gi_qualname = kAbsent,
             gi_iframe = kAbsent, gi_frame_state = kAbsent;
  } gen;
  struct { uint64_t args = kAbsent, traceback = kAbsent; } exc;
  struct {
    uint64_t tb_next = kAbsent, tb_frame = kAbsent, tb_lasti = kAbsent;  // tb_lasti in bytes
  } traceback;
  struct { uint64_t start = kAbsent, stop = kAbsent, step = kAbsent; } slice;
  struct {
    uint64_t start = kAbsent, stop = kAbsent, step = kAbsent, length = kAbsent, len27 = kAbsent;
  } range;  // 3.x: PyObject* fields; 2.7 xrange: C longs start, step, len
  struct { uint64_t wr_object = kAbsent; } weakref;
  struct {
    uint64_t in_class = kAbsent, in_dict = kAbsent, cl_name = kAbsent, cl_dict = kAbsent;
  } instance27;

  // Resolve every offset above from `layout`. Fields the version lacks stay
  // kAbsent; the structs every version has are required (LayoutError),
  // except in a partial table, where whatever it lacks stays kAbsent and the
  // features needing it are refused (runtime/coverage.h).
  static Offsets resolve(const Layout& layout);
};

}  // namespace cpydbg
