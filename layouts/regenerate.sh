#!/bin/sh
# Regenerate every committed layout table from the builds on this machine.
# Usage: layouts/regenerate.sh [path/to/cpydbg-layout]
# (default: the one in build-a/ or build/ of this checkout, else $PATH).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tool=${1:-}
if [ -z "$tool" ]; then
  for t in "$here/../build-a/layouts/cpydbg-layout" "$here/../build/layouts/cpydbg-layout"; do
    [ -x "$t" ] && tool=$t && break
  done
fi
tool=${tool:-cpydbg-layout}
pyenv=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}/versions

for v in 2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0; do
  lib=$(ls "$pyenv/$v"/lib/libpython*.so.1.0)
  (cd "$here" && "$tool" generate "$lib")
done
# Debian's 3.11.2: the release binary's DWARF comes from python3.11-dbg via
# its build-id; it shares the 3.11 series with pyenv's 3.11.7, hence the
# "debian" variant in its name.
(cd "$here" && "$tool" generate /usr/bin/python3.11 --variant debian)
(cd "$here" && "$tool" generate /usr/bin/python3.11d)
