// Layout <-> JSON. Every malformed input becomes one LayoutError line that
// names the table and the JSON path that is wrong.
#include <nlohmann/json.hpp>

#include "cpydbg/layout.h"

namespace cpydbg {
namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw LayoutError("layout table " + origin_ + ": " + (path.empty() ? "the document" : path) +
                      " " + what +
                      " (regenerate it with: cpydbg-layout generate <libpython or python binary>)");
  }
  const json& member(const json& obj, const std::string& path, const char* key) const {
    if (!obj.is_object()) fail(path, "is not an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path + "." + key, "is missing");
    return *it;
  }
  int64_t integer(const json& obj, const std::string& path, const char* key) const {
    const json& v = member(obj, path, key);
    if (!v.is_number_integer()) fail(path + "." + key, "is not an integer");
    return v.get<int64_t>();
  }
  uint64_t count(const json& obj, const std::string& path, const char* key) const {
    int64_t v = integer(obj, path, key);
    if (v < 0 || v > (int64_t(1) << 32)) fail(path + "." + key, "is out of range");
    return static_cast<uint64_t>(v);
  }
  std::string string(const json& obj, const std::string& path, const char* key) const {
    const json& v = member(obj, path, key);
    if (!v.is_string()) fail(path + "." + key, "is not a string");
    return v.get<std::string>();
  }
  std::string optional_string(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  bool boolean(const json& obj, const std::string& path, const char* key) const {
    const json& v = member(obj, path, key);
    if (!v.is_boolean()) fail(path + "." + key, "is not true/false");
    return v.get<bool>();
  }
  template <typename T>
  std::vector<T> int_list(const json& obj, const std::string& path, const char* key,
                          int64_t lo, int64_t hi) const {
    std::vector<T> out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    if (!it->is_array()) fail(path + "." + key, "is not a list");
    for (const json& v : *it) {
      if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
        fail(path + "." + key, "holds a value that is not an integer in [" + std::to_string(lo) +
                                   ", " + std::to_string(hi) + "]");
      out.push_back(static_cast<T>(v.get<int64_t>()));
    }
    return out;
  }

 private:
  std::string origin_;
};

StackEffect effect_from_json(const Reader& r, const json& v, const std::string& path) {
  StackEffect e;
  if (v.is_number_integer()) {
    e.by_arg = {static_cast<int32_t>(v.get<int64_t>())};
    return e;
  }
  e.by_arg = r.int_list<int32_t>(v, path, "by_arg", -100000, 100000);
  if (e.by_arg.size() != 256) r.fail(path + ".by_arg", "must have 256 entries");
  if (v.contains("high_byte")) e.high_byte = static_cast<int32_t>(r.integer(v, path, "high_byte"));
  return e;
}

json effect_to_json(const StackEffect& e) {
  if (e.by_arg.size() == 1 && e.high_byte == 0) return e.by_arg[0];
  json j = {{"by_arg", e.by_arg}};
  if (e.high_byte) j["high_byte"] = e.high_byte;
  return j;
}

OpcodeTable opcodes_from_json(const Reader& r, const json& j) {
  const std::string p = "opcodes";
  OpcodeTable t;
  const json& names = r.member(j, p, "names");
  if (!names.is_array() || names.size() > 1024) r.fail(p + ".names", "is not a list of names");
  for (const json& n : names) {
    if (!n.is_string()) r.fail(p + ".names", "holds a non-string");
    t.names.push_back(n.get<std::string>());
  }
  t.cache_entries = r.int_list<uint8_t>(j, p, "cache_entries", 0, 255);
  t.deopt = r.int_list<uint16_t>(j, p, "deopt", 0, 1023);
  t.have_argument = static_cast<int>(r.integer(j, p, "have_argument"));
  t.extended_arg = static_cast<int>(r.integer(j, p, "extended_arg"));
  if (j.contains("cache_opcode")) t.cache_opcode = static_cast<int>(r.integer(j, p, "cache_opcode"));
  t.hasjrel = r.int_list<uint16_t>(j, p, "hasjrel", 0, 1023);
  t.hasjabs = r.int_list<uint16_t>(j, p, "hasjabs", 0, 1023);
  t.hasconst = r.int_list<uint16_t>(j, p, "hasconst", 0, 1023);
  t.hasname = r.int_list<uint16_t>(j, p, "hasname", 0, 1023);
  t.haslocal = r.int_list<uint16_t>(j, p, "haslocal", 0, 1023);
  t.hasfree = r.int_list<uint16_t>(j, p, "hasfree", 0, 1023);
  t.hascompare = r.int_list<uint16_t>(j, p, "hascompare", 0, 1023);
  if (j.contains("hasarg")) t.hasarg = r.int_list<uint16_t>(j, p, "hasarg", 0, 1023);
  t.line_table = r.string(j, p, "line_table");
  t.jump_unit = r.string(j, p, "jump_unit");
  if (j.contains("backward_jumps_relative"))
    t.backward_jumps_relative = r.boolean(j, p, "backward_jumps_relative");
  for (const char* key : {"effect_nojump", "effect_jump"}) {
    auto& out = std::string_view(key) == "effect_jump" ? t.effect_jump : t.effect_nojump;
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_object()) r.fail(p + "." + key, "is not an object");
    for (auto& [op, v] : it->items()) {
      int num = -1;
      try {
        num = std::stoi(op);
      } catch (...) {
      }
      if (num < 0 || num > 1023) r.fail(p + "." + key + "." + op, "is not an opcode number");
      out[num] = effect_from_json(r, v, p + "." + key + "." + op);
    }
  }
  if (auto it = j.find("provenance"); it != j.end() && it->is_object())
    for (auto& [k, v] : it->items())
      if (v.is_string()) t.provenance[k] = v.get<std::string>();
  return t;
}

