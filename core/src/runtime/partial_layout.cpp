// _Py_DebugOffsets -> a partial Layout. The block's entries go in as they
// are; the short list of facts below is what a memory walk also needs and
// the block leaves out, each fixed for every (non-free-threaded) build of
// 3.13 and 3.14 by the headers or the C API rather than by the build.
#include "runtime/partial_layout.h"

#include <algorithm>
#include <cstdio>

namespace cpydbg {
namespace {

constexpr uint64_t kWord = 8;  // pointer and Py_ssize_t: x86_64 and aarch64

void add_field(Layout& l, const std::string& strukt, const std::string& member, uint64_t offset,
               uint64_t size, const std::string& type) {
  FieldInfo f;
  f.offset = offset;
  f.size = size;
  f.type = type;
  l.structs[strukt].fields[member] = f;
}

void add_bits(Layout& l, const std::string& strukt, const std::string& member, uint64_t storage,
              uint32_t first_bit, uint32_t bits) {
  FieldInfo f;
  f.offset = storage;
  f.size = 4;  // unsigned int
  f.bit_offset = int64_t(storage * 8 + first_bit);
  f.bit_size = bits;
  f.type = "unsigned int";
  l.structs[strukt].fields[member] = f;
}

// _frameowner from Include/internal/pycore_frame.h (3.13) and
// pycore_interpframe_structs.h (3.14): 3.14 inserted FRAME_OWNED_BY_INTERPRETER.
std::map<std::string, int64_t> frame_owners(int minor) {
  std::map<std::string, int64_t> e = {{"FRAME_OWNED_BY_THREAD", 0},
                                      {"FRAME_OWNED_BY_GENERATOR", 1},
                                      {"FRAME_OWNED_BY_FRAME_OBJECT", 2}};
  if (minor >= 14) {
    e["FRAME_OWNED_BY_INTERPRETER"] = 3;
    e["FRAME_OWNED_BY_CSTACK"] = 4;
  } else {
    e["FRAME_OWNED_BY_CSTACK"] = 3;
  }
  return e;
}

// sizeof(digit) is PYLONG_BITS_IN_DIGIT, a configure choice; the int type
// says it in its item size (one digit per item).
void add_digit_size(Layout& l, Reader& mem) {
  const FieldInfo* tp_itemsize = l.find_field("PyTypeObject", "tp_itemsize");
  auto long_type = mem.target().symbol("PyLong_Type");
  auto itemsize = tp_itemsize && long_type ? mem.get<int64_t>(*long_type + tp_itemsize->offset)
                                           : std::nullopt;
  if (!itemsize || (*itemsize != 2 && *itemsize != 4)) return;
  l.constants["long_digit_bits"] = *itemsize == 4 ? 30 : 15;
  if (auto s = l.structs.find("PyLongObject"); s != l.structs.end())
    if (auto digit = s->second.fields.find("long_value.ob_digit"); digit != s->second.fields.end())
      digit->second.size = uint64_t(*itemsize);
}

}  // namespace

Layout partial_layout(const DebugOffsets& d, const Flavour& flavour, Reader& mem) {
  Layout l;
  l.version_hex = d.version_hex;
  l.python_version = version_string(d.version_hex);
  l.flavour = flavour;
  l.flavour.free_threaded = d.free_threaded;
  char from[96];
  std::snprintf(from, sizeof from, "_Py_DebugOffsets at 0x%llx (the %d.%d shape)",
                static_cast<unsigned long long>(d.address), d.version_hex >> 24, d.shape_minor);
  l.generated_from = from;
  l.partial_from = kPartialFromDebugOffsets;
  for (const auto& e : d.entries()) {
    auto place = d.place(e);
    if (!place) continue;
    if (place->member.empty()) l.structs[place->strukt].size = place->value;
    else add_field(l, place->strukt, place->member, place->value, e.field->size, e.field->type);
  }
  // The interpreter's embedded GC state, whose size the block gives apart.
  if (auto s = l.structs.find("PyInterpreterState"); s != l.structs.end())
    if (auto f = s->second.fields.find("gc"); f != s->second.fields.end())
      f->second.size = d.get("gc.size").value_or(0);
  // 3.14: the script path is a char array of the size the block states.
  if (auto path_size = d.get("debugger_support.debugger_script_path_size"))
    if (auto s = l.structs.find("_PyRemoteDebuggerSupport"); s != l.structs.end())
      if (auto f = s->second.fields.find("debugger_script_path"); f != s->second.fields.end())
        f->second.size = *path_size;
  l.constants["py_ssize_t_size"] = kWord;
  l.opcodes.line_table = "locations311";  // Objects/locations.md, 3.11 to 3.14
  l.enums["_frameowner"] = frame_owners(l.minor());
  if (const FieldInfo* size = l.find_field("PyTupleObject", "ob_base.ob_size")) {
    add_field(l, "PyVarObject", "ob_size", size->offset, kWord, "Py_ssize_t");
    l.structs["PyVarObject"].size = size->offset + kWord;
  }
  // The head of PyTypeObject is the C API's: static types are written with
  // positional initialisers `PyVarObject_HEAD_INIT(...) "name", basicsize,
  // itemsize, ...`, so those follow tp_name in every build.
  if (const FieldInfo* name = l.find_field("PyTypeObject", "tp_name")) {
    uint64_t at = name->offset;
    add_field(l, "PyTypeObject", "tp_basicsize", at + kWord, kWord, "Py_ssize_t");
    add_field(l, "PyTypeObject", "tp_itemsize", at + 2 * kWord, kWord, "Py_ssize_t");
  }
  add_digit_size(l, mem);
  if (d.free_threaded) return l;  // its object header and str state differ; nothing more is sure
  if (const FieldInfo* type = l.find_field("PyObject", "ob_type"); type && type->offset >= kWord)
    add_field(l, "PyObject", "ob_refcnt", type->offset - kWord, kWord, "Py_ssize_t");
  if (const StructInfo* object = l.find_struct("PyObject"); object && object->size) {
    l.structs["PyCellObject"].size = object->size + kWord;
    add_field(l, "PyCellObject", "ob_ref", object->size, kWord, "PyObject *");
  }
  if (const FieldInfo* state = l.find_field("PyASCIIObject", "state")) {
    uint64_t at = state->offset;
    add_bits(l, "PyASCIIObject", "state.interned", at, 0, 2);
    add_bits(l, "PyASCIIObject", "state.kind", at, 2, 3);
    add_bits(l, "PyASCIIObject", "state.compact", at, 5, 1);
    add_bits(l, "PyASCIIObject", "state.ascii", at, 6, 1);
    add_bits(l, "PyASCIIObject", "state.statically_allocated", at, 7, 1);
  }
  // PyCompactUnicodeObject = PyASCIIObject + utf8_length + utf8, and
  // PyUnicodeObject = that + its data pointer: true when the sizes agree.
  const StructInfo* ascii = l.find_struct("PyASCIIObject");
  const StructInfo* unicode = l.find_struct("PyUnicodeObject");
  if (ascii && unicode && unicode->size == ascii->size + 3 * kWord) {
    l.structs["PyCompactUnicodeObject"].size = ascii->size + 2 * kWord;
    add_field(l, "PyUnicodeObject", "data.any", ascii->size + 2 * kWord, kWord, "void *");
  }
  if (l.minor() >= 14 && l.find_struct("PySetObject")) {  // Include/cpython/setobject.h
    l.structs["setentry"].size = 2 * kWord;
    add_field(l, "setentry", "key", 0, kWord, "PyObject *");
    add_field(l, "setentry", "hash", kWord, kWord, "Py_hash_t");
  }
  return l;
}

std::vector<std::string> partial_layout_facts(const Layout& l) {
  std::vector<std::string> facts = {
      "PyVarObject.ob_size: tuple_object.ob_size (the header of every variable-size object)",
      "PyTypeObject.tp_basicsize, tp_itemsize: the two words after tp_name (the C API's "
      "static type initialisers)",
      "line tables: the 3.11+ location table format",
  };
  if (auto bits = l.constant("long_digit_bits"))
    facts.push_back("long_digit_bits " + std::to_string(*bits) +
                    ": PyLong_Type.tp_itemsize in the process");
  std::vector<std::pair<int64_t, std::string>> by_value;
  if (auto it = l.enums.find("_frameowner"); it != l.enums.end())
    for (const auto& [name, value] : it->second) by_value.emplace_back(value, name.substr(15));
  std::sort(by_value.begin(), by_value.end());
  std::string owners;
  for (const auto& [value, name] : by_value)
    owners += (owners.empty() ? "" : ", ") + name + " " + std::to_string(value);
  facts.push_back("_frameowner: " + owners + " (the " + l.series() + " headers)");
  if (l.flavour.free_threaded) return facts;
  facts.push_back("PyObject.ob_refcnt: the word before ob_type");
  facts.push_back("PyCellObject.ob_ref: the word after the object header");
  facts.push_back("PyASCIIObject.state: interned bits 0-1, kind 2-4, compact 5, ascii 6 (the " +
                  l.series() + " bitfield)");
  if (l.find_struct("PyCompactUnicodeObject"))
    facts.push_back("PyCompactUnicodeObject: PyASCIIObject, utf8_length, utf8; "
                    "PyUnicodeObject.data.any after it");
  if (l.find_struct("setentry")) facts.push_back("setentry: key, then hash");
  return facts;
}

}  // namespace cpydbg
