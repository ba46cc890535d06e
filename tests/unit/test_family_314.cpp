// The 3.14 family against a hand-built process image (no 3.14 interpreter
// is installed here): a _PyRuntime whose _Py_DebugOffsets has 3.14's shape,
// and the objects and frames a stopped 3.14 holds, laid out as 3.14's
// headers declare them: _PyInterpreterFrame with _PyStackRef f_executable
// and slots, stackpointer, owner INTERPRETER (3) and CSTACK (4) frames
// between the Python ones, PyTupleObject with ob_hash, the PEP 768 request
// of a thread. The image is served by the fake Target (SnapshotTarget).
// With no 3.14 table it runs from the partial layout; with a table made from
// it (as `cpydbg-layout generate` would make one from a 3.14 debug build)
// pyopstack reads the value stack through stackpointer, tagged ints included.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "cpydbg/registry.h"
#include "cpydbg/session.h"
#include "runtime/debug_offsets.h"
#include "runtime/partial_layout.h"
#include "runtime/stackref.h"
#include "runtime/walker.h"
#include "scoped_env.h"
#include "snapshot.h"

using namespace cpydbg;
using test::Snapshot;
using test::SnapshotTarget;

namespace {

constexpr uint64_t kTagInt = 3, kTagRefcnt = 1;  // pycore_stackref.h (builds with the GIL)
uint64_t tagged_int(int64_t v) { return (uint64_t(v) << 2) | kTagInt; }
uint64_t deferred(uint64_t object) { return object | kTagRefcnt; }

// Offsets of 3.14.0 (x86-64 Linux, GIL): every struct the walk touches.
namespace o314 {
constexpr uint64_t ob_type = 8, ob_size = 16;
constexpr uint64_t tp_name = 24, tp_basicsize = 32, tp_itemsize = 40, tp_repr = 88, tp_flags = 168,
                   type_size = 416;
constexpr uint64_t str_length = 16, str_state = 32, ascii_size = 40;
constexpr uint64_t bytes_sval = 32, tuple_items = 32, tuple_size = 40, list_items = 24;
constexpr uint64_t lv_tag = 16, ob_digit = 24, float_fval = 16;
constexpr uint64_t set_fill = 16, set_used = 24, set_mask = 32, set_table = 40, set_size = 200;
// PyCodeObject (Include/cpython/code.h, _PyCode_DEF)
constexpr uint64_t co_consts = 24, co_names = 32, co_exceptiontable = 40, co_flags = 48,
                   co_argcount = 52, co_stacksize = 64, co_firstlineno = 68, co_nlocalsplus = 72,
                   co_localsplusnames = 96, co_localspluskinds = 104, co_filename = 112,
                   co_name = 120, co_qualname = 128, co_linetable = 136,
                   co_monitoring = 176, co_firsttraceable = 192, co_code_adaptive = 208,
                   code_size = 216;
// _PyCoMonitoringData; 3.14's _PyCoLineInstrumentationData is {bytes_per_entry, data[]}
constexpr uint64_t monitoring_lines = 32, monitoring_per_instruction = 48;
// _PyInterpreterFrame (Include/internal/pycore_interpframe_structs.h)
constexpr uint64_t f_executable = 0, previous = 8, f_funcobj = 16, f_globals = 24,
                   f_builtins = 32, f_locals = 40, frame_obj = 48, instr_ptr = 56,
                   stackpointer = 64, return_offset = 72, owner = 74, localsplus = 80,
                   frame_size = 88;
// PyThreadState, PyInterpreterState, _PyRuntimeState
constexpr uint64_t ts_next = 8, ts_interp = 16, ts_eval_breaker = 24, ts_status = 32,
                   ts_current_frame = 72, ts_thread_id = 152, ts_native_thread_id = 160,
                   ts_datastack_chunk = 232, ts_remote_support = 304, ts_size = 824;
constexpr uint64_t is_id = 7280, is_next = 7272, is_threads_head = 7336, is_threads_main = 7352,
                   is_gc = 7400, is_sysdict = 7664, is_builtins = 7672, is_modules = 7680,
                   is_ceval_gil = 16, is_gil = 7768, is_gil_holder = 7776, is_gil_locked = 7784,
                   is_code_generation = 7824, is_remote_debug = 7904, is_size = 225672;
constexpr uint64_t rt_finalizing = 784, rt_interpreters_head = 808, rt_size = 315600;
constexpr uint64_t gc_size = 264, gc_collecting = 192;
}  // namespace o314

enum Owner : uint8_t { kThread = 0, kGenerator = 1, kFrameObject = 2, kInterpreter = 3, kCStack = 4 };

// A sparse process image: pages created on first write.
class Image {
 public:
  void write(uint64_t addr, const void* bytes, size_t n) {
    auto* p = static_cast<const uint8_t*>(bytes);
    for (size_t i = 0; i < n; ++i) {
      uint64_t a = addr + i, page = a & ~(Snapshot::kPage - 1);
      auto& v = snap.pages[page];
      if (v.empty()) v.resize(Snapshot::kPage);
      v[a - page] = p[i];
    }
  }
  template <typename T>
  void put(uint64_t addr, T value) { write(addr, &value, sizeof value); }
  uint64_t alloc(uint64_t size) {
    uint64_t at = next_;
    next_ += (size + 15) & ~uint64_t(15);
    write(at, std::vector<uint8_t>(size).data(), size);  // the memory exists, zeroed
    return at;
  }
  uint64_t object(uint64_t type, uint64_t size) {
    uint64_t at = alloc(size);
    put<uint64_t>(at, 1);  // refcount
    put<uint64_t>(at + o314::ob_type, type);
    return at;
  }
  uint64_t type(const char* symbol, const char* name, int64_t basicsize, int64_t itemsize = 0) {
    uint64_t t = alloc(o314::type_size);
    put<uint64_t>(t, 1);
    snap.symbols[symbol] = t;
    put<uint64_t>(t + o314::tp_name, cstring(name));
    put<int64_t>(t + o314::tp_basicsize, basicsize);
    put<int64_t>(t + o314::tp_itemsize, itemsize);
    return t;
  }
  uint64_t cstring(const std::string& s) {
    uint64_t at = alloc(s.size() + 1);
    write(at, s.c_str(), s.size() + 1);
    return at;
  }
  uint64_t str(const std::string& ascii) {  // compact ASCII, kind 1
    uint64_t s = object(sym("PyUnicode_Type"), o314::ascii_size + ascii.size() + 1);
    put<int64_t>(s + o314::str_length, int64_t(ascii.size()));
    put<uint32_t>(s + o314::str_state, (1u << 2) | (1u << 5) | (1u << 6));  // kind 1, compact, ascii
    write(s + o314::ascii_size, ascii.c_str(), ascii.size() + 1);
    return s;
  }
  uint64_t bytes(const std::string& b) {
    uint64_t o = object(sym("PyBytes_Type"), o314::bytes_sval + b.size() + 1);
    put<int64_t>(o + o314::ob_size, int64_t(b.size()));
    write(o + o314::bytes_sval, b.data(), b.size());
    return o;
  }
  uint64_t tuple(const std::vector<uint64_t>& items) {
    uint64_t t = object(sym("PyTuple_Type"), o314::tuple_items + 8 * std::max<size_t>(items.size(), 1));
    put<int64_t>(t + o314::ob_size, int64_t(items.size()));
    put<int64_t>(t + 24, -1);  // ob_hash: not computed
    for (size_t i = 0; i < items.size(); ++i) put<uint64_t>(t + o314::tuple_items + 8 * i, items[i]);
    return t;
  }
  uint64_t small_int(uint32_t v) {
    uint64_t i = object(sym("PyLong_Type"), 32);
    put<uint64_t>(i + o314::lv_tag, v ? (1u << 3) : 1);  // one digit, positive; or zero
    put<uint32_t>(i + o314::ob_digit, v);
    return i;
  }
  uint64_t sym(const char* name) const { return snap.symbols.at(name); }

