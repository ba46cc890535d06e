// Functions, methods, built-in functions, method-wrappers, code, frames, generators,
// coroutines, async generators and cells: the address-bearing reprs.
#include <cstdio>

#include "objects/format_internal.h"
#include "runtime/code.h"
#include "runtime/stackref.h"
#include "runtime/walker.h"

namespace cpydbg::fmt {
namespace {

// "<kind NAME at 0x…>", the shape of most address-bearing reprs.
void name_at(Context& c, uint64_t addr, const char* kind, const std::optional<std::string>& name) {
  if (!name) return c.unreadable(addr);
  c.out += std::string("<") + kind + " " + *name + " at ";
  c.address(addr);
  c.out += '>';
}

// The str at a pointer field of obj.
std::optional<std::string> str_field(Context& c, uint64_t obj, uint64_t offset) {
  auto s = c.field(obj, offset);
  return s ? c.text(*s) : std::nullopt;
}

// A function's __qualname__ (3.x) or __name__ (2.7).
std::optional<std::string> function_name(Context& c, uint64_t func) {
  return str_field(c, func, c.off.func.func_qualname != kAbsent ? c.off.func.func_qualname
                                                                : c.off.func.func_name);
}

void format_method(Context& c, uint64_t addr) {
  auto func = c.field(addr, c.off.method.im_func);
  auto self = c.field(addr, c.off.method.im_self);
  if (!func || !self) return c.unreadable(addr);
  if (c.py.major() == 2) {  // "<bound method Class.name of repr(self)>"
    auto klass = c.field(addr, c.off.method.im_class);
    std::string kname = klass && *klass ? dunder_name(c, *klass).value_or("?") : "?";
    std::string fname = dunder_name(c, *func).value_or("?");
    if (!*self) {
      c.out += "<unbound method " + kname + "." + fname + ">";
      return;
    }
    c.out += "<bound method " + kname + "." + fname + " of ";
  } else {
    auto ftype = c.obj.type_of(*func);
    std::optional<std::string> fname;
    if (ftype && c.types.kind_of_type(*ftype) == Kind::Function) fname = function_name(c, *func);
    else fname = dunder_name(c, *func);
    c.out += "<bound method " + fname.value_or("?") + " of ";
  }
  c.repr(*self);
  c.out += '>';
}

void format_cfunction(Context& c, uint64_t addr) {
  auto ml = c.field(addr, c.off.cfunc.m_ml);
  auto self = c.field(addr, c.off.cfunc.m_self);
  auto name_ptr = ml ? c.field(*ml, c.off.methoddef.ml_name) : std::nullopt;
  auto name = name_ptr ? c.mem.cstring(*name_ptr, 200) : std::nullopt;
  if (!self || !name) return c.unreadable(addr);
  auto self_type = *self ? c.obj.type_of(*self) : std::nullopt;
  // Python calls a module's functions functions; libpython calls anything
  // with a self a method ("of module object at remote 0x…").
  const bool of_module = self_type && c.types.kind_of_type(*self_type) == Kind::Module;
  if (!*self || (of_module && !c.libpython())) {
    c.out += "<built-in function " + *name + ">";
    return;
  }
  auto tname = self_type ? c.obj.type_name(*self_type) : std::nullopt;
  c.out += "<built-in method " + *name + " of " + tname.value_or("?") + " object at ";
  c.address(*self);
  c.out += '>';
}

// A method-wrapper, a slot wrapper bound to an object ([].__init__). Its
// struct, {PyObject_HEAD; PyWrapperDescrObject *descr; PyObject *self}, is
// private to descrobject.c, so in no header and no table; it has not changed
// since Python 2.2. Python and libpython print the same, with a plain address.
void format_method_wrapper(Context& c, uint64_t addr) {
  auto descr = c.field(addr, c.off.object.size);
  auto self = c.field(addr, c.off.object.size + 8);
  auto name_obj = descr && *descr ? c.field(*descr, c.off.descr.d_name) : std::nullopt;
  auto name = name_obj ? c.text(*name_obj) : std::nullopt;
  auto type = self && *self ? c.obj.type_name_of(*self) : std::nullopt;
  if (!name || !type) return c.unreadable(addr);
  char at[24];
  std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(*self));
  c.out += "<method-wrapper '" + *name + "' of " + *type + " object at " + at + ">";
}

void format_code(Context& c, uint64_t addr) {
  auto name_obj = c.field(addr, c.off.code.co_name);
  auto file_obj = c.field(addr, c.off.code.co_filename);
  auto line = c.mem.get<int32_t>(addr + c.off.code.co_firstlineno);
  auto name = name_obj ? c.text(*name_obj) : std::nullopt;
  if (!name || !file_obj || !line) return c.unreadable(addr);
  auto file = c.text(*file_obj, 1000);
  c.out += "<code object " + *name + " at ";
  c.address(addr);
  c.out += ", file " + (file ? "\"" + *file + "\"" : std::string("???")) + ", line " +
           std::to_string(*line) + ">";
}

void format_frame(Context& c, uint64_t addr) {
  if (c.libpython()) {
    Walker walker(c.py);
    auto frame = walker.frame_of_object(addr);
    if (!frame) return c.unreadable(addr);
    return format_frame_summary(c, *frame);
  }
  if (!c.py.at_least(3, 7)) return c.generic(addr);  // no frame repr before 3.7
  std::optional<uint64_t> code;
  if (c.off.frame.f_frame != kAbsent) {  // 3.11+: the frame object wraps the frame
    auto iframe = c.field(addr, c.off.frame.f_frame);
    uint64_t at = c.off.iframe.f_executable != kAbsent ? c.off.iframe.f_executable
                                                       : c.off.iframe.f_code;
    auto executable = iframe && *iframe ? c.field(*iframe, at) : std::nullopt;
    StackRef ref = decode_stackref(executable.value_or(0), c.off.tagged_stackrefs);  // 3.14+: tagged
    if (ref.kind == StackRef::Kind::Object) code = ref.object;
  } else {
    code = c.field(addr, c.off.frame.f_code);
  }
  auto file_obj = code ? c.field(*code, c.off.code.co_filename) : std::nullopt;
  auto name_obj = code ? c.field(*code, c.off.code.co_name) : std::nullopt;
  auto line = frame_line(c, addr);
  auto file = file_obj ? c.obj.unicode(*file_obj, 1000) : std::nullopt;
  auto name = name_obj ? c.text(*name_obj) : std::nullopt;
  if (!file || !name || !line) return c.unreadable(addr);
  c.out += "<frame at ";
  c.address(addr);
  c.out += ", file ";
  quote(c.out, file->code_points, '3', false);
  c.out += ", line " + std::to_string(*line) + ", code " + *name + ">";
}

void format_generator(Context& c, Kind kind, uint64_t addr) {
  const char* what = kind == Kind::Coroutine        ? "coroutine object"
                     : kind == Kind::AsyncGenerator ? "async_generator object"
                                                    : "generator object";
  if (c.off.gen.gi_qualname != kAbsent)
    return name_at(c, addr, what, str_field(c, addr, c.off.gen.gi_qualname));
  // 2.7: the name of the generator's code object.
  auto code = c.field(addr, c.off.gen.gi_code);
  name_at(c, addr, what, code ? str_field(c, *code, c.off.code.co_name) : std::nullopt);
}

void format_cell(Context& c, uint64_t addr) {
  auto ref = c.field(addr, c.off.cell.ob_ref);
  if (!ref) return c.unreadable(addr);
  c.out += "<cell at ";
  c.address(addr);
  if (!*ref) {
    c.out += ": empty>";
    return;
  }
  c.out += ": " + c.obj.type_name_of(*ref).value_or("?") + " object at ";
  c.address(*ref);
  c.out += '>';
}

}  // namespace

