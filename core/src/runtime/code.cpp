#include "runtime/code.h"

#include "cpydbg/bytecode.h"
#include "runtime/stackref.h"

namespace cpydbg {
namespace {
constexpr size_t kMaxBytecode = 1 << 22;   // 4 MiB: larger means a corrupt object
constexpr size_t kMaxSlots = 1 << 16;
// 3.11+ co_localspluskinds bits (Include/internal/pycore_code.h).
constexpr uint8_t kKindCell = 0x40, kKindFree = 0x80;
// 3.12+: sys.monitoring (and sys.settrace on top of it) overwrites opcodes
// with INSTRUMENTED_LINE / INSTRUMENTED_INSTRUCTION and keeps the originals
// per code unit in _co_monitoring; a line placeholder may cover an
// instruction placeholder.
void read_originals(Python& py, uint64_t code_addr, CodeInfo& c) {
  const Offsets& o = py.off();
  const OpcodeTable& t = py.layout().opcodes;
  const int line_op = t.opcode("INSTRUMENTED_LINE"), insn_op = t.opcode("INSTRUMENTED_INSTRUCTION");
  if (o.code.co_monitoring == kAbsent || o.monitoring.lines == kAbsent ||
      o.monitoring.per_instruction_opcodes == kAbsent || line_op < 0 || insn_op < 0)
    return;
  const size_t units = c.bytecode.size() / 2;
  bool instrumented = false;
  for (size_t i = 0; i < units && !instrumented; ++i)
    instrumented = c.bytecode[2 * i] == line_op || c.bytecode[2 * i] == insn_op;
  auto& mem = py.mem();
  auto data = instrumented ? mem.ptr(code_addr + o.code.co_monitoring) : std::nullopt;
  if (!data || !*data) return;
  std::vector<uint8_t> lines, per_insn;
  auto read = [&](uint64_t from, size_t size, std::vector<uint8_t>& out) {
    out.resize(size);
    if (!from || !mem.read(from, out.data(), size)) out.clear();
  };
  // Per code unit, `stride` bytes of line data with the original opcode at
  // `original`: 3.12/3.13 an array of structs, 3.14 a struct of its own
  // entry width, its entries starting with the opcode.
  uint64_t lines_at = mem.ptr(*data + o.monitoring.lines).value_or(0), stride = 0, original = 0;
  if (lines_at && o.monitoring.line_data != kAbsent && o.monitoring.line_bytes_per_entry != kAbsent) {
    stride = mem.get<uint8_t>(lines_at + o.monitoring.line_bytes_per_entry).value_or(0);
    lines_at += o.monitoring.line_data;
  } else if (o.monitoring.line_original_opcode != kAbsent) {
    stride = o.monitoring.line_size;
    original = o.monitoring.line_original_opcode;
  }
  if (stride) read(lines_at, units * stride, lines);
  read(mem.ptr(*data + o.monitoring.per_instruction_opcodes).value_or(0), units, per_insn);
  for (size_t i = 0; i < units; ++i) {
    int op = c.bytecode[2 * i];
    if (op == line_op) {
      size_t at = i * stride + original;
      if (!stride || at >= lines.size()) continue;
      op = lines[at];
    }
    if (op == insn_op) {
      if (i >= per_insn.size()) continue;
      op = per_insn[i];
    }
    if (op != c.bytecode[2 * i]) c.originals[uint32_t(2 * i)] = uint8_t(op);
  }
}

}  // namespace

int line_at(const CodeInfo& c, int64_t unit_offset) {
  if (unit_offset < 0) return c.firstlineno;
  return bytecode::line_at(c.lines, uint32_t(unit_offset)).line;
}

std::optional<uint64_t> slot_value(ObjectAccess& access, uint64_t localsplus, const CodeInfo& c,
                                   size_t i) {
  if (i >= c.slots.size()) return std::nullopt;
  Python& py = access.python();
  auto bits = py.mem().ptr(localsplus + i * 8);
  if (!bits) return std::nullopt;
  StackRef slot = decode_stackref(*bits, py.off().tagged_stackrefs);
  if (slot.kind != StackRef::Kind::Object) return std::nullopt;  // unbound (a local is never a tagged int)
  std::optional<uint64_t> value = slot.object;
  // A cell slot holds the cell only once the frame has made it (3.11+
  // MAKE_CELL): before that it is the plain value, so test the type.
  if (c.slots[i].kind == SlotKind::Local || !access.is_instance(*value, "PyCell_Type"))
    return value;
  auto ref = py.mem().ptr(*value + py.off().cell.ob_ref);
  if (!ref || !*ref) return std::nullopt;  // an empty cell: unbound
  return ref;
}

const CodeInfo* CodeCache::get(uint64_t addr) {
  auto it = cache_.find(addr);
  if (it != cache_.end() && it->second.checked_at == stop_) return it->second.info.get();
  auto print = fingerprint(addr);
  if (it != cache_.end() && it->second.info && print && *print == it->second.fingerprint) {
    Entry& e = it->second;
    const std::vector<uint8_t> bytecode = e.info->bytecode;
    const auto originals = e.info->originals;
    if (read_bytecode(addr, *e.info)) {
      if (e.info->bytecode != bytecode || e.info->originals != originals) e.analysis.reset();
      e.checked_at = stop_;
      return e.info.get();
    }
  }
  Entry& e = cache_[addr];
  e.info = read(addr);
  e.fingerprint = print.value_or(Fingerprint());
  e.checked_at = stop_;
  e.analysis.reset();
  return e.info.get();
}

const bytecode::StackAnalysis& CodeCache::stack_analysis(const CodeInfo& c) {
  Entry& e = cache_.at(c.addr);
  if (!e.analysis) {
    auto view = [](const std::vector<uint8_t>& v) {
      return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
    };
    bytecode::DecodeOptions options{&c.originals};
    e.analysis = std::make_unique<bytecode::StackAnalysis>(
        bytecode::analyse_stack(access_.python().layout().opcodes, view(c.bytecode), c.flags,
                                view(c.exceptiontable), options));
  }
  return *e.analysis;
}

std::optional<CodeCache::Fingerprint> CodeCache::fingerprint(uint64_t addr) {
  Python& py = access_.python();
  const auto& o = py.off().code;
  auto& mem = py.mem();
  Fingerprint print;
  for (uint64_t off : {py.off().object.ob_type, o.co_code, o.co_consts, o.co_names, o.co_varnames,
                       o.co_freevars, o.co_cellvars, o.co_filename, o.co_name, o.co_qualname,
                       o.co_lnotab, o.co_linetable, o.co_exceptiontable, o.co_localsplusnames,
                       o.co_localspluskinds}) {
    if (off == kAbsent) continue;
    auto v = mem.ptr(addr + off);
    if (!v) return std::nullopt;
    print.push_back(*v);
  }
  for (uint64_t off : {o.co_argcount, o.co_kwonlyargcount, o.co_stacksize, o.co_flags,
                       o.co_firstlineno}) {
    if (off == kAbsent) continue;
    auto v = mem.get<int32_t>(addr + off);
    if (!v) return std::nullopt;
    print.push_back(uint64_t(*v));
  }
  if (o.co_code_adaptive != kAbsent) {  // 3.11+: ob_size, the bytecode's length
    auto units = access_.var_size(addr);
    if (!units) return std::nullopt;
    print.push_back(uint64_t(*units));
  }
  return print;
}

bool CodeCache::read_bytecode(uint64_t addr, CodeInfo& c) {
  Python& py = access_.python();
  const uint64_t adaptive = py.off().code.co_code_adaptive;
  if (adaptive == kAbsent) return true;  // <=3.10: co_code, an immutable bytes object
  // The length is part of the fingerprint: the same as when first read.
  if (!py.mem().read(addr + adaptive, c.bytecode.data(), c.bytecode.size())) return false;
  c.originals.clear();
  read_originals(py, addr, c);
  return true;
}

std::unique_ptr<CodeInfo> CodeCache::read(uint64_t addr) {
  Python& py = access_.python();
  const auto& o = py.off().code;
  auto& mem = py.mem();
  auto field_ptr = [&](uint64_t off) -> uint64_t {
    return off == kAbsent ? 0 : mem.ptr(addr + off).value_or(0);
  };
  auto field_int = [&](uint64_t off) -> int {
    return off == kAbsent ? 0 : mem.get<int32_t>(addr + off).value_or(0);
  };
  auto bytes_of = [&](uint64_t obj, std::vector<uint8_t>& out) {
    if (!obj) return;
    if (auto b = access_.bytes(obj, kMaxBytecode)) out.assign(b->begin(), b->end());
  };
  auto names_of = [&](uint64_t tuple, SlotKind kind, std::vector<LocalSlot>& out) {
    // More names than kMaxSlots: not a code object's tuple of names.
    auto count = tuple ? access_.var_size(tuple) : std::nullopt;
    if (!count || *count < 0 || *count > int64_t(kMaxSlots)) return;
    if (auto items = access_.tuple_items(tuple, kMaxSlots))
      for (uint64_t item : *items) out.push_back({access_.text(item, 200).value_or("?"), kind});
  };

  if (!access_.is_instance(addr, "PyCode_Type")) return nullptr;
  auto c = std::make_unique<CodeInfo>();
  c->addr = addr;
  c->filename = access_.text(field_ptr(o.co_filename), 1024).value_or("???");
  c->name = access_.text(field_ptr(o.co_name), 256).value_or("???");
  c->qualname = o.co_qualname != kAbsent
                    ? access_.text(field_ptr(o.co_qualname), 512).value_or(c->name) : c->name;
  c->firstlineno = field_int(o.co_firstlineno);
  c->stacksize = field_int(o.co_stacksize);
  int flags = field_int(o.co_flags);
  c->flags = static_cast<uint32_t>(flags);
  c->argcount = field_int(o.co_argcount) + field_int(o.co_kwonlyargcount) +
                ((flags & kCoVarargs) ? 1 : 0) + ((flags & kCoVarkeywords) ? 1 : 0);
  c->consts = field_ptr(o.co_consts);
  c->names = field_ptr(o.co_names);
  bytes_of(field_ptr(o.co_linetable != kAbsent ? o.co_linetable : o.co_lnotab), c->linetable);
  bytes_of(field_ptr(o.co_exceptiontable), c->exceptiontable);

  if (o.co_code_adaptive != kAbsent) {  // 3.11+: bytecode inline, ob_size code units
    auto units = access_.var_size(addr);
    if (!units || *units < 0 || uint64_t(*units) * 2 > kMaxBytecode) return nullptr;
    c->bytecode.resize(*units * 2);
    if (!read_bytecode(addr, *c)) return nullptr;
    std::vector<LocalSlot> names;
    names_of(field_ptr(o.co_localsplusnames), SlotKind::Local, names);
    std::string kinds;
    if (uint64_t k = field_ptr(o.co_localspluskinds)) kinds = access_.bytes(k, kMaxSlots).value_or("");
    for (size_t i = 0; i < names.size(); ++i) {
      uint8_t kind = i < kinds.size() ? uint8_t(kinds[i]) : 0;
      // An argument captured by an inner function is LOCAL|CELL: its slot holds the cell.
      names[i].kind = (kind & kKindFree)   ? SlotKind::Free
                      : (kind & kKindCell) ? SlotKind::Cell
                                           : SlotKind::Local;
    }
    c->slots = std::move(names);
  } else {
    bytes_of(field_ptr(o.co_code), c->bytecode);
    names_of(field_ptr(o.co_varnames), SlotKind::Local, c->slots);
    names_of(field_ptr(o.co_cellvars), SlotKind::Cell, c->slots);
    names_of(field_ptr(o.co_freevars), SlotKind::Free, c->slots);
  }
  for (int i = 0; i < c->argcount && i < int(c->slots.size()); ++i) c->slots[i].is_arg = true;
  std::string_view table(reinterpret_cast<const char*>(c->linetable.data()), c->linetable.size());
  c->lines = bytecode::decode_line_table(py.layout().opcodes.line_table, table, c->firstlineno,
                                         c->bytecode.size());
  return c;
}

}  // namespace cpydbg
