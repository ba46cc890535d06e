// libFuzzer entry: corrupt a seed snapshot as the input says, run every
// command, abort (a crash libFuzzer keeps) when one misbehaves. The seeds
// come from $CPYDBG_FUZZ_SNAPSHOTS, else the source tree's snapshots/.
#include <cstdio>
#include <cstdlib>

#include "hostile_input.h"

namespace {
const std::vector<cpydbg::test::Snapshot>* seeds = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("CPYDBG_FUZZ_SNAPSHOTS");
  seeds = &cpydbg::test::seed_snapshots(dir ? dir : CPYDBG_SOURCE_DIR "/tests/fuzz/snapshots");
  if (seeds->empty()) {
    std::fprintf(stderr, "cpydbg_fuzz: no *.snap.gz seed snapshots found\n");
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = cpydbg::test::run_case(*seeds, data, size);
  if (!result.violation.empty()) {
    std::fprintf(stderr, "cpydbg_fuzz: %s\n%s", result.violation.c_str(), result.transcript.c_str());
    std::abort();
  }
  return 0;
}