  Snapshot snap;

 private:
  uint64_t next_ = 0x10000000;
};

// 3.14's _Py_DebugOffsets for the image, in the shape of 3.14's header.
void write_debug_offsets(Image& img, uint64_t runtime) {
  using namespace o314;
  const std::map<std::string, uint64_t> values = {
      {"runtime_state.size", rt_size}, {"runtime_state.finalizing", rt_finalizing},
      {"runtime_state.interpreters_head", rt_interpreters_head},
      {"interpreter_state.size", is_size}, {"interpreter_state.id", is_id},
      {"interpreter_state.next", is_next}, {"interpreter_state.threads_head", is_threads_head},
      {"interpreter_state.threads_main", is_threads_main}, {"interpreter_state.gc", is_gc},
      {"interpreter_state.imports_modules", is_modules}, {"interpreter_state.sysdict", is_sysdict},
      {"interpreter_state.builtins", is_builtins}, {"interpreter_state.ceval_gil", is_ceval_gil},
      {"interpreter_state.gil_runtime_state", is_gil},
      {"interpreter_state.gil_runtime_state_enabled", 0},
      {"interpreter_state.gil_runtime_state_locked", is_gil_locked},
      {"interpreter_state.gil_runtime_state_holder", is_gil_holder},
      {"interpreter_state.code_object_generation", is_code_generation},
      {"interpreter_state.tlbc_generation", 0},
      {"thread_state.size", ts_size}, {"thread_state.prev", 0}, {"thread_state.next", ts_next},
      {"thread_state.interp", ts_interp}, {"thread_state.current_frame", ts_current_frame},
      {"thread_state.thread_id", ts_thread_id}, {"thread_state.native_thread_id", ts_native_thread_id},
      {"thread_state.datastack_chunk", ts_datastack_chunk}, {"thread_state.status", ts_status},
      {"interpreter_frame.size", frame_size}, {"interpreter_frame.previous", previous},
      {"interpreter_frame.executable", f_executable}, {"interpreter_frame.instr_ptr", instr_ptr},
      {"interpreter_frame.localsplus", localsplus}, {"interpreter_frame.owner", owner},
      {"interpreter_frame.stackpointer", stackpointer}, {"interpreter_frame.tlbc_index", 0},
      {"code_object.size", code_size}, {"code_object.filename", co_filename},
      {"code_object.name", co_name}, {"code_object.qualname", co_qualname},
      {"code_object.linetable", co_linetable}, {"code_object.firstlineno", co_firstlineno},
      {"code_object.argcount", co_argcount}, {"code_object.localsplusnames", co_localsplusnames},
      {"code_object.localspluskinds", co_localspluskinds},
      {"code_object.co_code_adaptive", co_code_adaptive}, {"code_object.co_tlbc", 0},
      {"pyobject.size", 16}, {"pyobject.ob_type", ob_type},
      {"type_object.size", type_size}, {"type_object.tp_name", tp_name},
      {"type_object.tp_repr", tp_repr}, {"type_object.tp_flags", tp_flags},
      {"tuple_object.size", tuple_size}, {"tuple_object.ob_item", tuple_items},
      {"tuple_object.ob_size", ob_size},
      {"list_object.size", 40}, {"list_object.ob_item", list_items}, {"list_object.ob_size", ob_size},
      {"set_object.size", set_size}, {"set_object.used", set_used}, {"set_object.table", set_table},
      {"set_object.mask", set_mask},
      {"dict_object.size", 48}, {"dict_object.ma_keys", 32}, {"dict_object.ma_values", 40},
      {"float_object.size", 24}, {"float_object.ob_fval", float_fval},
      {"long_object.size", 32}, {"long_object.lv_tag", lv_tag}, {"long_object.ob_digit", ob_digit},
      {"bytes_object.size", 40}, {"bytes_object.ob_size", ob_size}, {"bytes_object.ob_sval", bytes_sval},
      {"unicode_object.size", 64}, {"unicode_object.state", str_state},
      {"unicode_object.length", str_length}, {"unicode_object.asciiobject_size", ascii_size},
      {"gc.size", gc_size}, {"gc.collecting", gc_collecting},
      {"gen_object.size", 160}, {"gen_object.gi_name", 24}, {"gen_object.gi_iframe", 72},
      {"gen_object.gi_frame_state", 67},
      {"llist_node.next", 0}, {"llist_node.prev", 8},
      {"debugger_support.eval_breaker", ts_eval_breaker},
      {"debugger_support.remote_debugger_support", ts_remote_support},
      {"debugger_support.remote_debugging_enabled", is_remote_debug},
      {"debugger_support.debugger_pending_call", 0}, {"debugger_support.debugger_script_path", 4},
      {"debugger_support.debugger_script_path_size", 512},
  };
  const auto& shape = debug_offsets_shape(14);
  REQUIRE(shape.size() == values.size());
  img.write(runtime, "xdebugpy", 8);
  img.put<uint64_t>(runtime + 8, 0x030e00f0);
  img.put<uint64_t>(runtime + 16, 0);  // free_threaded
  for (size_t i = 0; i < shape.size(); ++i) img.put<uint64_t>(runtime + 24 + 8 * i, values.at(shape[i].name));
}

// The location table of a code object whose first code unit is on
// `firstlineno` and the `units - 1` after it on the next line.
std::string line_table(size_t units) {
  std::string t = {char(0x80 | (10 << 3)), 0, 0};            // 1 unit, line + 0
  t += std::string{char(0x80 | (11 << 3) | (units - 2)), 0, 0};  // the rest, line + 1
  return t;
}

struct Image314 {
  Image img;
  uint64_t runtime = 0x20000000, interp = 0x30000000, tstate = 0x40000000, frames = 0x50000000;
  uint64_t code_inner = 0, code_outer = 0, code_module = 0, seven = 0, hello = 0, pair = 0, set = 0;
  uint64_t f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, frame_object = 0;
  static constexpr uint64_t kThreadId = 0x7f00deadbeef, kTid = 4242;

