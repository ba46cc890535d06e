// cpydbg-layout diff A B: what changed between two tables, struct by
// struct. Nested fields that merely moved along with their parent are
// folded into the parent's line so an inserted member does not produce
// hundreds of lines.
#include <cstdio>
#include <set>

#include "commands.h"
#include "tables.h"

namespace cpydbg::tool {
namespace {

std::string describe(const FieldInfo& f) {
  std::string s = "@" + std::to_string(f.offset);
  if (f.is_bitfield()) s += " bits " + std::to_string(f.bit_offset) + ":" + std::to_string(f.bit_size);
  s += " size " + std::to_string(f.size);
  if (!f.type.empty()) s += " (" + f.type + ")";
  return s;
}

std::string parent_of(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

int64_t delta(const FieldInfo& a, const FieldInfo& b) { return int64_t(b.offset) - int64_t(a.offset); }

// Lines for one struct present in both tables. `shared_only`: a partial
// table is involved, whose structs hold only some members and whose sizes may
// be unknown (0): compare what both have.
std::vector<std::string> diff_struct(const StructInfo& a, const StructInfo& b, bool shared_only) {
  std::vector<std::string> out;
  if (a.size != b.size && !(shared_only && (a.size == 0 || b.size == 0)))
    out.push_back("  size " + std::to_string(a.size) + " -> " + std::to_string(b.size));
  std::map<std::string, int> folded;  // moved parent -> nested fields folded into it
  for (const auto& [name, fb] : b.fields) {
    auto it = a.fields.find(name);
    if (it == a.fields.end()) {
      if (!shared_only) out.push_back("  + " + name + " " + describe(fb));
      continue;
    }
    const FieldInfo& fa = it->second;
    bool moved = fa.offset != fb.offset || fa.bit_offset != fb.bit_offset;
    bool resized = (fa.size != fb.size && !(shared_only && (fa.size == 0 || fb.size == 0))) ||
                   fa.bit_size != fb.bit_size;
    bool retyped = fa.type != fb.type;
    if (!moved && !resized && !retyped) continue;
    // Folded: only moved, by the same amount as a parent that also moved.
    std::string parent = parent_of(name);
    if (moved && !resized && !retyped && !parent.empty() && a.fields.count(parent) &&
        b.fields.count(parent) && delta(a.fields.at(parent), b.fields.at(parent)) == delta(fa, fb)) {
      std::string top = parent;
      while (!parent_of(top).empty() && a.fields.count(parent_of(top)) &&
             b.fields.count(parent_of(top)) &&
             delta(a.fields.at(parent_of(top)), b.fields.at(parent_of(top))) == delta(fa, fb))
        top = parent_of(top);
      ++folded[top];
      continue;
    }
    std::string line = "  ~ " + name;
    if (moved) {
      line += " moved " + std::to_string(fa.offset) + " -> " + std::to_string(fb.offset);
      if (fa.is_bitfield() || fb.is_bitfield())
        line += " (bits " + std::to_string(fa.bit_offset) + " -> " + std::to_string(fb.bit_offset) + ")";
    }
    if (resized) line += " size " + std::to_string(fa.size) + " -> " + std::to_string(fb.size);
    if (retyped) line += " type " + fa.type + " -> " + fb.type;
    out.push_back(line);
  }
  for (const auto& [name, fa] : a.fields)
    if (!b.fields.count(name) && !shared_only) out.push_back("  - " + name + " " + describe(fa));
  for (auto& line : out) {
    if (line.rfind("  ~ ", 0) != 0) continue;
    std::string name = line.substr(4, line.find(' ', 4) - 4);
    if (auto f = folded.find(name); f != folded.end())
      line += " (with its " + std::to_string(f->second) + " nested fields)";
  }
  return out;
}

template <typename Map>
std::vector<std::string> keys_only_in(const Map& a, const Map& b) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a)
    if (!b.count(k)) out.push_back(k);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

int cmd_diff(const Args& args) {
  if (args.size() != 2) {
    std::fputs("usage: cpydbg-layout diff <A> <B>   (table files or names; exit 0 = same)\n", stderr);
    return 2;
  }
  Layout a = load_table(args[0]), b = load_table(args[1]);
  auto title = [](const Layout& l, const std::string& arg) {
    return arg + " (Python " + l.python_version +
           (l.flavour.suffix().empty() ? "" : " " + l.flavour.suffix()) + ", " + l.arch +
           (l.partial_from.empty() ? "" : ", partial: from " + l.partial_from) + ")";
  };
  // A partial table has only what its source gives: then what both tables
  // have is compared, and what only one has is counted, not listed.
  const bool shared_only = !a.partial_from.empty() || !b.partial_from.empty();
  std::vector<std::string> lines;
  size_t only_in_one = 0;
  if (a.pointer_size != b.pointer_size)
    lines.push_back("pointer size " + std::to_string(a.pointer_size) + " -> " + std::to_string(b.pointer_size));
  auto gone = keys_only_in(a.structs, b.structs), added = keys_only_in(b.structs, a.structs);
  if (!shared_only && !gone.empty()) lines.push_back("structs removed: " + join(gone));
  if (!shared_only && !added.empty()) lines.push_back("structs added: " + join(added));
  for (const auto& [name, sb] : b.structs) {
    auto it = a.structs.find(name);
    if (it == a.structs.end()) {
      only_in_one += sb.fields.size();
      continue;
    }
    for (const auto& [field, f] : sb.fields) only_in_one += !it->second.fields.count(field);
    for (const auto& [field, f] : it->second.fields) only_in_one += !sb.fields.count(field);
    auto body = diff_struct(it->second, sb, shared_only);
    if (body.empty()) continue;
    lines.push_back(name + ":");
    lines.insert(lines.end(), body.begin(), body.end());
  }
  for (const auto& [name, sa] : a.structs)
    if (!b.structs.count(name)) only_in_one += sa.fields.size();
  if (auto gone = keys_only_in(a.enums, b.enums); !gone.empty() && !shared_only)
    lines.push_back("enums removed: " + join(gone));
  if (auto added = keys_only_in(b.enums, a.enums); !added.empty() && !shared_only)
    lines.push_back("enums added: " + join(added));
  for (const auto& [name, eb] : b.enums) {
    auto it = a.enums.find(name);
    if (it == a.enums.end() || it->second == eb) continue;
    lines.push_back("enum " + name + ":");
    for (const auto& [k, v] : eb) {
      auto old = it->second.find(k);
      if (old == it->second.end()) lines.push_back("  + " + k + " = " + std::to_string(v));
      else if (old->second != v)
        lines.push_back("  ~ " + k + " " + std::to_string(old->second) + " -> " + std::to_string(v));
    }
    for (const auto& [k, v] : it->second)
      if (!eb.count(k)) lines.push_back("  - " + k + " = " + std::to_string(v));
  }
  for (const auto& [k, v] : b.constants) {
    auto it = a.constants.find(k);
    if (it == a.constants.end()) {
      if (!shared_only) lines.push_back("constant " + k + " added: " + std::to_string(v));
    } else if (it->second != v) {
      lines.push_back("constant " + k + " " + std::to_string(it->second) + " -> " + std::to_string(v));
    }
  }
  for (const auto& k : keys_only_in(a.constants, b.constants))
    if (!shared_only) lines.push_back("constant " + k + " removed");
  if (a.opcodes.names != b.opcodes.names && !shared_only)
    lines.push_back("opcodes differ (" + std::to_string(a.opcodes.names.size()) + " -> " +
                    std::to_string(b.opcodes.names.size()) + " slots)");
  std::printf("--- %s\n+++ %s\n", title(a, args[0]).c_str(), title(b, args[1]).c_str());
  if (shared_only)
    std::printf("a partial table: comparing what both have (%zu fields are in one table only)\n",
                only_in_one);
  if (lines.empty()) {
    std::printf(shared_only ? "no differences in what both have\n" : "no layout differences\n");
    return 0;
  }
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  return 1;
}

}  // namespace cpydbg::tool