json opcodes_to_json(const OpcodeTable& t) {
  json j = {{"names", t.names},
            {"cache_entries", t.cache_entries},
            {"deopt", t.deopt},
            {"have_argument", t.have_argument},
            {"extended_arg", t.extended_arg},
            {"cache_opcode", t.cache_opcode},
            {"hasjrel", t.hasjrel},
            {"hasjabs", t.hasjabs},
            {"hasconst", t.hasconst},
            {"hasname", t.hasname},
            {"haslocal", t.haslocal},
            {"hasfree", t.hasfree},
            {"hascompare", t.hascompare},
            {"hasarg", t.hasarg},
            {"line_table", t.line_table},
            {"jump_unit", t.jump_unit},
            {"backward_jumps_relative", t.backward_jumps_relative},
            {"provenance", t.provenance}};
  for (const auto& [key, effects] :
       {std::pair{"effect_nojump", &t.effect_nojump}, {"effect_jump", &t.effect_jump}}) {
    json e = json::object();
    for (const auto& [op, eff] : *effects) e[std::to_string(op)] = effect_to_json(eff);
    j[key] = std::move(e);
  }
  return j;
}

}  // namespace

Layout layout_from_json(const json& j, std::string_view origin) {
  Reader r(origin);
  Layout l;
  l.schema = static_cast<int>(r.integer(j, "", "schema"));
  if (l.schema != kLayoutSchema)
    r.fail(".schema", "is " + std::to_string(l.schema) + ", this cpydbg reads schema " +
                          std::to_string(kLayoutSchema));
  const json& py = r.member(j, "", "python");
  l.python_version = r.string(py, ".python", "version");
  l.version_hex = static_cast<uint32_t>(r.count(py, ".python", "hex"));
  if ((l.version_hex >> 24) != 2 && (l.version_hex >> 24) != 3)
    r.fail(".python.hex", "is not a CPython 2 or 3 version");
  const json& fl = r.member(py, ".python", "flavour");
  l.flavour.debug = r.boolean(fl, ".python.flavour", "debug");
  l.flavour.free_threaded = r.boolean(fl, ".python.flavour", "free_threaded");
  l.flavour.trace_refs = r.boolean(fl, ".python.flavour", "trace_refs");
  const json& abi = r.member(j, "", "abi");
  l.arch = r.string(abi, ".abi", "arch");
  l.pointer_size = static_cast<int>(r.integer(abi, ".abi", "pointer_size"));
  if (l.pointer_size != 4 && l.pointer_size != 8) r.fail(".abi.pointer_size", "is not 4 or 8");
  l.little_endian = r.string(abi, ".abi", "byte_order") == "little";
  if (auto it = j.find("source"); it != j.end() && it->is_object()) {
    l.build_id = r.optional_string(*it, "build_id");
    l.producer = r.optional_string(*it, "producer");
    l.generated_from = r.optional_string(*it, "file");
    l.partial_from = r.optional_string(*it, "partial_from");
  }
  const json& structs = r.member(j, "", "structs");
  if (!structs.is_object()) r.fail(".structs", "is not an object");
  for (auto& [name, sj] : structs.items()) {
    const std::string sp = ".structs." + name;
    StructInfo s;
    s.size = r.count(sj, sp, "size");
    const json& fields = r.member(sj, sp, "fields");
    if (!fields.is_object()) r.fail(sp + ".fields", "is not an object");
    for (auto& [fname, fj] : fields.items()) {
      const std::string fp = sp + ".fields." + fname;
      FieldInfo f;
      f.offset = r.count(fj, fp, "offset");
      f.size = r.count(fj, fp, "size");
      if (fj.contains("bit_offset")) {
        f.bit_offset = static_cast<int64_t>(r.count(fj, fp, "bit_offset"));
        f.bit_size = static_cast<uint32_t>(r.count(fj, fp, "bit_size"));
        if (f.bit_size == 0 || f.bit_size > 64) r.fail(fp + ".bit_size", "is not in 1..64");
      }
      f.type = r.optional_string(fj, "type");
      if (f.offset + f.size > s.size && s.size != 0 && !f.is_bitfield() && f.size != 0)
        r.fail(fp, "lies outside its struct (offset " + std::to_string(f.offset) + " + size " +
                       std::to_string(f.size) + " > " + std::to_string(s.size) + ")");
      s.fields.emplace(fname, std::move(f));
    }
    l.structs.emplace(name, std::move(s));
  }
  if (auto it = j.find("enums"); it != j.end()) {
    if (!it->is_object()) r.fail(".enums", "is not an object");
    for (auto& [ename, ej] : it->items()) {
      if (!ej.is_object()) r.fail(".enums." + ename, "is not an object");
      for (auto& [k, v] : ej.items()) {
        if (!v.is_number_integer()) r.fail(".enums." + ename + "." + k, "is not an integer");
        l.enums[ename][k] = v.get<int64_t>();
      }
    }
  }
  if (auto it = j.find("constants"); it != j.end()) {
    if (!it->is_object()) r.fail(".constants", "is not an object");
    for (auto& [k, v] : it->items()) {
      if (!v.is_number_integer()) r.fail(".constants." + k, "is not an integer");
      l.constants[k] = v.get<int64_t>();
    }
  }
  l.opcodes = opcodes_from_json(r, r.member(j, "", "opcodes"));
  return l;
}