  // `ops`: 2-byte code units; `names`: fast locals (all plain locals).
  uint64_t code(const std::string& name, int firstlineno, const std::vector<uint8_t>& ops,
                const std::vector<std::string>& names) {
    using namespace o314;
    const size_t units = ops.size() / 2;
    uint64_t c = img.object(img.sym("PyCode_Type"), co_code_adaptive + ops.size());
    img.put<int64_t>(c + ob_size, int64_t(units));
    img.put<uint64_t>(c + co_filename, img.str("/src/app.py"));
    img.put<uint64_t>(c + co_name, img.str(name));
    img.put<uint64_t>(c + co_qualname, img.str(name));
    img.put<uint64_t>(c + co_linetable, img.bytes(line_table(units)));
    img.put<int32_t>(c + co_firstlineno, firstlineno);
    img.put<int32_t>(c + co_argcount, 0);
    img.put<int32_t>(c + co_nlocalsplus, int32_t(names.size()));
    img.put<int32_t>(c + co_stacksize, 4);
    img.put<int32_t>(c + co_flags, 0x3);  // CO_OPTIMIZED | CO_NEWLOCALS
    std::vector<uint64_t> name_objects;
    for (const auto& n : names) name_objects.push_back(img.str(n));
    img.put<uint64_t>(c + co_localsplusnames, img.tuple(name_objects));
    img.put<uint64_t>(c + co_localspluskinds, img.bytes(std::string(names.size(), char(0x20))));
    img.put<uint64_t>(c + co_exceptiontable, img.bytes(""));
    img.put<uint64_t>(c + co_consts, img.tuple({}));
    img.put<uint64_t>(c + co_names, img.tuple({}));
    img.put<int32_t>(c + co_firsttraceable, 0);
    img.write(c + co_code_adaptive, ops.data(), ops.size());
    return c;
  }

