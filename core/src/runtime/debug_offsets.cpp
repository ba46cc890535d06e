// _Py_DebugOffsets: the shapes of 3.13 and 3.14 and the decoder.
//
// The shapes follow CPython's own headers: 3.13's is in
// Include/internal/pycore_runtime.h (v3.13.0), 3.14's moved to
// Include/internal/pycore_debug_offsets.h (3.14 adds threads_main,
// code_object_generation and tlbc_generation to interpreter_state,
// stackpointer and tlbc_index to interpreter_frame, co_tlbc to code_object,
// and the set_object, gen_object, llist_node and debugger_support groups).
// The header promises the shape only within one minor version, so a block of
// a minor version not listed here is not read at all.
#include "runtime/debug_offsets.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cpydbg/layout.h"

namespace cpydbg {
namespace {

using Check = DebugOffsetsField::Check;
using Fields = std::vector<DebugOffsetsField>;

constexpr char kCookie[8] = {'x', 'd', 'e', 'b', 'u', 'g', 'p', 'y'};
constexpr uint64_t kHeaderSize = 24;  // cookie, version, free_threaded

DebugOffsetsField size_of(const char* name, const char* strukt) {
  return {name, Check::Size, nullptr, strukt, "", 0, "", nullptr};
}
DebugOffsetsField offset(const char* name, const char* strukt, const char* member, uint8_t size,
                         const char* type) {
  return {name, Check::Offset, nullptr, strukt, member, size, type, nullptr};
}
DebugOffsetsField ft_offset(const char* name, const char* strukt, const char* member,
                            uint8_t size, const char* type, const char* within = nullptr) {
  return {name, Check::FreeThreadedOffset, within, strukt, member, size, type, nullptr};
}
DebugOffsetsField unmapped(const char* name, Check check, const char* within = nullptr) {
  return {name, check, within, nullptr, "", 1, "", nullptr};
}

void append(Fields& to, std::initializer_list<DebugOffsetsField> group) {
  to.insert(to.end(), group.begin(), group.end());
}

void runtime_state(Fields& f) {
  append(f, {size_of("runtime_state.size", "_PyRuntimeState"),
             offset("runtime_state.finalizing", "_PyRuntimeState", "_finalizing", 8, "PyThreadState *"),
             offset("runtime_state.interpreters_head", "_PyRuntimeState", "interpreters.head", 8,
                    "PyInterpreterState *")});
}

// `v314`: 3.14's additions (threads_main after threads_head; the two
// generation counters at the end).
void interpreter_state(Fields& f, bool v314) {
  const char* is = "PyInterpreterState";
  append(f, {size_of("interpreter_state.size", is),
             offset("interpreter_state.id", is, "id", 8, "int64_t"),
             offset("interpreter_state.next", is, "next", 8, "PyInterpreterState *"),
             offset("interpreter_state.threads_head", is, "threads.head", 8, "PyThreadState *")});
  if (v314)
    append(f, {offset("interpreter_state.threads_main", is, "threads.main", 8, "PyThreadState *")});
  append(f, {offset("interpreter_state.gc", is, "gc", 0, "struct _gc_runtime_state"),
             offset("interpreter_state.imports_modules", is, "imports.modules", 8, "PyObject *"),
             offset("interpreter_state.sysdict", is, "sysdict", 8, "PyObject *"),
             offset("interpreter_state.builtins", is, "builtins", 8, "PyObject *"),
             offset("interpreter_state.ceval_gil", is, "ceval.gil", 8, "struct _gil_runtime_state *"),
             offset("interpreter_state.gil_runtime_state", is, "_gil", 0, "struct _gil_runtime_state"),
             // offsetof(struct _gil_runtime_state, enabled): already relative.
             ft_offset("interpreter_state.gil_runtime_state_enabled", "_gil_runtime_state",
                       "enabled", 4, "int", "interpreter_state.size")});
  DebugOffsetsField locked = offset("interpreter_state.gil_runtime_state_locked",
                                    "_gil_runtime_state", "locked", 4, "int");
  locked.within = "interpreter_state.size";
  locked.relative_to = "interpreter_state.gil_runtime_state";
  DebugOffsetsField holder = offset("interpreter_state.gil_runtime_state_holder",
                                    "_gil_runtime_state", "last_holder", 8, "PyThreadState *");
  holder.within = "interpreter_state.size";
  holder.relative_to = "interpreter_state.gil_runtime_state";
  append(f, {locked, holder});
  if (v314)
    append(f, {offset("interpreter_state.code_object_generation", is, "_code_object_generation", 8,
                      "uint64_t"),
               ft_offset("interpreter_state.tlbc_generation", is, "tlbc_indices.tlbc_generation",
                         4, "int32_t")});
}

void thread_state(Fields& f) {
  const char* ts = "PyThreadState";
  append(f, {size_of("thread_state.size", ts),
             offset("thread_state.prev", ts, "prev", 8, "PyThreadState *"),
             offset("thread_state.next", ts, "next", 8, "PyThreadState *"),
             offset("thread_state.interp", ts, "interp", 8, "PyInterpreterState *"),
             offset("thread_state.current_frame", ts, "current_frame", 8,
                    "struct _PyInterpreterFrame *"),
             offset("thread_state.thread_id", ts, "thread_id", 8, "long unsigned int"),
             offset("thread_state.native_thread_id", ts, "native_thread_id", 8, "long unsigned int"),
             offset("thread_state.datastack_chunk", ts, "datastack_chunk", 8, "_PyStackChunk *"),
             offset("thread_state.status", ts, "_status", 4, "struct {...}")});
}

// 3.14: the frame's object slots are _PyStackRef (tagged), and it records
// its stack pointer.
void interpreter_frame(Fields& f, bool v314) {
  const char* fr = "_PyInterpreterFrame";
  const char* slot = v314 ? "_PyStackRef" : "PyObject *";
  append(f, {size_of("interpreter_frame.size", fr),
             offset("interpreter_frame.previous", fr, "previous", 8, "struct _PyInterpreterFrame *"),
             offset("interpreter_frame.executable", fr, "f_executable", 8, slot),
             offset("interpreter_frame.instr_ptr", fr, "instr_ptr", 8, "_Py_CODEUNIT *"),
             offset("interpreter_frame.localsplus", fr, "localsplus", 8,
                    v314 ? "_PyStackRef[1]" : "PyObject *[1]"),
             offset("interpreter_frame.owner", fr, "owner", 1, "char")});
  if (v314)
    append(f, {offset("interpreter_frame.stackpointer", fr, "stackpointer", 8, "_PyStackRef *"),
               ft_offset("interpreter_frame.tlbc_index", fr, "tlbc_index", 4, "int32_t")});
}

void code_object(Fields& f, bool v314) {
  const char* co = "PyCodeObject";
  append(f, {size_of("code_object.size", co),
             offset("code_object.filename", co, "co_filename", 8, "PyObject *"),
             offset("code_object.name", co, "co_name", 8, "PyObject *"),
             offset("code_object.qualname", co, "co_qualname", 8, "PyObject *"),
             offset("code_object.linetable", co, "co_linetable", 8, "PyObject *"),
             offset("code_object.firstlineno", co, "co_firstlineno", 4, "int"),
             offset("code_object.argcount", co, "co_argcount", 4, "int"),
             offset("code_object.localsplusnames", co, "co_localsplusnames", 8, "PyObject *"),
             offset("code_object.localspluskinds", co, "co_localspluskinds", 8, "PyObject *"),
             offset("code_object.co_code_adaptive", co, "co_code_adaptive", 1, "char[1]")});
  if (v314) append(f, {ft_offset("code_object.co_tlbc", co, "co_tlbc", 8, "_PyCodeArray *")});
}

void objects(Fields& f, bool v314) {
  append(f, {size_of("pyobject.size", "PyObject"),
             offset("pyobject.ob_type", "PyObject", "ob_type", 8, "PyTypeObject *"),
             size_of("type_object.size", "PyTypeObject"),
             offset("type_object.tp_name", "PyTypeObject", "tp_name", 8, "const char *"),
             offset("type_object.tp_repr", "PyTypeObject", "tp_repr", 8, "reprfunc"),
             offset("type_object.tp_flags", "PyTypeObject", "tp_flags", 8, "long unsigned int"),
             size_of("tuple_object.size", "PyTupleObject"),
             offset("tuple_object.ob_item", "PyTupleObject", "ob_item", 8, "PyObject *[1]"),
             offset("tuple_object.ob_size", "PyTupleObject", "ob_base.ob_size", 8, "Py_ssize_t"),
             size_of("list_object.size", "PyListObject"),
             offset("list_object.ob_item", "PyListObject", "ob_item", 8, "PyObject **"),
             offset("list_object.ob_size", "PyListObject", "ob_base.ob_size", 8, "Py_ssize_t")});
  if (v314)
    append(f, {size_of("set_object.size", "PySetObject"),
               offset("set_object.used", "PySetObject", "used", 8, "Py_ssize_t"),
               offset("set_object.table", "PySetObject", "table", 8, "setentry *"),
               offset("set_object.mask", "PySetObject", "mask", 8, "Py_ssize_t")});
  append(f, {size_of("dict_object.size", "PyDictObject"),
             offset("dict_object.ma_keys", "PyDictObject", "ma_keys", 8, "PyDictKeysObject *"),
             offset("dict_object.ma_values", "PyDictObject", "ma_values", 8, "PyDictValues *"),
             size_of("float_object.size", "PyFloatObject"),
             offset("float_object.ob_fval", "PyFloatObject", "ob_fval", 8, "double"),
             size_of("long_object.size", "PyLongObject"),
             offset("long_object.lv_tag", "PyLongObject", "long_value.lv_tag", 8, "uintptr_t"),
             // digit is 2 or 4 bytes (a configure option); the smaller bounds it.
             offset("long_object.ob_digit", "PyLongObject", "long_value.ob_digit", 2, "digit[1]"),
             size_of("bytes_object.size", "PyBytesObject"),
             offset("bytes_object.ob_size", "PyBytesObject", "ob_base.ob_size", 8, "Py_ssize_t"),
             offset("bytes_object.ob_sval", "PyBytesObject", "ob_sval", 1, "char[1]"),
             size_of("unicode_object.size", "PyUnicodeObject"),
             offset("unicode_object.state", "PyASCIIObject", "state", 4, "struct {...}"),
             offset("unicode_object.length", "PyASCIIObject", "length", 8, "Py_ssize_t"),
             size_of("unicode_object.asciiobject_size", "PyASCIIObject"),
             unmapped("gc.size", Check::Size), unmapped("gc.collecting", Check::Offset)});
}

void v314_tail(Fields& f) {
  const char* gen = "PyGenObject";
  DebugOffsetsField eval_breaker = offset("debugger_support.eval_breaker", "PyThreadState",
                                          "eval_breaker", 8, "uintptr_t");
  eval_breaker.within = "thread_state.size";
  DebugOffsetsField support = offset("debugger_support.remote_debugger_support", "PyThreadState",
                                     "remote_debugger_support", 0, "_PyRemoteDebuggerSupport");
  support.within = "thread_state.size";
  DebugOffsetsField enabled = offset("debugger_support.remote_debugging_enabled",
                                     "PyInterpreterState", "config.remote_debug", 4, "int");
  enabled.within = "interpreter_state.size";
  DebugOffsetsField pending = offset("debugger_support.debugger_pending_call",
                                     "_PyRemoteDebuggerSupport", "debugger_pending_call", 4, "int32_t");
  pending.check = Check::Count;
  DebugOffsetsField path = offset("debugger_support.debugger_script_path",
                                  "_PyRemoteDebuggerSupport", "debugger_script_path", 1, "char[]");
  path.check = Check::Count;
  append(f, {size_of("gen_object.size", gen),
             offset("gen_object.gi_name", gen, "gi_name", 8, "PyObject *"),
             offset("gen_object.gi_iframe", gen, "gi_iframe", 0, "_PyInterpreterFrame"),
             offset("gen_object.gi_frame_state", gen, "gi_frame_state", 1, "int8_t"),
             unmapped("llist_node.next", Check::Count), unmapped("llist_node.prev", Check::Count),
             eval_breaker, support, enabled, pending, path,
             unmapped("debugger_support.debugger_script_path_size", Check::Count)});
}

Fields shape(bool v314) {
  Fields f;
  runtime_state(f);
  interpreter_state(f, v314);
  thread_state(f);
  interpreter_frame(f, v314);
  code_object(f, v314);
  objects(f, v314);
  if (v314) v314_tail(f);
  return f;
}

std::string group_of(std::string_view name) { return std::string(name.substr(0, name.find('.'))); }

}  // namespace

const std::vector<DebugOffsetsField>& debug_offsets_shape(int minor) {
  static const Fields v313 = shape(false), v314 = shape(true), none;
  return minor == 13 ? v313 : minor == 14 ? v314 : none;
}

std::string debug_offsets_versions() { return "3.13 and 3.14"; }

std::optional<uint64_t> DebugOffsets::get(std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.field->name == name) return e.value;
  return std::nullopt;
}

