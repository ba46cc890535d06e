// Layout <-> the compact binary form the built-in tables are compiled in as.
// Decoding is a straight pass over bytes into the Layout model (maps filled
// in key order, so each insertion is at the end): a fraction of what the
// JSON parse costs, which matters because attaching decodes a table before
// the first command can print anything.
//
// Format: the magic, then the fields of Layout in declaration order.
// Integers are LEB128 varints (signed ones zigzag-encoded), strings a varint
// length and the bytes, lists and maps a varint count and their items.
// Every count and length is checked against what is left.
#include <cstring>

#include "cpydbg/layout.h"

namespace cpydbg {
namespace {

constexpr char kMagic[8] = {'c', 'p', 'y', 'd', 'b', 'g', 'L', '\x01'};

class Writer {
 public:
  void uint(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      out_ += char(byte | (v ? 0x80 : 0));
    } while (v);
  }
  void sint(int64_t v) { uint((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
  void boolean(bool v) { out_ += char(v ? 1 : 0); }
  void string(std::string_view s) {
    uint(s.size());
    out_ += s;
  }
  template <typename T>
  void uints(const std::vector<T>& v) {
    uint(v.size());
    for (T x : v) uint(x);
  }
  void raw(const char* data, size_t size) { out_.append(data, size); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Decoder {
 public:
  Decoder(std::string_view bytes, std::string_view origin) : in_(bytes), origin_(origin) {}

  [[noreturn]] void fail(const char* what) const {
    throw LayoutError("layout table " + origin_ + ": the compiled-in table is corrupt (" + what +
                      " at byte " + std::to_string(pos_) + "); rebuild cpydbg");
  }
  uint64_t uint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) fail("truncated number");
      uint8_t byte = uint8_t(in_[pos_++]);
      v |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    fail("overlong number");
  }
  int64_t sint() {
    uint64_t v = uint();
    return int64_t(v >> 1) ^ -int64_t(v & 1);
  }
  bool boolean() {
    if (pos_ >= in_.size()) fail("truncated flag");
    return in_[pos_++] != 0;
  }
  // A count of items that each take at least one byte.
  size_t count() {
    uint64_t n = uint();
    if (n > in_.size() - pos_) fail("count beyond the end");
    return size_t(n);
  }
  std::string string() {
    size_t n = count();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <typename T>
  std::vector<T> uints() {
    std::vector<T> v(count());
    for (T& x : v) x = T(uint());
    return v;
  }
  void expect(const char* data, size_t size) {
    if (in_.size() - pos_ < size || std::memcmp(in_.data() + pos_, data, size) != 0)
      fail("not a cpydbg table");
    pos_ += size;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string origin_;
};

uint8_t flavour_bits(const Flavour& f) {
  return uint8_t((f.debug ? 1 : 0) | (f.free_threaded ? 2 : 0) | (f.trace_refs ? 4 : 0));
}

Flavour flavour_of(uint64_t bits) {
  Flavour f;
  f.debug = bits & 1;
  f.free_threaded = bits & 2;
  f.trace_refs = bits & 4;
  return f;
}

void write_effects(Writer& w, const std::map<int, StackEffect>& effects) {
  w.uint(effects.size());
  for (const auto& [op, e] : effects) {
    w.uint(uint64_t(op));
    w.uint(e.by_arg.size());
    for (int32_t v : e.by_arg) w.sint(v);
    w.sint(e.high_byte);
  }
}

std::map<int, StackEffect> read_effects(Decoder& d) {
  std::map<int, StackEffect> effects;
  for (size_t n = d.count(); n > 0; --n) {
    int op = int(d.uint());
    StackEffect e;
    e.by_arg.resize(d.count());
    for (int32_t& v : e.by_arg) v = int32_t(d.sint());
    if (e.by_arg.size() != 1 && e.by_arg.size() != 256) d.fail("stack effect of a wrong size");
    e.high_byte = int32_t(d.sint());
    effects.emplace_hint(effects.end(), op, std::move(e));
  }
  return effects;
}

void write_strings(Writer& w, const std::map<std::string, std::string>& m) {
  w.uint(m.size());
  for (const auto& [k, v] : m) w.string(k), w.string(v);
}

}  // namespace

std::string encode_layout(const Layout& l) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.uint(uint64_t(l.schema));
  w.uint(l.version_hex);  // these three first: peek_layout_header reads them alone
  w.uint(flavour_bits(l.flavour));
  w.string(l.python_version);
  w.string(l.arch);
  w.uint(uint64_t(l.pointer_size));
  w.boolean(l.little_endian);
  w.string(l.build_id);
  w.string(l.producer);
  w.string(l.generated_from);
  w.string(l.partial_from);
  w.uint(l.structs.size());
  for (const auto& [name, s] : l.structs) {
    w.string(name);
    w.uint(s.size);
    w.uint(s.fields.size());
    for (const auto& [fname, f] : s.fields) {
      w.string(fname);
      w.uint(f.offset);
      w.uint(f.size);
      w.sint(f.bit_offset);
      w.uint(f.bit_size);
      w.string(f.type);
    }
  }
  w.uint(l.enums.size());
  for (const auto& [name, values] : l.enums) {
    w.string(name);
    w.uint(values.size());
    for (const auto& [k, v] : values) w.string(k), w.sint(v);
  }
  w.uint(l.constants.size());
  for (const auto& [k, v] : l.constants) w.string(k), w.sint(v);
  const OpcodeTable& t = l.opcodes;
  w.uint(t.names.size());
  for (const auto& n : t.names) w.string(n);
  w.uints(t.cache_entries);
  w.uints(t.deopt);
  w.sint(t.have_argument);
  w.sint(t.extended_arg);
  w.sint(t.cache_opcode);
  for (const auto* set : {&t.hasjrel, &t.hasjabs, &t.hasconst, &t.hasname, &t.haslocal,
                          &t.hasfree, &t.hascompare, &t.hasarg})
    w.uints(*set);
  write_effects(w, t.effect_nojump);
  write_effects(w, t.effect_jump);
  w.string(t.line_table);
  w.string(t.jump_unit);
  w.boolean(t.backward_jumps_relative);
  write_strings(w, t.provenance);
  return w.take();
}

std::optional<LayoutHeader> peek_layout_header(std::string_view bytes) {
  try {
    Decoder d(bytes, "");
    d.expect(kMagic, sizeof kMagic);
    LayoutHeader h;
    h.schema = int(d.uint());
    h.version_hex = uint32_t(d.uint());
    h.flavour = flavour_of(d.uint());
    return h;
  } catch (const LayoutError&) {
    return std::nullopt;
  }
}

bool is_encoded_layout(std::string_view bytes) {
  return bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

Layout decode_layout(std::string_view bytes, std::string_view origin) {
  Decoder d(bytes, origin);
  d.expect(kMagic, sizeof kMagic);
  Layout l;
  l.schema = int(d.uint());
  if (l.schema != kLayoutSchema) d.fail("another schema");
  l.version_hex = uint32_t(d.uint());
  l.flavour = flavour_of(d.uint());
  l.python_version = d.string();
  l.arch = d.string();
  l.pointer_size = int(d.uint());
  l.little_endian = d.boolean();
  l.build_id = d.string();
  l.producer = d.string();
  l.generated_from = d.string();
  l.partial_from = d.string();
  for (size_t n = d.count(); n > 0; --n) {
    std::string name = d.string();
    StructInfo s;
    s.size = d.uint();
    for (size_t k = d.count(); k > 0; --k) {
      std::string fname = d.string();
      FieldInfo f;
      f.offset = d.uint();
      f.size = d.uint();
      f.bit_offset = d.sint();
      f.bit_size = uint32_t(d.uint());
      f.type = d.string();
      s.fields.emplace_hint(s.fields.end(), std::move(fname), std::move(f));
    }
    l.structs.emplace_hint(l.structs.end(), std::move(name), std::move(s));
  }
  for (size_t n = d.count(); n > 0; --n) {
    auto& values = l.enums.emplace_hint(l.enums.end(), d.string(), std::map<std::string, int64_t>())->second;
    for (size_t k = d.count(); k > 0; --k) {
      std::string key = d.string();
      values.emplace_hint(values.end(), std::move(key), d.sint());
    }
  }
  for (size_t n = d.count(); n > 0; --n) {
    std::string key = d.string();
    l.constants.emplace_hint(l.constants.end(), std::move(key), d.sint());
  }
  OpcodeTable& t = l.opcodes;
  t.names.resize(d.count());
  for (auto& name : t.names) name = d.string();
  t.cache_entries = d.uints<uint8_t>();
  t.deopt = d.uints<uint16_t>();
  t.have_argument = int(d.sint());
  t.extended_arg = int(d.sint());
  t.cache_opcode = int(d.sint());
  for (auto* set : {&t.hasjrel, &t.hasjabs, &t.hasconst, &t.hasname, &t.haslocal, &t.hasfree,
                    &t.hascompare, &t.hasarg})
    *set = d.uints<uint16_t>();
  t.effect_nojump = read_effects(d);
  t.effect_jump = read_effects(d);
  t.line_table = d.string();
  t.jump_unit = d.string();
  t.backward_jumps_relative = d.boolean();
  for (size_t n = d.count(); n > 0; --n) {
    std::string key = d.string();
    t.provenance.emplace_hint(t.provenance.end(), std::move(key), d.string());
  }
  if (!d.at_end()) d.fail("bytes after the table");
  return l;
}

}  // namespace cpydbg