  uint64_t frame(uint64_t at, uint64_t executable, uint64_t prev, Owner owner_value,
                 uint64_t code_obj, size_t unit, const std::vector<uint64_t>& slots, size_t depth) {
    using namespace o314;
    img.write(at, std::vector<uint8_t>(localsplus + 8 * slots.size()).data(), localsplus + 8 * slots.size());
    img.put<uint64_t>(at + f_executable, executable);
    img.put<uint64_t>(at + previous, prev);
    img.put<uint64_t>(at + f_funcobj, kTagRefcnt);  // NULL
    img.put<uint64_t>(at + instr_ptr, code_obj + co_code_adaptive + 2 * unit);
    img.put<uint8_t>(at + owner, owner_value);
    for (size_t i = 0; i < slots.size(); ++i) img.put<uint64_t>(at + localsplus + 8 * i, slots[i]);
    // The stack pointer the frame saved: `depth` slots above its locals.
    size_t nlocals = slots.size() - depth;
    img.put<uint64_t>(at + stackpointer, at + localsplus + 8 * (nlocals + depth));
    return at;
  }

  Image314(const OpcodeTable& ops) {
    using namespace o314;
    img.snap.label = "hand-built 3.14.0";
    uint64_t type_type = img.type("PyType_Type", "type", 928);
    img.put<uint64_t>(type_type + ob_type, type_type);
    for (auto [symbol, name, basic, item] :
         {std::tuple{"PyUnicode_Type", "str", 64, 1}, {"PyBytes_Type", "bytes", 33, 1},
          {"PyTuple_Type", "tuple", 32, 8}, {"PyList_Type", "list", 40, 0},
          {"PyDict_Type", "dict", 48, 0}, {"PyLong_Type", "int", 24, 4},
          {"PyFloat_Type", "float", 24, 0}, {"PyCode_Type", "code", 208, 2},
          {"PySet_Type", "set", 200, 0}, {"_PyNone_Type", "NoneType", 16, 0},
          {"PyFrame_Type", "frame", 72, 0}})
      img.put<uint64_t>(img.type(symbol, name, basic, item) + ob_type, type_type);
    img.snap.symbols["_Py_NoneStruct"] = img.object(img.sym("_PyNone_Type"), 16);
    img.snap.symbols["_PyRuntime"] = runtime;
    uint64_t version = img.alloc(8);
    img.put<uint32_t>(version, 0x030e00f0);
    img.snap.symbols["Py_Version"] = version;
    write_debug_offsets(img, runtime);
    img.put<uint64_t>(runtime + rt_interpreters_head, interp);
    // The interpreter: one thread, holding its own GIL; sys.remote_exec allowed.
    img.write(interp, std::vector<uint8_t>(8192).data(), 8192);
    img.put<uint64_t>(interp + is_threads_head, tstate);
    img.put<uint64_t>(interp + is_threads_main, tstate);
    img.put<uint64_t>(interp + is_ceval_gil, interp + is_gil);
    img.put<uint64_t>(interp + is_gil_holder, tstate);
    img.put<int32_t>(interp + is_gil_locked, 1);
    img.put<int32_t>(interp + is_remote_debug, 1);
    img.write(tstate, std::vector<uint8_t>(ts_size).data(), ts_size);
    img.put<uint64_t>(tstate + ts_interp, interp);
    img.put<uint64_t>(tstate + ts_thread_id, kThreadId);
    img.put<uint64_t>(tstate + ts_native_thread_id, kTid);
    img.put<int32_t>(tstate + ts_remote_support, 1);  // debugger_pending_call
    img.write(tstate + ts_remote_support + 4, "/tmp/debug_me.py", 17);
    img.snap.thread = SelectedThread{kTid, kThreadId};

    const auto op = [&](const char* name, uint8_t arg) {
      int number = ops.opcode(name);
      REQUIRE_MESSAGE(number >= 0, name);
      return std::vector<uint8_t>{uint8_t(number), arg};
    };
    auto join = [](std::initializer_list<std::vector<uint8_t>> parts) {
      std::vector<uint8_t> out;
      for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
      return out;
    };
    // inner(): `a` bound, `b` not yet; stopped at its third instruction.
    code_inner = code("inner", 10, join({op("RESUME", 0), op("LOAD_FAST", 0), op("POP_TOP", 0),
                                         op("LOAD_FAST", 0), op("RETURN_VALUE", 0)}),
                      {"a", "b"});
    // outer(): x, y, z; stopped at a `+` with a tagged int and 7 on the stack.
    code_outer = code("outer", 20, join({op("RESUME", 0), op("LOAD_FAST", 1), op("LOAD_FAST", 2),
                                         op("BINARY_OP", 0), op("CACHE", 0), op("RETURN_VALUE", 0)}),
                      {"x", "y", "z"});
    // <module>: stopped at a line event sys.settrace set up, the instruction
    // under it (NOP) kept in 3.14's line data: {bytes_per_entry, data[]}.
    code_module = code("<module>", 30, join({op("RESUME", 0), op("INSTRUMENTED_LINE", 0),
                                             op("NOP", 0)}), {});
    uint64_t monitoring = img.alloc(64), lines = img.alloc(1 + 3 * 2);
    img.put<uint64_t>(code_module + co_monitoring, monitoring);
    img.put<uint64_t>(monitoring + monitoring_lines, lines);
    img.put<uint64_t>(monitoring + monitoring_per_instruction, img.alloc(3));
    img.put<uint8_t>(lines, 2);                                        // bytes_per_entry
    img.put<uint8_t>(lines + 1 + 1 * 2, uint8_t(ops.opcode("NOP")));   // unit 1's original opcode
    seven = img.small_int(7);
    hello = img.str("hello");
    pair = img.tuple({img.str("a"), img.str("b")});
    set = img.object(img.sym("PySet_Type"), set_size);
    uint64_t table = img.alloc(8 * 16);
    img.put<uint64_t>(table + 3 * 16, seven);  // {key, hash} slot 3 of 8
    img.put<int64_t>(table + 3 * 16 + 8, 7);
    img.put<int64_t>(set + set_fill, 1);
    img.put<int64_t>(set + set_used, 1);
    img.put<int64_t>(set + set_mask, 7);
    img.put<uint64_t>(set + set_table, table);
    // The chain, innermost first: inner, outer, the interpreter's entry frame
    // (owner INTERPRETER, f_executable None), <module>, a C-stack shim frame.
    f4 = frame(frames + 0x400, deferred(img.sym("_Py_NoneStruct")), 0, kCStack, code_module, 0, {}, 0);
    f3 = frame(frames + 0x300, deferred(code_module), f4, kThread, code_module, 1, {}, 0);
    f2 = frame(frames + 0x200, deferred(img.sym("_Py_NoneStruct")), f3, kInterpreter, code_module, 0, {}, 0);
    f1 = frame(frames + 0x100, code_outer, f2, kThread, code_outer, 3,
               {hello, kTagRefcnt, kTagRefcnt, tagged_int(5), deferred(seven)}, 2);
    f0 = frame(frames, deferred(code_inner), f1, kThread, code_inner, 2, {deferred(seven), kTagRefcnt}, 0);
    img.put<uint64_t>(tstate + ts_current_frame, f0);
    // outer's frame object (sys._getframe() made one), f_lineno 0: not tracing.
    frame_object = img.object(img.sym("PyFrame_Type"), 72);
    img.put<uint64_t>(frame_object + 24, f1);  // f_frame
    img.put<uint64_t>(f1 + frame_obj, frame_object);
    img.snap.objects = {{"seven", seven}, {"hello", hello}, {"pair", pair}, {"set", set},
                        {"code_inner", code_inner}};
  }
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The bytecode of the image needs opcode numbers; 3.14's own are not known
// here, so the 3.13 table's stand in (the family code does not depend on them).
const OpcodeTable& stand_in_opcodes() {
  static auto table = LayoutRegistry::instance().by_name("cpython-3.13-x86_64");
  REQUIRE(table);
  return table->opcodes;
}

}  // namespace

TEST_CASE("_PyStackRef: tagged ints, NULL, deferred and counted references") {
  using K = StackRef::Kind;
  const uint64_t obj = 0x7f0012345670;
  CHECK(decode_stackref(1, true).kind == K::Null);          // PyStackRef_NULL
  CHECK(decode_stackref(0, true).kind == K::Null);          // a slot never written
  CHECK(decode_stackref(obj, true).kind == K::Object);      // counted
  CHECK(decode_stackref(obj, true).object == obj);
  CHECK(decode_stackref(obj | 1, true).object == obj);      // deferred / immortal
  CHECK(decode_stackref(tagged_int(5), true).kind == K::TaggedInt);
  CHECK(decode_stackref(tagged_int(5), true).tagged_int == 5);
  CHECK(decode_stackref(tagged_int(-3), true).tagged_int == -3);
  CHECK(decode_stackref(tagged_int(0), true).tagged_int == 0);
  CHECK(decode_stackref(obj | 2, true).kind == K::Invalid);  // Py_TAG_INVALID
  // Up to 3.13 a slot is a plain pointer: every bit pattern is one.
  CHECK(decode_stackref(0, false).kind == K::Null);
  CHECK(decode_stackref(obj | 1, false).object == (obj | 1));
  CHECK(decode_stackref(tagged_int(5), false).kind == K::Object);
}

TEST_CASE("a hand-built 3.14 process runs from its _Py_DebugOffsets") {
  test::ScopedEnv no_dir("CPYDBG_LAYOUTS", nullptr);
  Image314 image(stand_in_opcodes());
  SnapshotTarget target(image.img.snap);
  Reader reader(target);
  DebugOffsetsRead r = read_debug_offsets(reader, image.runtime, 0x030e00f0);
  INFO(r.problem);
  REQUIRE(r.offsets);
  CHECK(r.offsets->shape_minor == 14);
  CHECK(r.offsets->size == 760);
  CHECK(r.offsets->get("interpreter_frame.stackpointer") == o314::stackpointer);
  CHECK(r.offsets->get("debugger_support.debugger_script_path_size") == 512);

  Session session(target);
  auto stack = session.execute("pystack", "-a -l");
  INFO(stack.output);
  REQUIRE(stack.ok);
  // The entry (INTERPRETER) and shim (CSTACK) frames are not Python frames;
  // `a` is a deferred reference to 7, `b` is NULL (unbound), `x` counted.
  CHECK(stack.output == "Thread 0x7f00deadbeef (tid 4242) [holds the GIL]:\n"
                        "#0 File \"/src/app.py\", line 11, in inner\n"
                        "        a = 7\n"
                        "#1 File \"/src/app.py\", line 21, in outer\n"
                        "        x = 'hello'\n"
                        "#2 File \"/src/app.py\", line 31, in <module>\n");
  auto locals = session.execute("pylocals", "");
  CHECK(locals.output == "#0 File \"/src/app.py\", line 11, in inner\n  a = 7\n");
  // libpython's py-print passes over an unbound local to the globals, which
  // the debug offsets do not cover.
  CHECK(session.execute("py-print", "b").output.starts_with(
      "cpydbg: _Py_DebugOffsets does not cover names beyond the frame's locals"));
  CHECK(session.execute("pyup", "").output == "#1 File \"/src/app.py\", line 21, in outer\n");

  auto info = session.execute("pyinfo", "");
  INFO(info.output);
  CHECK(info.output.starts_with("Python 3.14.0, detected from _Py_DebugOffsets in _PyRuntime\n"
                                "layout table: partial, from the process's _Py_DebugOffsets (no "
                                "table for Python 3.14.0)\n"));
  CHECK(info.output.find("    _frameowner: THREAD 0, GENERATOR 1, FRAME_OBJECT 2, INTERPRETER 3, "
                         "CSTACK 4 (the 3.14 headers)\n") != std::string::npos);
  CHECK(info.output.find("FAILED") == std::string::npos);
  CHECK(info.output.find("\n_Py_DebugOffsets at 0x20000000 (the 3.14 shape, 760 bytes), Python "
                         "3.14.0:\n") != std::string::npos);
  CHECK(info.output.find("\n  interpreter_frame: size 88, previous 8, executable 0, instr_ptr 56, "
                         "localsplus 80, owner 74, stackpointer 64, tlbc_index 0\n") !=
        std::string::npos);
  CHECK(info.output.ends_with("remote debugging (PEP 768, sys.remote_exec): allowed\n"
                              "  Thread 0x7f00deadbeef (tid 4242) [holds the GIL]: a script is "
                              "pending: /tmp/debug_me.py\n"));

  auto pyobj = [&](uint64_t addr) { return session.execute("pyobj", hex(addr)).output; };
  CHECK(pyobj(image.seven).ends_with("\n7\n"));
  CHECK(pyobj(image.pair).ends_with(", len 2\n('a', 'b')\n"));
  CHECK(pyobj(image.set).ends_with(", len 1\n{7}\n"));  // 3.14's block describes sets
  CHECK(pyobj(image.code_inner).ends_with("\n<code object inner at " + hex(image.code_inner) +
                                          ", file \"/src/app.py\", line 10>\n"));
  CHECK(session.execute("pyopstack", "1").output.starts_with(
      "cpydbg: _Py_DebugOffsets does not cover pyopstack (missing: the opcode tables, "));
}

TEST_CASE("a 3.14 table (as cpydbg-layout generate makes one) reads tagged value stacks") {
  // What a table generated from a 3.14 build has beyond the block: built
  // here from the image's partial layout plus the rest of PyCodeObject and
  // the opcode tables (the 3.13 ones stand in, see stand_in_opcodes).
  Image314 image(stand_in_opcodes());
  SnapshotTarget probe_target(image.img.snap);
  Reader probe(probe_target);
  DebugOffsetsRead r = read_debug_offsets(probe, image.runtime, std::nullopt);
  REQUIRE(r.offsets);
  Layout table = partial_layout(*r.offsets, Flavour{}, probe);
  table.partial_from.clear();
  table.generated_from = "test";
  auto add = [&](const char* st, const char* member, uint64_t offset, uint64_t size) {
    table.structs[st].fields[member] = FieldInfo{offset, size, -1, 0, ""};
  };
  using namespace o314;
  for (auto [member, offset] : {std::pair{"co_consts", co_consts}, {"co_names", co_names},
                                {"co_exceptiontable", co_exceptiontable}})
    add("PyCodeObject", member, offset, 8);
  for (auto [member, offset] : {std::pair{"co_flags", co_flags}, {"co_stacksize", co_stacksize},
                                {"co_nlocalsplus", co_nlocalsplus},
                                {"_co_firsttraceable", co_firsttraceable}})
    add("PyCodeObject", member, offset, 4);
  for (auto [member, offset] : {std::pair{"f_funcobj", f_funcobj}, {"f_globals", f_globals},
                                {"f_builtins", f_builtins}, {"f_locals", f_locals},
                                {"frame_obj", frame_obj}})
    add("_PyInterpreterFrame", member, offset, 8);
  add("_PyInterpreterFrame", "return_offset", return_offset, 2);
  add("PyTypeObject", "tp_base", 256, 8);  // the image's types have none
  for (auto [member, offset, size] : {std::tuple{"f_back", 16, 8}, {"f_frame", 24, 8},
                                      {"f_trace", 32, 8}, {"f_lineno", 40, 4}})
    add("PyFrameObject", member, uint64_t(offset), uint64_t(size));
  table.structs["PyFrameObject"].size = 72;
  add("PyCodeObject", "_co_monitoring", co_monitoring, 8);
  add("_PyCoMonitoringData", "lines", monitoring_lines, 8);
  add("_PyCoMonitoringData", "per_instruction_opcodes", monitoring_per_instruction, 8);
  table.structs["_PyCoMonitoringData"].size = 64;
  add("_PyCoLineInstrumentationData", "bytes_per_entry", 0, 1);
  add("_PyCoLineInstrumentationData", "data", 1, 1);
  table.structs["_PyCoLineInstrumentationData"].size = 2;
  add("PyDictObject", "ma_used", 16, 8);
  table.opcodes = stand_in_opcodes();
  test::ScopedLayoutsDir layouts({{"cpython-3.14-x86_64.json", dump_layout(table)}});
  SnapshotTarget target(image.img.snap);
  Session session(target);
  auto info = session.execute("pyinfo", "");
  INFO(info.output);
  CHECK(info.output.find("layout table: cpython-3.14-x86_64 (" +
                         layouts.path("cpython-3.14-x86_64.json") + ")") != std::string::npos);
  CHECK(info.output.find("ok     the table agrees with the process's _Py_DebugOffsets") !=
        std::string::npos);

  // The walker: outer's depth comes from its stackpointer.
  Reader reader(target);
  auto py = Python::attach(reader, "");
  Walker walker(*py);
  auto threads = walker.threads(nullptr);
  REQUIRE(threads.size() == 1);
  auto frames = walker.frames(threads[0], nullptr);
  REQUIRE(frames.size() == 3);
  CHECK(frames[1].addr == image.f1);
  CHECK(frames[1].stack_base == image.f1 + localsplus + 3 * 8);
  CHECK(frames[1].saved_depth == 2);
  CHECK(frames[0].saved_depth == 0);

  auto opstack = session.execute("pyopstack", "1");
  INFO(opstack.output);
  CHECK(opstack.ok);
  CHECK(opstack.output.find("--> ") != std::string::npos);
  CHECK(opstack.output.find("  stack depth 2 (saved by the interpreter; the bytecode agrees)\n"
                            "  [0] 5 (a tagged int)\n"
                            "  [1] 7\n") != std::string::npos);
  CHECK(session.execute("pystack", "").output.find("#2 File \"/src/app.py\", line 31, in <module>\n") !=
        std::string::npos);
  // A frame object's repr reads its frame's tagged f_executable.
  CHECK(session.execute("pyobj", hex(image.frame_object)).output.ends_with(
      "\n<frame at " + hex(image.frame_object) + ", file '/src/app.py', line 21, code outer>\n"));
  // The line event's placeholder shows the instruction 3.14's line data keeps.
  auto module = session.execute("pyopstack", "2").output;
  INFO(module);
  size_t arrow = module.find("--> ");
  REQUIRE(arrow != std::string::npos);
  CHECK(module.substr(arrow, module.find('\n', arrow) - arrow) == "-->     2 INSTRUMENTED_LINE (NOP)");
}
