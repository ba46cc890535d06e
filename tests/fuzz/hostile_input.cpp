// Input format (every byte string is valid; libFuzzer mutates it freely):
//   byte 0       which seed snapshot
//   byte 1       which optional commands run (bit set = run)
//   then 12-byte records: kind (1), where (3, little endian), value (8)
// `where` picks a word among the seed's pointer words (8-byte words whose
// value points into the image: ob_type, frame links, items …) for the
// pointer corruptions, or among all words for the raw ones, so most
// mutations hit a field the commands actually follow.
#include "hostile_input.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "cpydbg/session.h"
#include "target/reader.h"

namespace cpydbg::test {
namespace {

// Sizes, counts and depths a corrupt image may claim.
constexpr uint64_t kInteresting[] = {
    0, 1, 2, 7, 8, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000, 1000000, 10000000, 1000000000000, 0x7fffffffffffffff, 0x8000000000000000,
    0xfffffffffffffff8, ~uint64_t(0), 0x4000000000000000, 0xdead00000000, 0x10, 0x1000,
};

// Output of one command may not exceed this: a capped command stays short.
constexpr size_t kMaxOutput = 4 << 20;

struct Seed {
  const Snapshot* snap;
  std::vector<uint64_t> words;     // address of every 8-byte word
  std::vector<uint64_t> pointers;  // addresses of words that point into the image
};

const std::vector<Seed>& prepared(const std::vector<Snapshot>& seeds) {
  static const std::vector<Snapshot>* for_seeds = nullptr;
  static std::vector<Seed> out;
  if (for_seeds == &seeds) return out;
  for_seeds = &seeds;
  out.clear();
  for (const auto& s : seeds) {
    Seed seed{&s, {}, {}};
    for (const auto& [addr, bytes] : s.pages) {
      for (size_t off = 0; off < Snapshot::kPage; off += 8) {
        uint64_t v;
        std::memcpy(&v, bytes.data() + off, 8);
        seed.words.push_back(addr + off);
        if (s.pages.count(v & ~(Snapshot::kPage - 1))) seed.pointers.push_back(addr + off);
      }
    }
    out.push_back(std::move(seed));
  }
  return out;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void corrupt(SnapshotTarget& target, const Seed& seed, const uint8_t* rec) {
  uint32_t where = rec[1] | uint32_t(rec[2]) << 8 | uint32_t(rec[3]) << 16;
  uint64_t value;
  std::memcpy(&value, rec + 4, 8);
  const auto& ptrs = seed.pointers.empty() ? seed.words : seed.pointers;
  uint64_t at = ptrs[where % ptrs.size()];
  uint64_t old = 0;
  target.read(at, &old, 8);
  uint64_t v;
  switch (rec[0] % 8) {
    case 0:  // an absurd size, count, depth or flag word
      at = seed.words[where % seed.words.size()];
      v = kInteresting[value % std::size(kInteresting)];
      break;
    case 1:  // a pointer to itself or just before itself: cycles, self-referencing frames
      v = at - (value % 16) * 8;
      break;
    case 2:  // a pointer to some other object: wrong types, cross-linked chains
      v = 0;
      target.read(ptrs[value % ptrs.size()], &v, 8);
      break;
    case 3:  // misaligned
      v = old + 1 + value % 15;
      break;
    case 4:  // the page it points to becomes unreadable
      target.make_unreadable(old);
      return;
    case 5:  // any word, any value
      at = seed.words[where % seed.words.size()];
      v = value;
      break;
    case 6: {  // a 32-bit field (lengths, line numbers, stack tops)
      at = seed.words[where % seed.words.size()] + (value >> 32 & 1) * 4;
      uint32_t small = uint32_t(value);
      target.poke(at, &small, 4);
      return;
    }
    default:  // a pointer anywhere: unmapped, kernel, NULL page
      v = value;
      break;
  }
  target.poke(at, &v, 8);
}

}  // namespace

std::vector<Command> command_list(const Snapshot& snap, uint8_t optional) {
  std::vector<Command> commands = {
      {"pyinfo", ""}, {"pystack", "-a -l"}, {"pyopstack", "-a"}, {"pylocals", ""}};
  const Command more[] = {
      {"pystack", ""}, {"pyup", ""}, {"pylist", ""}, {"py-print", "a"},
      {"pyframe", "2"}, {"pydown", ""}, {"pyopstack", "1"}, {"py-bt-full", ""}};
  for (size_t i = 0; i < std::size(more); ++i)
    if (optional >> i & 1) commands.push_back(more[i]);
  for (const auto& [name, addr] : snap.objects)
    commands.push_back({"pyobj", "--depth 6 --max-items 200 " + hex(addr)});
  return commands;
}

std::vector<CommandResult> replay(const Snapshot& snap) {
  SnapshotTarget target(snap);
  Session session(target);
  std::vector<CommandResult> out;
  for (const auto& [name, args] : command_list(snap, 0xff)) out.push_back(session.execute(name, args));
  return out;
}

const std::vector<Snapshot>& seed_snapshots(const std::string& dir) {
  static std::vector<Snapshot> seeds;
  static std::string loaded_from;
  if (loaded_from == dir && !seeds.empty()) return seeds;
  seeds.clear();
  loaded_from = dir;
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().string().ends_with(".snap.gz")) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::string error;
    if (auto s = load_snapshot(p, &error)) seeds.push_back(std::move(*s));
  }
  return seeds;
}

