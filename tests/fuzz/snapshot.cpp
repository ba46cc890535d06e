#include "snapshot.h"

#include <zlib.h>

#include <charconv>
#include <cstring>

namespace cpydbg::test {
namespace {

constexpr char kMagic[8] = {'C', 'P', 'Y', 'S', 'N', 'A', 'P', '1'};

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_str(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

// Bounds-checked reads of the serialized form: a truncated or corrupt file
// is an error, never a read past the end.
struct In {
  const std::string& s;
  size_t pos = 0;
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    if (s.size() - pos < 8) return ok = false, 0;
    std::memcpy(&v, s.data() + pos, 8);
    pos += 8;
    return v;
  }
  std::string str(uint64_t max = 4096) {
    uint64_t n = u64();
    if (!ok || n > max || s.size() - pos < n) return ok = false, "";
    std::string v = s.substr(pos, n);
    pos += n;
    return v;
  }
};

}  // namespace

std::string Snapshot::serialize() const {
  std::string out(kMagic, 8);
  put_str(out, label);
  put_u64(out, pages.size());
  for (const auto& [addr, bytes] : pages) {
    put_u64(out, addr);
    out.append(reinterpret_cast<const char*>(bytes.data()), kPage);
  }
  put_u64(out, symbols.size());
  for (const auto& [name, addr] : symbols) put_str(out, name), put_u64(out, addr);
  put_u64(out, modules.size());
  for (const auto& m : modules) put_str(out, m);
  put_u64(out, thread ? 1 : 0);
  if (thread) put_u64(out, thread->lwp), put_u64(out, thread->pthread);
  put_u64(out, objects.size());
  for (const auto& [name, addr] : objects) put_str(out, name), put_u64(out, addr);
  return out;
}

std::optional<Snapshot> Snapshot::parse(const std::string& bytes, std::string* error) {
  auto fail = [&](const char* why) {
    if (error) *error = why;
    return std::nullopt;
  };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return fail("not a snapshot");
  In in{bytes, 8};
  Snapshot snap;
  snap.label = in.str();
  uint64_t n = in.u64();
  for (uint64_t i = 0; in.ok && i < n; ++i) {
    uint64_t addr = in.u64();
    if (!in.ok || addr % kPage || bytes.size() - in.pos < kPage) return fail("truncated page");
    snap.pages[addr].assign(bytes.begin() + in.pos, bytes.begin() + in.pos + kPage);
    in.pos += kPage;
  }
  n = in.u64();
  for (uint64_t i = 0; in.ok && i < n; ++i) {
    std::string name = in.str();
    snap.symbols[name] = in.u64();
  }
  n = in.u64();
  for (uint64_t i = 0; in.ok && i < n; ++i) snap.modules.push_back(in.str());
  if (in.u64() == 1) snap.thread = SelectedThread{in.u64(), in.u64()};
  n = in.u64();
  for (uint64_t i = 0; in.ok && i < n; ++i) {
    std::string name = in.str();
    snap.objects.emplace_back(name, in.u64());
  }
  if (!in.ok || in.pos != bytes.size()) return fail("truncated or trailing data");
  return snap;
}

std::optional<Snapshot> load_snapshot(const std::string& path, std::string* error) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    if (error) *error = "cannot open " + path;
    return std::nullopt;
  }
  std::string bytes;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) bytes.append(buf, size_t(n));
  bool read_ok = n == 0;
  gzclose(f);
  if (!read_ok) {
    if (error) *error = "cannot decompress " + path;
    return std::nullopt;
  }
  auto snap = Snapshot::parse(bytes, error);
  if (!snap && error) *error = path + ": " + *error;
  return snap;
}

bool save_snapshot(const Snapshot& snap, const std::string& path, std::string* error) {
  std::string bytes = snap.serialize();
  gzFile f = gzopen(path.c_str(), "wb9");
  bool ok = f && gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size());
  if (f) ok = gzclose(f) == Z_OK && ok;
  if (!ok && error) *error = "cannot write " + path;
  return ok;
}

bool SnapshotTarget::read(uint64_t addr, void* buf, size_t size) {
  ++reads_;
  if (addr + size < addr) return false;
  auto* out = static_cast<uint8_t*>(buf);
  while (size > 0) {
    uint64_t base = addr & ~(Snapshot::kPage - 1);
    auto it = snap_.pages.find(base);
    if (it == snap_.pages.end()) return false;
    size_t off = addr - base, n = std::min<size_t>(size, Snapshot::kPage - off);
    std::memcpy(out, it->second.data() + off, n);
    out += n, addr += n, size -= n;
  }
  return true;
}

bool SnapshotTarget::poke(uint64_t addr, const void* bytes, size_t size) {
  if (addr + size < addr) return false;
  for (uint64_t a = addr & ~(Snapshot::kPage - 1); a < addr + size; a += Snapshot::kPage)
    if (!snap_.pages.count(a)) return false;
  auto* in = static_cast<const uint8_t*>(bytes);
  for (size_t i = 0; i < size; ++i) {
    uint64_t a = addr + i;
    snap_.pages[a & ~(Snapshot::kPage - 1)][a & (Snapshot::kPage - 1)] = in[i];
  }
  return true;
}

std::optional<uint64_t> SnapshotTarget::symbol(std::string_view name) {
  auto it = snap_.symbols.find(std::string(name));
  if (it == snap_.symbols.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> SnapshotTarget::evaluate(std::string_view expr, std::string* error) {
  int base = 10;
  if (expr.starts_with("0x") || expr.starts_with("0X")) expr.remove_prefix(2), base = 16;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(expr.data(), expr.data() + expr.size(), v, base);
  if (ec == std::errc() && end == expr.data() + expr.size() && !expr.empty()) return v;
  if (error) *error = "not a number";
  return std::nullopt;
}

}  // namespace cpydbg::test
