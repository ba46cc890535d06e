// The one CU pass; see index.h.
#include "dwarf/index.h"

namespace cpydbg::dwarf {

std::optional<uint64_t> DwarfIndex::complete(uint64_t off) const {
  auto d = declarations.find(off);
  if (d == declarations.end()) return off;
  auto t = tags.find(d->second);
  if (t == tags.end()) return std::nullopt;
  return t->second;
}

DwarfIndex build_index(DwarfFile& file, const std::set<std::string>& markers) {
  DwarfIndex ix;
  while (file.next_cu()) {
    ++ix.cus;
    int v = file.cu_version();
    if (!ix.dwarf_min || v < ix.dwarf_min) ix.dwarf_min = v;
    if (v > ix.dwarf_max) ix.dwarf_max = v;
    if (!ix.address_size) ix.address_size = file.cu_address_size();
    Die cu = file.cu_die();
    if (!cu) continue;
    // LTO link-time units say "GNU GIMPLE"; the compile-time ones carry the
    // real compiler and flags.
    if (ix.producer.empty() || ix.producer.rfind("GNU GIMPLE", 0) == 0) {
      std::string p = cu.string(DW_AT_producer);
      if (!p.empty()) ix.producer = p;
    }
    for (Die d = cu.child(); d; d = d.sibling()) {
      Dwarf_Half tag = d.tag();
      const char* kind = tag == DW_TAG_structure_type     ? "struct "
                         : tag == DW_TAG_union_type       ? "union "
                         : tag == DW_TAG_enumeration_type ? "enum "
                                                          : nullptr;
      if (kind) {
        std::string name = d.name();
        if (name.empty()) continue;
        if (d.flag(DW_AT_declaration)) ix.declarations.emplace(d.offset(), kind + name);
        else ix.tags.emplace(kind + name, d.offset());
      } else if (tag == DW_TAG_typedef) {
        std::string name = d.name();
        if (!name.empty()) ix.typedefs.emplace(name, d.offset());
      } else if (tag == DW_TAG_variable || tag == DW_TAG_subprogram) {
        std::string name = d.name();
        if (!name.empty() && markers.count(name)) ix.symbols.insert(name);
      }
    }
  }
  return ix;
}

}  // namespace cpydbg::dwarf
