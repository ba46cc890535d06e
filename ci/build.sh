#!/usr/bin/env bash
# Install the dependencies, configure, build and install into build/install.
# Usage: ci/build.sh [extra cmake args]; BUILD_DIR overrides build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_INSTALL_PREFIX="$PWD/$BUILD_DIR/install" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
cmake --install "$BUILD_DIR" >/dev/null
