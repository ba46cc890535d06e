// collect_opcodes: the build's interpreter describes its bytecode (probe
// script embedded below), the build's own symbol tables confirm it (3.11+).
#include "cpydbg/opcode_probe.h"

#include <nlohmann/json.hpp>

#include "elf/elf_file.h"
#include "run_process.h"

// The probe script, assembled into .rodata so an installed cpydbg-layout
// needs no data file next to it. core/CMakeLists.txt defines the path.
#ifndef CPYDBG_OPCODE_PROBE_PY
#error "CPYDBG_OPCODE_PROBE_PY (path of layouts/opcode_probe.py) is not defined"
#endif
extern "C" const char cpydbg_opcode_probe_py[], cpydbg_opcode_probe_py_end[];
__asm__(".section .rodata\n"
        ".hidden cpydbg_opcode_probe_py\n.globl cpydbg_opcode_probe_py\n"
        "cpydbg_opcode_probe_py:\n"
        ".incbin \"" CPYDBG_OPCODE_PROBE_PY "\"\n"
        ".hidden cpydbg_opcode_probe_py_end\n.globl cpydbg_opcode_probe_py_end\n"
        "cpydbg_opcode_probe_py_end:\n"
        ".previous");

namespace cpydbg {

using nlohmann::json;

const std::string& opcode_probe_script() {
  static const std::string text(cpydbg_opcode_probe_py, cpydbg_opcode_probe_py_end);
  return text;
}

namespace {

[[noreturn]] void fail(const std::string& interpreter, const std::string& what) {
  throw LayoutError("opcode probe with " + interpreter + ": " + what);
}

template <typename T>
std::vector<T> int_list(const json& j, const char* key) {
  std::vector<T> out;
  for (const json& v : j.at(key)) out.push_back(static_cast<T>(v.get<int64_t>()));
  return out;
}

StackEffect effect_of(const json& v) {
  StackEffect e;
  if (v.is_number_integer()) {
    e.by_arg = {static_cast<int32_t>(v.get<int64_t>())};
    return e;
  }
  e.by_arg = int_list<int32_t>(v, "by_arg");
  if (e.by_arg.size() != 256) throw std::runtime_error("by_arg without 256 entries");
  e.high_byte = static_cast<int32_t>(v.value("high_byte", 0));
  return e;
}

OpcodeTable table_from_probe(const json& j) {
  OpcodeTable t;
  t.names = j.at("names").get<std::vector<std::string>>();
  t.deopt = int_list<uint16_t>(j, "deopt");
  t.cache_entries = int_list<uint8_t>(j, "cache_entries");
  t.have_argument = j.at("have_argument").get<int>();
  t.extended_arg = j.at("extended_arg").get<int>();
  t.cache_opcode = j.at("cache_opcode").get<int>();
  t.hasjrel = int_list<uint16_t>(j, "hasjrel");
  t.hasjabs = int_list<uint16_t>(j, "hasjabs");
  t.hasconst = int_list<uint16_t>(j, "hasconst");
  t.hasname = int_list<uint16_t>(j, "hasname");
  t.haslocal = int_list<uint16_t>(j, "haslocal");
  t.hasfree = int_list<uint16_t>(j, "hasfree");
  t.hascompare = int_list<uint16_t>(j, "hascompare");
  t.hasarg = int_list<uint16_t>(j, "hasarg");
  t.line_table = j.at("line_table").get<std::string>();
  t.jump_unit = j.at("jump_unit").get<std::string>();
  t.backward_jumps_relative = j.at("backward_jumps_relative").get<bool>();
  for (auto [key, out] : {std::pair{"effect_nojump", &t.effect_nojump},
                          std::pair{"effect_jump", &t.effect_jump}})
    for (auto& [op, v] : j.at(key).items()) (*out)[std::stoi(op)] = effect_of(v);
  for (auto& [k, v] : j.at("provenance").items()) t.provenance[k] = v.get<std::string>();
  return t;
}

// The 256-entry byte table behind a local symbol, or empty with a reason.
// A separate .debug file has the symbol but NOBITS data; then the bytes are
// read from the interpreter at the same address when both are one build.
std::string symbol_bytes(const ElfFile& syms, const std::string& interpreter,
                         const char* name, std::string* why) {
  auto sym = syms.symbol(name);
  if (!sym) {
    *why = std::string(name) + " not in the symbol table";
    return {};
  }
  if (sym->size != 256) {
    *why = std::string(name) + " has size " + std::to_string(sym->size) + ", expected 256";
    return {};
  }
  std::string_view b = syms.bytes_at(sym->value, sym->size);
  if (b.size() == sym->size) return std::string(b);
  ElfFile exe(interpreter);
  if (exe.ok() && !exe.build_id().empty() && exe.build_id() == syms.build_id()) {
    b = exe.bytes_at(sym->value, sym->size);
    if (b.size() == sym->size) return std::string(b);
  }
  *why = std::string(name) + " has no file contents there (separate debug file?)";
  return {};
}

void cross_check(OpcodeTable& t, const std::string& interpreter, const std::string& elf,
                 std::vector<std::string>& notes) {
  ElfFile syms(elf);
  if (!syms.ok()) {
    notes.push_back("opcodes: cannot read " + elf + ": " + syms.error());
    return;
  }
  std::string why;
  std::string deopt = symbol_bytes(syms, interpreter, "_PyOpcode_Deopt", &why);
  if (deopt.empty()) {
    notes.push_back("opcodes: deopt map not cross-checked: " + why);
  } else {
    int differ = 0;
    for (size_t op = 0; op < 256 && op < t.names.size(); ++op) {
      if (t.names[op].empty()) continue;
      uint8_t built = static_cast<uint8_t>(deopt[op]);
      if (built != t.deopt[op]) {
        if (++differ <= 8)
          notes.push_back("opcodes: _PyOpcode_Deopt[" + t.names[op] + "] = " +
                          std::to_string(built) + ", interpreter says " +
                          std::to_string(t.deopt[op]) + "; the build's value is kept");
        t.deopt[op] = built;
      }
    }
    t.provenance["deopt"] = differ ? "_PyOpcode_Deopt in " + elf + " (" + std::to_string(differ) +
                                         " entries differ from the interpreter's opcode module)"
                                   : "_PyOpcode_Deopt in " + elf + ", equal to the interpreter's";
  }
  std::string caches = symbol_bytes(syms, interpreter, "_PyOpcode_Caches", &why);
  if (caches.empty()) {
    notes.push_back("opcodes: cache counts not cross-checked: " + why);
  } else {
    int differ = 0;
    for (size_t op = 0; op < 256 && op < t.names.size(); ++op) {
      if (t.names[op].empty()) continue;
      // The C table is indexed by the base opcode (the interpreter reads
      // _PyOpcode_Caches[_PyOpcode_Deopt[op]]); ours holds it per opcode.
      uint8_t built = static_cast<uint8_t>(caches[t.deopt[op]]);
      if (built != t.cache_entries[op]) {
        if (++differ <= 8)
          notes.push_back("opcodes: _PyOpcode_Caches[" + t.names[t.deopt[op]] + "] = " +
                          std::to_string(built) + " for " + t.names[op] +
                          ", interpreter says " + std::to_string(t.cache_entries[op]) +
                          "; the build's value is kept");
        t.cache_entries[op] = built;
      }
    }
    t.provenance["cache_entries"] =
        differ ? "_PyOpcode_Caches in " + elf + " (" + std::to_string(differ) +
                     " entries differ from the interpreter's opcode module)"
               : "_PyOpcode_Caches in " + elf + ", equal to the interpreter's";
  }
}

}  // namespace

OpcodeTable collect_opcodes(const std::string& interpreter,
                            const std::string& elf_with_symbols, uint32_t version_hex,
                            std::vector<std::string>* notes) {
  std::vector<std::string> local_notes;
  std::vector<std::string>& out_notes = notes ? *notes : local_notes;
  // -E -S: no PYTHON* environment, no site-packages; the stdlib is enough.
  auto run = dwarf::run_process({interpreter, "-E", "-S", "-c", opcode_probe_script()});
  if (!run.failure.empty()) fail(interpreter, run.failure);
  if (run.exit_code != 0)
    fail(interpreter, "exit code " + std::to_string(run.exit_code) + ": " +
                          run.err.substr(0, 400));
  json j;
  try {
    j = json::parse(run.out);
  } catch (const std::exception& e) {
    fail(interpreter, std::string("output is not JSON: ") + e.what());
  }
  uint32_t probed = j.value("hexversion", 0u);
  if ((probed >> 16) != (version_hex >> 16))
    fail(interpreter, "is Python " + j.value("version", std::string("?")) + ", the build is " +
                          version_string(version_hex));
  OpcodeTable t;
  try {
    t = table_from_probe(j);
  } catch (const std::exception& e) {
    fail(interpreter, std::string("unexpected output: ") + e.what());
  }
  for (const json& n : j.at("notes")) out_notes.push_back("opcodes: " + n.get<std::string>());
  t.provenance["interpreter"] = interpreter + " (Python " + j.value("version", std::string("?")) +
                                ")";
  if (version_hex >= 0x030b0000) {
    if (elf_with_symbols.empty())
      out_notes.push_back("opcodes: no ELF given, _PyOpcode_Deopt/_PyOpcode_Caches not checked");
    else
      cross_check(t, interpreter, elf_with_symbols, out_notes);
  }
  return t;
}

}  // namespace cpydbg
