// cpydbg-snapshot PYTHON OUT.snap.gz [SCENARIO]: run the fuzz scenario under
// PYTHON until it stops itself, run every command against it while recording
// the pages and symbols they use, and save that as a seed snapshot. Only
// what the commands read is kept, so a seed stays a few dozen KB.
#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cpydbg/session.h"
#include "hostile_input.h"
#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;

namespace {

// Passes everything through to the live process and remembers it.
class RecordingTarget : public Target {
 public:
  explicit RecordingTarget(LiveProcessTarget& live) : live_(live) {}
  bool read(uint64_t addr, void* buf, size_t size) override {
    if (!live_.read(addr, buf, size)) return false;
    const uint64_t page = test::Snapshot::kPage;
    for (uint64_t a = addr & ~(page - 1); a < addr + size; a += page) {
      auto& bytes = pages_[a];
      bytes.resize(page);
      live_.read(a, bytes.data(), page);
    }
    return true;
  }
  std::optional<uint64_t> symbol(std::string_view name) override {
    auto v = live_.symbol(name);
    if (v) symbols_[std::string(name)] = *v;
    return v;
  }
  std::optional<SelectedThread> selected_thread() override { return live_.selected_thread(); }
  std::optional<uint64_t> evaluate(std::string_view expr, std::string*) override {
    return std::stoull(std::string(expr), nullptr, 0);
  }
  std::vector<std::string> module_paths() override { return live_.module_paths(); }

  std::map<uint64_t, std::vector<uint8_t>> pages_;
  std::map<std::string, uint64_t> symbols_;

 private:
  LiveProcessTarget& live_;
};

bool same(const std::vector<CommandResult>& a, const std::vector<CommandResult>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].ok != b[i].ok || a[i].output != b[i].output) return false;
  return true;
}

// Zero every part of a page the commands do not need (their outputs stay
// identical without it): whole pages, then quarters down to 64 bytes. The
// stored seed compresses to what the commands actually read.
void minimize_range(test::Snapshot& snap, std::vector<uint8_t>& page, size_t off, size_t len,
                    const std::vector<CommandResult>& expected) {
  std::vector<uint8_t> saved(page.begin() + off, page.begin() + off + len);
  if (std::all_of(saved.begin(), saved.end(), [](uint8_t b) { return b == 0; })) return;
  std::fill(page.begin() + off, page.begin() + off + len, 0);
  if (same(test::replay(snap), expected)) return;
  std::copy(saved.begin(), saved.end(), page.begin() + off);
  if (len <= 64) return;
  for (size_t q = 0; q < 4; ++q) minimize_range(snap, page, off + q * len / 4, len / 4, expected);
}

// Returns how many bytes stay non-zero.
size_t minimize(test::Snapshot& snap, const std::vector<CommandResult>& expected) {
  size_t kept = 0;
  for (auto& [addr, page] : snap.pages) {
    minimize_range(snap, page, 0, page.size(), expected);
    kept += page.size() - std::count(page.begin(), page.end(), 0);
  }
  return kept;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PYTHON OUT.snap.gz [SCENARIO]\n", argv[0]);
    return 2;
  }
  std::string scenario = argc > 3 ? argv[3] : CPYDBG_SOURCE_DIR "/tests/fuzz/scenario.py";
  test::StoppedPython proc(argv[1], scenario);
  if (!proc.ok()) {
    std::fprintf(stderr, "%s\n", proc.failure().c_str());
    return 1;
  }
  LiveProcessTarget live(proc.pid());
  RecordingTarget rec(live);
  test::Snapshot snap;
  snap.label = argv[1];
  const auto objects = nlohmann::json::parse(proc.output());
  for (const auto& [name, addr] : objects.items())
    snap.objects.emplace_back(name, std::stoull(addr.get<std::string>(), nullptr, 16));
  std::vector<CommandResult> live_results;
  {
    Session session(rec);
    for (const auto& [name, args] : test::command_list(snap, 0xff)) {
      live_results.push_back(session.execute(name, args));
      std::printf("(cmd) %s %s\n%s", name.c_str(), args.c_str(), live_results.back().output.c_str());
      if (!live_results.back().ok) {
        std::fprintf(stderr, "%s %s failed on the real process\n", name.c_str(), args.c_str());
        return 1;
      }
    }
  }
  snap.pages = std::move(rec.pages_);
  snap.symbols = std::move(rec.symbols_);
  snap.modules = live.module_paths();
  snap.thread = live.selected_thread();
  if (!same(test::replay(snap), live_results)) {
    std::fprintf(stderr, "the snapshot does not reproduce the live outputs\n");
    return 1;
  }
  size_t before = minimize(snap, live_results);
  std::string error;
  if (!test::save_snapshot(snap, argv[2], &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "%zu pages, %zu of their bytes kept, %zu symbols -> %s\n",
               snap.pages.size(), before, snap.symbols.size(), argv[2]);
  return 0;
}
