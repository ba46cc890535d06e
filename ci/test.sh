#!/usr/bin/env bash
# The test command: install what is needed, build, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/build.sh "$@"
BUILD_DIR=${BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 900
