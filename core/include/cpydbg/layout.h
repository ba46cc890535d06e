// The layout table of one CPython build: struct sizes, field offsets, enum
// values and the per-version bytecode metadata the walker needs. Tables are
// produced from DWARF by cpydbg-layout and read back here; nothing in the
// runtime walker knows an offset that did not come through this type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cpydbg {

// One line that says what is wrong with a table or a lookup in it.
class LayoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kLayoutSchema = 1;

struct FieldInfo {
  uint64_t offset = 0;     // bytes from the start of the struct
  uint64_t size = 0;       // bytes (for a bitfield: its storage unit)
  int64_t bit_offset = -1; // bitfields only: bits from the struct start, LSB-first
  uint32_t bit_size = 0;   // bitfields only
  std::string type;        // C type as DWARF names it, for diff and humans

  bool is_bitfield() const { return bit_offset >= 0; }
};

struct StructInfo {
  uint64_t size = 0;
  // Nested struct/union members are flattened with dotted names
  // ("ob_base.ob_type"), each with its offset from the outermost struct.
  std::map<std::string, FieldInfo> fields;
};

struct Flavour {
  bool debug = false;          // Py_DEBUG
  bool free_threaded = false;  // Py_GIL_DISABLED
  bool trace_refs = false;     // Py_TRACE_REFS

  std::string suffix() const;  // "" / "debug" / "debug-trace_refs" ...
  bool operator==(const Flavour&) const = default;
};

// How an opcode's stack effect depends on its argument:
//   effect(arg) = by_arg[arg & 0xff] + high_byte * (arg >> 8)
// which fits every opcode of 2.7 … 3.13 (constants, linear counts, flag
// bits, UNPACK_EX's two-byte argument).
struct StackEffect {
  std::vector<int32_t> by_arg;  // 256 entries, or 1 when constant
  int32_t high_byte = 0;

  int32_t at(uint32_t arg) const {
    int32_t low = by_arg.size() == 1 ? by_arg[0] : by_arg[arg & 0xff];
    return low + high_byte * static_cast<int32_t>(arg >> 8);
  }
};

// Bytecode facts of one version; see layouts/README.md for where each comes
// from and how the generator fills it.
struct OpcodeTable {
  std::vector<std::string> names;       // by opcode number; "" = unused
  std::vector<uint8_t> cache_entries;   // inline CACHE code units after each op (3.11+)
  std::vector<uint16_t> deopt;          // specialised -> base opcode (identity if none)
  int have_argument = 90;
  int extended_arg = -1;
  int cache_opcode = -1;                // CACHE (3.11+), else -1
  std::vector<uint16_t> hasjrel, hasjabs, hasconst, hasname, haslocal, hasfree,
      hascompare;
  // Opcodes whose argument byte is meaningful. 3.13 breaks the old rule
  // "op >= have_argument" (WITH_EXCEPT_START = 44 = HAVE_ARGUMENT has none);
  // empty (older tables) means that rule.
  std::vector<uint16_t> hasarg;
  // Stack effects of non-jumping and jumping execution, by opcode number.
  std::map<int, StackEffect> effect_nojump, effect_jump;
  std::string line_table;               // "lnotab27", "lnotab", "linetable310", "locations311"
  std::string jump_unit;                // "bytes" or "code_units": unit of jump args
  bool backward_jumps_relative = false; // 3.11+ JUMP_BACKWARD etc. (relative, negative)
  std::map<std::string, std::string> provenance;  // what came from where

  int opcode(std::string_view name) const;  // -1 when absent
  bool has(const std::vector<uint16_t>& set, int op) const;
};

struct Layout {
  int schema = kLayoutSchema;
  std::string python_version;  // exact, e.g. "3.12.1"
  uint32_t version_hex = 0;    // PY_VERSION_HEX
  Flavour flavour;
  std::string arch = "x86_64";
  int pointer_size = 8;
  bool little_endian = true;
  std::string build_id;        // of the file the DWARF came from
  std::string producer;        // DW_AT_producer
  std::string generated_from;  // path the table was generated from
  // Non-empty for a partial table: what its offsets came from
  // ("_Py_DebugOffsets"). It has only what that source gives (see
  // runtime/partial_layout.h), and commands needing more refuse.
  std::string partial_from;
  std::map<std::string, StructInfo> structs;
  std::map<std::string, std::map<std::string, int64_t>> enums;
  std::map<std::string, int64_t> constants;  // e.g. "long_digit_bits"
  OpcodeTable opcodes;

  int major() const { return (version_hex >> 24) & 0xff; }
  int minor() const { return (version_hex >> 16) & 0xff; }
  // "3.12", the major.minor a table is selected by.
  std::string series() const;
  // "cpython-3.12-x86_64" or "cpython-3.11-debug-x86_64".
  std::string name() const;

  // Throw LayoutError naming the struct/field and the version when absent.
  const StructInfo& struct_info(std::string_view name) const;
  const FieldInfo& field(std::string_view struct_name, std::string_view field_name) const;
  uint64_t offset(std::string_view struct_name, std::string_view field_name) const {
    return field(struct_name, field_name).offset;
  }
  uint64_t size(std::string_view struct_name) const { return struct_info(struct_name).size; }
  // Null when absent: for fields that exist only in some versions.
  const FieldInfo* find_field(std::string_view struct_name, std::string_view field_name) const;
  const StructInfo* find_struct(std::string_view name) const;
  std::optional<int64_t> enum_value(std::string_view en, std::string_view name) const;
  std::optional<int64_t> constant(std::string_view name) const;
};

// JSON <-> Layout. parse_layout throws LayoutError with one readable line
// (what is missing or malformed and where) for any bad input.
Layout parse_layout(std::string_view json_text, std::string_view origin);
Layout layout_from_json(const nlohmann::json& j, std::string_view origin);
nlohmann::json layout_to_json(const Layout& layout);
std::string dump_layout(const Layout& layout);  // pretty, stable key order

// Layout <-> the compact binary form the built-in tables are compiled in as
// (cpydbg-pack-table makes it from the JSON at build time): decoding it is a
// fraction of the JSON parse. decode_layout throws LayoutError on bad input.
std::string encode_layout(const Layout& layout);
Layout decode_layout(std::string_view bytes, std::string_view origin);
bool is_encoded_layout(std::string_view bytes);
// What a table is for, read from an encoded one without decoding the rest;
// nullopt when the bytes are not an encoded table.
struct LayoutHeader {
  int schema = 0;
  uint32_t version_hex = 0;
  Flavour flavour;
};
std::optional<LayoutHeader> peek_layout_header(std::string_view bytes);

// "3.12.1" + release level from a PY_VERSION_HEX.
std::string version_string(uint32_t version_hex);
// Parse "3.12.1" / "3.12" / "3.13.0rc1" into a PY_VERSION_HEX; 0 if unparsable.
uint32_t parse_version(std::string_view text);

}  // namespace cpydbg
