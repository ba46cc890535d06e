// extract_layout: DWARF index -> structs, enums, constants, flavour and
// version of one CPython build. See cpydbg/dwarf.h.
#include <filesystem>

#include "cpydbg/dwarf.h"
#include "elf/elf_file.h"
#include "dwarf/flatten.h"
#include "dwarf/flavour.h"
#include "dwarf/index.h"
#include "dwarf/types.h"

namespace cpydbg {
namespace {

using dwarf::Die;
using dwarf::DwarfFile;
using dwarf::DwarfIndex;
using dwarf::TypeCache;

// Where libdwarf looks for a separate debug file (its default global path).
constexpr const char* kDebugDir = "/usr/lib/debug";

std::string missing_dwarf_message(const std::string& path, const ElfFile& elf) {
  std::string where = path;
  std::string id = elf.ok() ? elf.build_id() : "";
  if (id.size() > 2)
    where += ", " + std::string(kDebugDir) + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) +
             ".debug";
  std::string link = elf.ok() ? elf.debuglink() : "";
  if (!link.empty()) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    where += ", debuglink " + link + " (in " + dir + ", " + dir + "/.debug, " + kDebugDir + dir +
             ")";
  }
  uint32_t hex = detect_version_hex(path);
  std::string pkg = hex ? "python" + std::to_string(hex >> 24) + "." +
                              std::to_string((hex >> 16) & 0xff) + "-dbg"
                        : "python3.X-dbg";
  return "no DWARF debug info for " + path + " (looked in " + where +
         "); install its debug symbols (Debian/Ubuntu: apt install " + pkg +
         ") or build Python with -g";
}

// A plain name is a typedef first, then a tag; "struct X" only the tag.
std::optional<uint64_t> resolve(const DwarfIndex& ix, TypeCache& types, const std::string& name,
                                bool want_enum) {
  auto tagged = [&](const std::string& n) -> std::optional<uint64_t> {
    auto it = ix.tags.find(n);
    return it == ix.tags.end() ? std::nullopt : std::optional(it->second);
  };
  if (name.rfind("struct ", 0) == 0 || name.rfind("union ", 0) == 0 || name.rfind("enum ", 0) == 0)
    return tagged(name);
  if (auto td = ix.typedefs.find(name); td != ix.typedefs.end()) {
    auto target = types.strip(td->second);
    if (target) {
      Dwarf_Half tag = types.tag(*target);
      bool ok = want_enum ? tag == DW_TAG_enumeration_type
                          : tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
      if (ok) {
        if (auto complete = ix.complete(*target)) return complete;
      }
    }
  }
  if (want_enum) return tagged("enum " + name);
  if (auto s = tagged("struct " + name)) return s;
  return tagged("union " + name);
}

// gcc writes negative enumerators as DW_FORM_sdata and the others as
// unsigned dataN (200 in a signed enum is data1 0xc8), so the form decides.
// The libpython a dynamically linked python executable needs, looked for
// where pyenv/"make install" layouts put it: <prefix>/lib next to bin/.
std::string libpython_of(const std::string& path, const ElfFile& elf) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  for (const std::string& needed : elf.needed()) {
    if (needed.rfind("libpython", 0) != 0) continue;
    for (const fs::path& candidate : {dir.parent_path() / "lib" / needed, dir / needed}) {
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  return "";
}

std::map<std::string, int64_t> read_enum(const DwarfFile& file, uint64_t off) {
  std::map<std::string, int64_t> values;
  Die e = file.at(off);
  for (Die c = e.child(); c; c = c.sibling()) {
    if (c.tag() != DW_TAG_enumerator) continue;
    if (auto v = c.constant(DW_AT_const_value)) values[c.name()] = *v;
  }
  return values;
}

std::optional<uint64_t> typedef_size(const DwarfIndex& ix, TypeCache& types,
                                     const std::string& name) {
  auto it = ix.typedefs.find(name);
  return it == ix.typedefs.end() ? std::nullopt : types.size(it->second);
}

}  // namespace

