// The exact CPython version of a build, read from its own ELF data: the
// Py_Version constant (3.11+), else the PY_VERSION string that
// Py_GetVersion() formats. Never from file names, which lie (venvs,
// renamed copies, distro naming).
#include <cstring>
#include <regex>

#include "cpydbg/dwarf.h"
#include "elf/elf_file.h"

namespace cpydbg {
namespace {

bool plausible(uint32_t hex) {
  uint32_t major = hex >> 24;
  return (major == 2 || major == 3) && ((hex >> 4) & 0xf) >= 0xa;
}

uint32_t from_py_version(const ElfFile& elf) {
  auto sym = elf.symbol("Py_Version");
  if (!sym) return 0;
  std::string_view bytes = elf.bytes_at(sym->value, 4);
  if (bytes.size() != 4) return 0;
  uint32_t v;
  std::memcpy(&v, bytes.data(), 4);  // low half of a little-endian unsigned long
  return plausible(v) ? v : 0;
}

// Py_GetVersion() passes PY_VERSION to snprintf. The linker may merge the
// string into the tail of another one, so find it through the code: every
// rip-relative displacement (lea) or absolute 32-bit immediate in the
// function that lands on a version-shaped string. x86-64 only.
uint32_t from_py_get_version(const ElfFile& elf, std::string* text) {
  auto sym = elf.symbol("Py_GetVersion");
  if (!sym || !sym->size || sym->size > 4096) return 0;
  std::string_view code = elf.bytes_at(sym->value, sym->size);
  static const std::regex shape(R"(([23])\.(\d+)\.(\d+)((a|b|rc)\d+)?\+?)");
  for (size_t i = 0; i + 4 <= code.size(); ++i) {
    int32_t disp;
    std::memcpy(&disp, code.data() + i, 4);
    for (uint64_t target : {sym->value + i + 4 + int64_t(disp), uint64_t(uint32_t(disp))}) {
      if (!elf.in_rodata(target)) continue;
      std::string s = elf.string_at(target, 32);
      if (s.empty() || !std::regex_match(s, shape)) continue;
      uint32_t hex = parse_version(s);
      if (plausible(hex)) {
        if (text) *text = s;
        return hex;
      }
    }
  }
  return 0;
}

}  // namespace

uint32_t detect_version_hex(const std::string& elf_path, std::string* how) {
  ElfFile elf(elf_path);
  if (!elf.ok()) return 0;
  if (uint32_t v = from_py_version(elf)) {
    if (how) *how = "Py_Version constant in " + elf_path;
    return v;
  }
  std::string text;
  if (uint32_t v = from_py_get_version(elf, &text)) {
    if (how) *how = "PY_VERSION string \"" + text + "\" used by Py_GetVersion in " + elf_path;
    return v;
  }
  return 0;
}

}  // namespace cpydbg
