// Struct flattening; see flatten.h.
#include "dwarf/flatten.h"

namespace cpydbg::dwarf {
namespace {

class Flattener {
 public:
  Flattener(const DwarfFile& file, TypeCache& types, const FlattenLimits& limits,
            const CompleteFn& complete, StructInfo& out)
      : file_(file), types_(types), limits_(limits), complete_(complete), out_(out) {}

  // `depth` counts named levels (dotted name parts); anonymous members add
  // no name part, so they do not count, but `anonymous` bounds them too.
  void members(const Die& aggregate, uint64_t base, const std::string& prefix, int depth,
               int anonymous) {
    for (Die m = aggregate.child(); m; m = m.sibling())
      if (m.tag() == DW_TAG_member) member(m, base, prefix, depth, anonymous);
  }

 private:
  void member(const Die& m, uint64_t base, const std::string& prefix, int depth, int anonymous) {
    std::string name = m.name();
    auto type = m.ref(DW_AT_type);
    if (m.has(DW_AT_bit_size)) {
      if (!name.empty()) bitfield(m, base, prefix + name, type);
      return;  // an unnamed bitfield is padding
    }
    uint64_t offset = base + uint64_t(m.member_location().value_or(0));
    FieldInfo f;
    f.offset = offset;
    f.size = types_.size(type).value_or(0);
    f.type = types_.spell(type);
    // Descend into struct/union members (anonymous ones add no name part).
    auto agg = aggregate_of(type);
    bool room = name.empty() ? anonymous < limits_.max_depth : depth < limits_.max_depth;
    if (agg && room) {
      Die def = file_.at(*agg);
      if (count_members(def) <= limits_.max_members) {
        if (name.empty()) {
          members(def, offset, prefix, depth, anonymous + 1);
        } else {
          out_.fields[prefix + name] = f;
          members(def, offset, prefix + name + ".", depth + 1, anonymous);
        }
        return;
      }
    }
    if (name.empty()) name = "<anonymous@" + std::to_string(offset) + ">";
    out_.fields[prefix + name] = f;
  }

  void bitfield(const Die& m, uint64_t base, const std::string& name,
                std::optional<uint64_t> type) {
    FieldInfo f;
    f.type = types_.spell(type);
    f.bit_size = uint32_t(m.constant(DW_AT_bit_size).value_or(0));
    uint64_t unit = m.constant(DW_AT_byte_size).value_or(0);
    if (!unit) unit = types_.size(type).value_or(4);
    if (!unit) unit = 4;
    int64_t bits;  // LSB-first, from the start of the outermost struct
    if (auto dbo = m.constant(DW_AT_data_bit_offset)) {
      // DWARF 5: already LSB-first from the start of the containing struct.
      bits = int64_t(base) * 8 + *dbo;
    } else {
      // DWARF 4: DW_AT_bit_offset counts from the MSB of a storage unit that
      // starts at DW_AT_data_member_location (little-endian targets).
      int64_t storage = int64_t(base) + m.member_location().value_or(0);
      int64_t msb = m.signed_constant(DW_AT_bit_offset).value_or(0);
      bits = storage * 8 + int64_t(unit) * 8 - msb - f.bit_size;
    }
    if (bits < 0) bits = 0;
    f.bit_offset = bits;
    // Report the naturally aligned storage unit that holds the field, the
    // same for both encodings.
    f.size = unit;
    f.offset = uint64_t(bits) / (unit * 8) * unit;
    out_.fields[name] = f;
  }

  // The complete struct/union definition behind a member type, if it is one.
  std::optional<uint64_t> aggregate_of(std::optional<uint64_t> type) {
    auto t = types_.strip(type);
    if (!t) return std::nullopt;
    Dwarf_Half tag = types_.tag(*t);
    if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type) return std::nullopt;
    if (file_.at(*t).flag(DW_AT_declaration)) return complete_(*t);
    return t;
  }

  static size_t count_members(const Die& d) {
    size_t n = 0;
    for (Die m = d.child(); m; m = m.sibling())
      if (m.tag() == DW_TAG_member) ++n;
    return n;
  }

  const DwarfFile& file_;
  TypeCache& types_;
  const FlattenLimits& limits_;
  const CompleteFn& complete_;
  StructInfo& out_;
};

}  // namespace

StructInfo flatten_struct(const DwarfFile& file, TypeCache& types, uint64_t struct_die,
                          const FlattenLimits& limits, const CompleteFn& complete) {
  StructInfo out;
  Die d = file.at(struct_die);
  out.size = uint64_t(d.constant(DW_AT_byte_size).value_or(0));
  Flattener(file, types, limits, complete, out).members(d, 0, "", 1, 0);
  return out;
}

}  // namespace cpydbg::dwarf
