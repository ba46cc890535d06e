#!/usr/bin/env bash
# The test command: install what is needed, build, and run every test.
# Usage: ci/test.sh [--sanitize] [extra cmake args]
#   --sanitize  the suite on the ASan + UBSan build (build-asan/, see
#               ci/build.sh), then the fuzzer for a fixed time (build-fuzz/).
#               lldb 14 gets the ASan runtime preloaded to host the plugin
#               (tests/integration/sanitizer_env.py); gdb 13 and lldb 19 hang
#               at start-up with it (a setlocale deadlock), so the tests that
#               need them are left out of this mode, as are lldb14_plugin_startup
#               (starts lldb itself, without the preload) and layout_reproduces_ of
#               3.11-3.13 (their 200 MB limit does not hold under ASan); see README.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --sanitize ]; then
  shift
  export BUILD_DIR=${BUILD_DIR:-build-asan} FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
  bash ci/build.sh --sanitize -DCPYDBG_LLDB19= "$@"
  export CPYDBG_DEBUGGER_PRELOAD
  CPYDBG_DEBUGGER_PRELOAD=$(realpath "$(gcc -print-file-name=libasan.so)")
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 900 -LE gdb \
     -E '^(lldb19_|lldb14_plugin_startup$|layout_reproduces_cpython-3\.1[123])')
  cd "$FUZZ_DIR"
  exec ctest --output-on-failure --timeout 900 -R '^fuzz_'
fi
bash ci/build.sh "$@"
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900
