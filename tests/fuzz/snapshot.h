// A stopped process image small enough to keep in the repository: the pages
// the commands read, the symbols they looked up, the module paths and the
// selected thread, plus the addresses of a few interesting objects (for
// pyobj). SnapshotTarget serves it as a Target that tests and the fuzzer
// may corrupt at will.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cpydbg/target.h"

namespace cpydbg::test {

struct Snapshot {
  static constexpr uint64_t kPage = 4096;
  std::string label;                              // "3.12.1"
  std::map<uint64_t, std::vector<uint8_t>> pages;  // page address -> kPage bytes
  std::map<std::string, uint64_t> symbols;         // only the ones that exist
  std::vector<std::string> modules;
  std::optional<SelectedThread> thread;
  std::vector<std::pair<std::string, uint64_t>> objects;  // name -> address

  // The binary form (uncompressed); parse() returns nullopt and sets *error
  // on anything malformed.
  std::string serialize() const;
  static std::optional<Snapshot> parse(const std::string& bytes, std::string* error);
};

// Reads a snapshot file, gunzipping it (the stored form is .snap.gz).
std::optional<Snapshot> load_snapshot(const std::string& path, std::string* error);
bool save_snapshot(const Snapshot& snap, const std::string& path, std::string* error);

// The snapshot as a Target. Pages can be changed or made unreadable; every
// read() is counted so a test can bound what a command costs.
class SnapshotTarget : public Target {
 public:
  explicit SnapshotTarget(Snapshot snap) : snap_(std::move(snap)) {}

  bool read(uint64_t addr, void* buf, size_t size) override;
  std::optional<uint64_t> symbol(std::string_view name) override;
  std::optional<SelectedThread> selected_thread() override { return snap_.thread; }
  // Numbers only (hex or decimal), like a debugger without symbols.
  std::optional<uint64_t> evaluate(std::string_view expr, std::string* error) override;
  std::vector<std::string> module_paths() override { return snap_.modules; }

  // Overwrite bytes that are readable; false (nothing written) otherwise.
  bool poke(uint64_t addr, const void* bytes, size_t size);
  void make_unreadable(uint64_t addr) { snap_.pages.erase(addr & ~(Snapshot::kPage - 1)); }

  const Snapshot& snapshot() const { return snap_; }
  uint64_t reads() const { return reads_; }

 private:
  Snapshot snap_;
  uint64_t reads_ = 0;
};

}  // namespace cpydbg::test