CaseResult run_case(const std::vector<Snapshot>& seeds, const uint8_t* data, size_t size) {
  CaseResult result;
  if (seeds.empty()) {
    result.violation = "no seed snapshots";
    return result;
  }
  const auto& prep = prepared(seeds);
  const Seed& seed = prep[size > 0 ? data[0] % prep.size() : 0];
  uint8_t optional = size > 1 ? data[1] : 0xff;
  SnapshotTarget target(*seed.snap);
  for (size_t pos = 2; pos + 12 <= size; pos += 12) corrupt(target, seed, data + pos);

  auto commands = command_list(*seed.snap, optional);
  std::optional<uint64_t> chosen;  // and a pointer the input chose, wherever it lands
  if (size >= 14 && !seed.pointers.empty()) {
    uint64_t v = 0;
    target.read(seed.pointers[(data[size - 1] | data[size - 2] << 8) % seed.pointers.size()], &v, 8);
    chosen = v;
    commands.push_back({"pyobj", hex(v)});
  }
  Session session(target);
  for (const auto& [name, args] : commands) {
    uint64_t before = target.reads();
    CommandResult r = session.execute(name, args);
    uint64_t reads = target.reads() - before;
    ++result.commands;
    result.max_reads = std::max(result.max_reads, reads);
    result.transcript += "(cmd) " + name + " " + args + "\n" + r.output;
    std::string what;
    if (r.output.empty() || r.output.back() != '\n') what = "output is empty or not a line";
    else if (!r.ok && r.output.find("cpydbg: ") == std::string::npos) what = "error without a message";
    else if (r.output.size() > kMaxOutput) what = std::to_string(r.output.size()) + " bytes of output";
    else if (reads > Reader::kDefaultPageBudget)
      what = std::to_string(reads) + " target reads (budget " +
             std::to_string(Reader::kDefaultPageBudget) + ")";
    if (!what.empty()) {
      result.violation = seed.snap->label + ": `" + name + " " + args + "`: " + what;
      return result;
    }
  }
  // The debugger's views of the same objects (and of the chosen pointer, as
  // an object and as an interpreter frame): a line within libpython's
  // 1024 characters, or nothing.
  std::vector<std::pair<uint64_t, Session::Pointee>> views;
  for (const auto& [name, addr] : seed.snap->objects) views.push_back({addr, Session::Pointee::Object});
  if (chosen) {
    views.push_back({*chosen, Session::Pointee::Object});
    views.push_back({*chosen, Session::Pointee::InterpreterFrame});
  }
  constexpr size_t kMaxSummary = 1024 + sizeof("...(truncated)");
  for (const auto& [addr, pointee] : views) {
    uint64_t before = target.reads();
    auto text = session.summary(addr, pointee);
    uint64_t reads = target.reads() - before;
    result.max_reads = std::max(result.max_reads, reads);
    result.transcript += "(view) " + hex(addr) + "\n" + text.value_or("(none)") + "\n";
    std::string what;
    if (text && (text->size() > kMaxSummary || text->find('\n') != std::string::npos))
      what = "not one bounded line";
    else if (reads > Reader::kDefaultPageBudget)
      what = std::to_string(reads) + " target reads";
    if (!what.empty()) {
      result.violation = seed.snap->label + ": the view of " + hex(addr) + ": " + what;
      break;
    }
  }
  return result;
}

}  // namespace cpydbg::test