Layout extract_layout(const std::string& path, const ExtractOptions& options,
                      ExtractReport* report) {
  ExtractReport local;
  ExtractReport& rep = report ? *report : local;
  ElfFile elf(path);
  if (!elf.ok()) throw LayoutError(elf.error());
  DwarfFile file(path);
  if (!file.found()) throw NoDebugInfoError(missing_dwarf_message(path, elf));
  rep.dwarf_path = file.true_path();

  DwarfIndex ix = dwarf::build_index(file, dwarf::flavour_markers());
  // libdwarf also accepts a file whose only DWARF is .eh_frame (a stripped
  // library): no compile units means no debug info.
  if (ix.cus == 0) throw NoDebugInfoError(missing_dwarf_message(path, elf));
  rep.compile_units = ix.cus;
  rep.dwarf_version_min = ix.dwarf_min;
  rep.dwarf_version_max = ix.dwarf_max;
  TypeCache types(file, ix.address_size ? ix.address_size : elf.pointer_size());

  Layout l;
  l.arch = elf.arch();
  l.pointer_size = ix.address_size ? ix.address_size : elf.pointer_size();
  l.little_endian = elf.little_endian();
  l.producer = ix.producer;
  l.generated_from = path;
  l.build_id = file.true_path() == path ? elf.build_id() : ElfFile(file.true_path()).build_id();

  dwarf::FlattenLimits limits{options.max_depth, options.max_members};
  auto complete = [&ix](uint64_t off) { return ix.complete(off); };
  for (const WantedType& w : options.structs) {
    std::optional<uint64_t> off;
    for (const std::string& n : w.names)
      if ((off = resolve(ix, types, n, false))) break;
    if (!off) {
      rep.missing_structs.push_back(w.key);
      continue;
    }
    l.structs[w.key] = dwarf::flatten_struct(file, types, *off, limits, complete);
  }
  if (options.require_cpython && !l.structs.count("PyObject")) {
    // A python executable linked against libpython: the types are there.
    if (std::string lib = libpython_of(path, elf); !lib.empty()) {
      rep = ExtractReport{};
      Layout from_lib = extract_layout(lib, options, &rep);
      rep.notes.push_back(path + " is linked against " + lib + "; the table comes from it");
      return from_lib;
    }
    throw LayoutError("the DWARF of " + path + " (" + file.true_path() +
                      ") has no PyObject: not a CPython build, or a python executable linked "
                      "against libpython (generate from the libpython .so instead)");
  }
  for (const WantedType& w : options.enums) {
    std::optional<uint64_t> off;
    for (const std::string& n : w.names)
      if ((off = resolve(ix, types, n, true))) break;
    if (!off) {
      rep.missing_enums.push_back(w.key);
      continue;
    }
    l.enums[w.key] = read_enum(file, *off);
  }

  // PyLong digits are 30-bit in a 4-byte `digit`, 15-bit in a 2-byte one.
  if (auto digit = typedef_size(ix, types, "digit"))
    l.constants["long_digit_bits"] = *digit == 4 ? 30 : *digit == 2 ? 15 : int64_t(*digit) * 8;
  if (auto ssize = typedef_size(ix, types, "Py_ssize_t")) l.constants["py_ssize_t_size"] = *ssize;

  l.flavour = dwarf::detect_flavour(l, ix, rep.notes);

  std::string how;
  if (!options.version.empty()) {
    l.version_hex = parse_version(options.version);
    if (!l.version_hex) throw LayoutError("cannot parse the version \"" + options.version + "\"");
    how = "given on the command line";
  } else {
    std::string from = options.version_from.empty() ? path : options.version_from;
    l.version_hex = detect_version_hex(from, &how);
    if (!l.version_hex)
      throw LayoutError("cannot find the Python version in " + from +
                        " (no Py_Version or Py_GetVersion data; a .debug file holds none): "
                        "name the stripped binary it belongs to (cpydbg-layout generate --elf "
                        "BINARY) or the version (--version X.Y.Z)");
  }
  l.python_version = version_string(l.version_hex);
  rep.notes.push_back("version " + l.python_version + ": " + how);
  return l;
}

}  // namespace cpydbg
