#!/usr/bin/env bash
# Install the dependencies, configure, build and install into $BUILD_DIR/install.
# Usage: ci/build.sh [--sanitize] [extra cmake args]
#   default     RelWithDebInfo into build/ (BUILD_DIR overrides)
#   --sanitize  the same with ASan + UBSan into build-asan/, and the libFuzzer
#               harness (clang, ASan + UBSan + fuzzer) into build-fuzz/ (FUZZ_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
sanitize=0
if [ "${1:-}" = --sanitize ]; then
  sanitize=1
  shift
  BUILD_DIR=${BUILD_DIR:-build-asan}
fi
BUILD_DIR=${BUILD_DIR:-build}
extra=()
[ $sanitize = 1 ] && extra=(-DCPYDBG_SANITIZE=ON)
cmake -S . -B "$BUILD_DIR" -DCMAKE_INSTALL_PREFIX="$PWD/$BUILD_DIR/install" "${extra[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
cmake --install "$BUILD_DIR" >/dev/null
if [ $sanitize = 1 ]; then
  # Only the fuzzer here: clang compiles the core into it with coverage.
  FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
  cmake -S . -B "$FUZZ_DIR" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCPYDBG_SANITIZE=ON -DCPYDBG_FUZZ=ON >/dev/null
  cmake --build "$FUZZ_DIR" -j "$(nproc)" --target cpydbg_fuzz
fi
