// Layout lookups and version strings.
#include "cpydbg/layout.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace cpydbg {

std::string Flavour::suffix() const {
  std::string s;
  auto add = [&s](const char* part) {
    if (!s.empty()) s += '-';
    s += part;
  };
  if (debug) add("debug");
  if (free_threaded) add("free_threaded");
  if (trace_refs) add("trace_refs");
  return s;
}

int OpcodeTable::opcode(std::string_view name) const {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

bool OpcodeTable::has(const std::vector<uint16_t>& set, int op) const {
  return std::find(set.begin(), set.end(), op) != set.end();
}

std::string Layout::series() const {
  return std::to_string(major()) + "." + std::to_string(minor());
}

std::string Layout::name() const {
  std::string n = "cpython-" + series();
  std::string suffix = flavour.suffix();
  if (!suffix.empty()) n += "-" + suffix;
  return n + "-" + arch;
}

const StructInfo* Layout::find_struct(std::string_view name) const {
  auto it = structs.find(std::string(name));
  return it == structs.end() ? nullptr : &it->second;
}

const StructInfo& Layout::struct_info(std::string_view name) const {
  if (const StructInfo* s = find_struct(name)) return *s;
  throw LayoutError("the " + this->name() + " table (Python " + python_version +
                    ") has no struct " + std::string(name));
}

const FieldInfo* Layout::find_field(std::string_view struct_name,
                                    std::string_view field_name) const {
  const StructInfo* s = find_struct(struct_name);
  if (!s) return nullptr;
  auto it = s->fields.find(std::string(field_name));
  return it == s->fields.end() ? nullptr : &it->second;
}

const FieldInfo& Layout::field(std::string_view struct_name, std::string_view field_name) const {
  const StructInfo& s = struct_info(struct_name);
  auto it = s.fields.find(std::string(field_name));
  if (it != s.fields.end()) return it->second;
  throw LayoutError("the " + name() + " table (Python " + python_version + ") has no field " +
                    std::string(struct_name) + "." + std::string(field_name));
}

std::optional<int64_t> Layout::enum_value(std::string_view en, std::string_view name) const {
  auto e = enums.find(std::string(en));
  if (e == enums.end()) return std::nullopt;
  auto v = e->second.find(std::string(name));
  if (v == e->second.end()) return std::nullopt;
  return v->second;
}

std::optional<int64_t> Layout::constant(std::string_view name) const {
  auto it = constants.find(std::string(name));
  if (it == constants.end()) return std::nullopt;
  return it->second;
}

std::string version_string(uint32_t hex) {
  char buf[48];
  unsigned level = (hex >> 4) & 0xf, serial = hex & 0xf;
  int n = std::snprintf(buf, sizeof buf, "%u.%u.%u", (hex >> 24) & 0xff, (hex >> 16) & 0xff,
                        (hex >> 8) & 0xff);
  static const char* const kLevels[16] = {"", "", "", "", "", "", "", "", "", "", "a", "b", "rc"};
  if (level != 0xf && kLevels[level][0])
    std::snprintf(buf + n, sizeof buf - n, "%s%u", kLevels[level], serial);
  return buf;
}

uint32_t parse_version(std::string_view text) {
  unsigned part[3] = {0, 0, 0};
  size_t pos = 0;
  int count = 0;
  while (count < 3 && pos < text.size()) {
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), part[count]);
    if (ec != std::errc() || part[count] > 255) return 0;
    pos = end - text.data();
    ++count;
    if (pos < text.size() && text[pos] == '.') ++pos;
    else break;
  }
  if (count < 2) return 0;
  unsigned level = 0xf, serial = 0;
  std::string_view rest = text.substr(pos);
  for (auto [tag, code] : {std::pair{"rc", 0xcu}, {"a", 0xau}, {"b", 0xbu}}) {
    std::string_view t(tag);
    if (rest.substr(0, t.size()) == t) {
      level = code;
      std::from_chars(rest.data() + t.size(), rest.data() + rest.size(), serial);
      rest = {};
      break;
    }
  }
  if (!rest.empty() && rest != "+") return 0;
  return part[0] << 24 | part[1] << 16 | part[2] << 8 | level << 4 | (serial & 0xf);
}

}  // namespace cpydbg
