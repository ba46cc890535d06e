#!/usr/bin/env bash
# Install what cpydbg needs from Debian's packages. Idempotent and quiet when
# everything is already there.
set -euo pipefail

packages=(cmake g++ clang libclang-rt-14-dev make binutils elfutils gdb
          libdwarf-dev libelf-dev zlib1g-dev nlohmann-json3-dev doctest-dev
          lldb liblldb-dev liblldb-19 python3 python3.11 python3.11-dbg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci/setup.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# lldb-19 cannot be installed next to lldb (14) through apt: python3-lldb-14
# and python3-lldb-19 conflict. We only need its command-line front end (the
# plugin never uses LLDB's Python), so unpack the package privately; its
# libraries come from liblldb-19 above.
LLDB19_ROOT=${CPYDBG_LLDB19_ROOT:-/opt/cpydbg-lldb19}
if [ ! -x "$LLDB19_ROOT/usr/lib/llvm-19/bin/lldb" ]; then
  echo "ci/setup.sh: unpacking lldb-19 into $LLDB19_ROOT"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq lldb-19 >/dev/null)
  $SUDO mkdir -p "$LLDB19_ROOT"
  $SUDO dpkg -x "$tmp"/lldb-19_*.deb "$LLDB19_ROOT"
  rm -rf "$tmp"
fi