Layout parse_layout(std::string_view text, std::string_view origin) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    throw LayoutError("layout table " + std::string(origin) +
                      ": not valid JSON (truncated or corrupt file?); regenerate it with "
                      "cpydbg-layout generate");
  return layout_from_json(j, origin);
}

json layout_to_json(const Layout& l) {
  json structs = json::object();
  for (const auto& [name, s] : l.structs) {
    json fields = json::object();
    for (const auto& [fname, f] : s.fields) {
      json fj = {{"offset", f.offset}, {"size", f.size}};
      if (f.is_bitfield()) {
        fj["bit_offset"] = f.bit_offset;
        fj["bit_size"] = f.bit_size;
      }
      if (!f.type.empty()) fj["type"] = f.type;
      fields[fname] = std::move(fj);
    }
    structs[name] = {{"size", s.size}, {"fields", std::move(fields)}};
  }
  json source = {{"file", l.generated_from}, {"build_id", l.build_id}, {"producer", l.producer}};
  if (!l.partial_from.empty()) source["partial_from"] = l.partial_from;
  return {{"schema", l.schema},
          {"python",
           {{"version", l.python_version},
            {"hex", l.version_hex},
            {"flavour",
             {{"debug", l.flavour.debug},
              {"free_threaded", l.flavour.free_threaded},
              {"trace_refs", l.flavour.trace_refs}}}}},
          {"abi",
           {{"arch", l.arch},
            {"pointer_size", l.pointer_size},
            {"byte_order", l.little_endian ? "little" : "big"}}},
          {"source", std::move(source)},
          {"structs", std::move(structs)},
          {"enums", l.enums},
          {"constants", l.constants},
          {"opcodes", opcodes_to_json(l.opcodes)}};
}

std::string dump_layout(const Layout& l) { return layout_to_json(l).dump(1) + "\n"; }

}  // namespace cpydbg
