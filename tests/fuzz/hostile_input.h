// One hostile-input case: a seed snapshot, a list of corruptions decoded
// from arbitrary bytes, and every command run against the result. Shared by
// the libFuzzer harness (which aborts on a violation) and the unit test that
// replays the corpus and every crash ever found.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cpydbg/session.h"
#include "snapshot.h"

namespace cpydbg::test {

// The seeds, loaded once: every tests/fuzz/snapshots/*.snap.gz under `dir`,
// in name order (an input's first byte chooses one).
const std::vector<Snapshot>& seed_snapshots(const std::string& dir);

// A command and its arguments as typed.
struct Command {
  std::string name, args;
};
// The commands every case runs: pyinfo, pystack -a -l, pyopstack -a,
// pylocals, those of the 8 optional ones whose bit is set in `optional`,
// and pyobj of each of the snapshot's objects.
std::vector<Command> command_list(const Snapshot& snap, uint8_t optional);
// All of them (every optional one) on an unmodified snapshot, in a fresh session.
std::vector<CommandResult> replay(const Snapshot& snap);

struct CaseResult {
  std::string violation;   // "" when every command behaved
  size_t commands = 0;     // commands run
  uint64_t max_reads = 0;  // most target reads one command made
  std::string transcript;  // every command and its output (for debugging)
};

// Decode `data` into corruptions of one seed, run the commands, check that
// each returned text or one clear error within the read budget.
CaseResult run_case(const std::vector<Snapshot>& seeds, const uint8_t* data, size_t size);

}  // namespace cpydbg::test