std::optional<DebugOffsets::Place> DebugOffsets::place(const Entry& e) const {
  const DebugOffsetsField& f = *e.field;
  if (!f.strukt) return std::nullopt;
  if (f.check == DebugOffsetsField::Check::FreeThreadedOffset && !free_threaded) return std::nullopt;
  uint64_t value = e.value;
  if (f.relative_to) value -= get(f.relative_to).value_or(0);  // checked by the decoder
  return Place{f.strukt, f.member, value};
}

// Friend of DebugOffsets: fills its entries once every check has passed.
struct DebugOffsetsDecoder {
  static DebugOffsetsRead decode(const uint8_t* bytes, size_t size, uint64_t address,
                                 std::optional<uint32_t> py_version) {
    DebugOffsetsRead r;
    if (size < kHeaderSize || std::memcmp(bytes, kCookie, sizeof kCookie) != 0) return r;
    r.present = true;
    auto word = [&](size_t i) {
      uint64_t v;
      std::memcpy(&v, bytes + i * 8, 8);
      return v;
    };
    const uint64_t version = word(1), free_threaded = word(2);
    const unsigned level = (version >> 4) & 0xf;
    if (version >> 32 || (version >> 24) != 3 || ((version >> 16) & 0xff) < 13 ||
        (level != 0xa && level != 0xb && level != 0xc && level != 0xf)) {
      r.problem = "its version field (" + hex(version) + ") is not a CPython 3.13+ version";
      return r;
    }
    if (free_threaded > 1) {
      r.problem = "its free_threaded field is " + std::to_string(free_threaded) + ", not 0 or 1";
      return r;
    }
    if (py_version && *py_version != version) {
      r.problem = "its version " + version_string(uint32_t(version)) + " disagrees with Py_Version (" +
                  version_string(*py_version) + ")";
      return r;
    }
    r.header_ok = true;
    r.version_hex = uint32_t(version);
    r.free_threaded = free_threaded == 1;
    const int minor = int((version >> 16) & 0xff);
    const auto& fields = debug_offsets_shape(minor);
    if (fields.empty()) {
      r.problem = "cpydbg knows the shape of the _Py_DebugOffsets of " + debug_offsets_versions() +
                  " only, not of " + std::to_string(version >> 24) + "." + std::to_string(minor) +
                  "'s";
      return r;
    }
    const uint64_t need = kHeaderSize + fields.size() * 8;
    if (size < need) {
      r.problem = "the block is unreadable (" + std::to_string(size) + " of its " +
                  std::to_string(need) + " bytes)";
      return r;
    }
    DebugOffsets d;
    d.address = address;
    d.version_hex = r.version_hex;
    d.free_threaded = r.free_threaded;
    d.shape_minor = minor;
    d.size = need;
    for (size_t i = 0; i < fields.size(); ++i) d.entries_.push_back({&fields[i], word(3 + i)});
    r.problem = check(d);
    if (r.problem.empty()) r.offsets = std::move(d);
    return r;
  }

