#!/usr/bin/env bash
# The test command: install what is needed, build, and run every test.
# Usage: ci/test.sh [--sanitize] [--all-test-gdb] [extra cmake args]
#   --all-test-gdb  also CPython's test_gdb of the versions the default run
#               leaves out for time (tests/test_gdb.cmake: label test_gdb_more)
#   --sanitize  the suite on the ASan + UBSan build (build-asan/, see
#               ci/build.sh), then the fuzzer for a fixed time (build-fuzz/).
#               gdb and lldb are not instrumented: they get the ASan runtime
#               preloaded to host the bridge and the plugin, with
#               tests/sanitizer/asan_first.c's library after it (without it gdb
#               13 and lldb 19 hang at start-up; see that file), and the
#               inferiors get neither (tests/integration/sanitizer_env.py).
set -euo pipefail
cd "$(dirname "$0")/.."
skip=(-LE test_gdb_more)
if [ "${1:-}" = --all-test-gdb ]; then
  shift
  skip=()
fi
if [ "${1:-}" = --sanitize ]; then
  shift
  export BUILD_DIR=${BUILD_DIR:-build-asan} FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
  bash ci/build.sh --sanitize "$@"
  export CPYDBG_DEBUGGER_PRELOAD
  CPYDBG_DEBUGGER_PRELOAD=$(realpath "$(gcc -print-file-name=libasan.so)"):$PWD/$BUILD_DIR/tests/cpydbg_asan_first.so
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 900 ${skip[@]+"${skip[@]}"})
  cd "$FUZZ_DIR"
  exec ctest --output-on-failure --timeout 900 -R '^fuzz_'
fi
bash ci/build.sh "$@"
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900 ${skip[@]+"${skip[@]}"}