std::optional<int> frame_line(Context& c, uint64_t frame_object) {
  const auto& f = c.off.frame;
  // While tracing, f_lineno is authoritative (≤3.10: when f_trace is set;
  // 3.11+: when non-zero), as PyFrame_GetLineNumber decides.
  if (c.off.frame.f_frame == kAbsent) {
    auto trace = c.field(frame_object, f.f_trace);
    if (trace && *trace) return c.mem.get<int32_t>(frame_object + f.f_lineno);
  } else if (auto lineno = c.mem.get<int32_t>(frame_object + f.f_lineno); lineno && *lineno) {
    return *lineno;
  }
  Walker walker(c.py);
  auto info = walker.frame_of_object(frame_object);
  if (!info) return std::nullopt;
  const CodeInfo* code = c.codes.get(info->code);
  if (!code) return std::nullopt;
  return line_at(*code, info->unit_offset);
}

void format_frame_summary(Context& c, const FrameInfo& frame) {
  const CodeInfo* code = c.codes.get(frame.code);
  if (!code) return c.unreadable(frame.addr);
  // A local may hold this very frame (f = sys._getframe()).
  if (!c.enter(frame.addr, "<...>")) return;
  int line = line_at(*code, frame.unit_offset);
  char addr[24];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(frame.addr));
  c.out += std::string("Frame ") + addr + ", for file " + code->filename + ", line " +
           (line < 0 ? "?" : std::to_string(line)) + ", in " + code->name + " (";
  bool first = true;
  for (size_t i = 0; i < code->slots.size() && !c.full(); ++i) {
    auto value = slot_value(c.obj, frame.localsplus, *code, i);
    if (!value) continue;
    if (!first) c.out += ", ";
    first = false;
    c.out += code->slots[i].name + "=";
    c.repr(*value);
  }
  c.out += ')';
  c.leave();
}

void format_callable(Context& c, Kind kind, uint64_t addr) {
  switch (kind) {
    case Kind::Function: return name_at(c, addr, "function", function_name(c, addr));
    case Kind::Method: return format_method(c, addr);
    case Kind::CFunction: return format_cfunction(c, addr);
    case Kind::MethodWrapper: return format_method_wrapper(c, addr);
    case Kind::Code: return format_code(c, addr);
    case Kind::Frame: return format_frame(c, addr);
    case Kind::Generator: case Kind::Coroutine: case Kind::AsyncGenerator:
      return format_generator(c, kind, addr);
    case Kind::Cell: return format_cell(c, addr);
    default: return c.generic(addr);
  }
}

}  // namespace cpydbg::fmt