  static std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  // "" when every entry is plausible, else the first one that is not.
  static std::string check(const DebugOffsets& d) {
    using C = DebugOffsetsField::Check;
    for (const auto& e : d.entries()) {
      const DebugOffsetsField& f = *e.field;
      const std::string value = f.name + std::string(" (") + std::to_string(e.value) + ")";
      switch (f.check) {
        case C::Size:
          if (e.value == 0 || e.value > DebugOffsets::kMaxStructSize)
            return value + " is not a struct size";
          break;
        case C::Count:
          if (e.value > 65536) return value + " is not a small count";
          break;
        case C::FreeThreadedOffset:
          if (!d.free_threaded) {
            if (e.value != 0) return value + " is not 0 in a build that is not free-threaded";
            break;
          }
          [[fallthrough]];
        case C::Offset: {
          const std::string within = f.within ? f.within : group_of(f.name) + ".size";
          auto bound = d.get(within);
          if (!bound) return std::string(f.name) + " has no bound " + within;
          if (e.value + std::max<uint64_t>(f.size, 1) > *bound)
            return value + " lies outside " + within + " (" + std::to_string(*bound) + ")";
          if (f.size > 1 && e.value % f.size != 0) return value + " is misaligned";
          if (f.relative_to && e.value < d.get(f.relative_to).value_or(0))
            return value + " lies before " + f.relative_to;
          break;
        }
      }
    }
    // Sizes that nest: an ASCII string's header is a prefix of the full str.
    auto ascii = d.get("unicode_object.asciiobject_size"), full = d.get("unicode_object.size");
    if (ascii && full && *ascii > *full) return "unicode_object.asciiobject_size exceeds unicode_object.size";
    return "";
  }
};

DebugOffsetsRead decode_debug_offsets(const uint8_t* bytes, size_t size, uint64_t address,
                                      std::optional<uint32_t> py_version) {
  return DebugOffsetsDecoder::decode(bytes, size, address, py_version);
}

DebugOffsetsRead read_debug_offsets(Reader& mem, uint64_t runtime,
                                    std::optional<uint32_t> py_version) {
  // The header first: it says which shape, hence how much to read.
  uint8_t header[kHeaderSize];
  if (!mem.read(runtime, header, sizeof header)) return {};
  const int minor = header[10];  // version byte 2: the minor number (little-endian)
  const size_t want = kHeaderSize + debug_offsets_shape(minor).size() * 8;
  std::vector<uint8_t> block(want);
  std::memcpy(block.data(), header, sizeof header);
  size_t have = sizeof header;
  if (want > have && mem.read(runtime + have, block.data() + have, want - have)) have = want;
  return decode_debug_offsets(block.data(), have, runtime, py_version);
}

}  // namespace cpydbg
