"""Symbol checks on the LLDB plugin (run with /usr/bin/python3).

  lldb_symbols.py exports PLUGIN
      the plugin exports exactly lldb::PluginInitialize(lldb::SBDebugger):
      nothing of the core or libstdc++ can interpose on lldb's own symbols.
  lldb_symbols.py resolves PLUGIN LLDB_EXE
      every SB symbol the plugin needs is defined by the liblldb that
      LLDB_EXE loads, so `plugin load` cannot fail with an undefined symbol.
"""

import re
import subprocess
import sys

ENTRY = "_ZN4lldb16PluginInitializeENS_10SBDebuggerE"


def dynamic_symbols(path, which):
    out = subprocess.run(["nm", "-D", which, path], check=True, capture_output=True,
                         text=True).stdout
    # "addr T name@@VERSION" or "U name": keep the name without its version.
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def liblldb_of(lldb_exe):
    out = subprocess.run(["ldd", lldb_exe], check=True, capture_output=True, text=True).stdout
    match = re.search(r"liblldb[^ ]*\s*=>\s*(\S+)", out)
    if not match:
        sys.exit(f"no liblldb in `ldd {lldb_exe}`:\n{out}")
    return match.group(1)


def main(argv):
    if len(argv) == 3 and argv[1] == "exports":
        defined = dynamic_symbols(argv[2], "--defined-only")
        if defined != {ENTRY}:
            sys.exit(f"expected only {ENTRY}, the plugin exports:\n" + "\n".join(sorted(defined)))
        print(f"ok: only {ENTRY} is exported")
    elif len(argv) == 4 and argv[1] == "resolves":
        needed = {s for s in dynamic_symbols(argv[2], "--undefined-only") if s.startswith("_ZN4lldb")}
        lib = liblldb_of(argv[3])
        missing = needed - dynamic_symbols(lib, "--defined-only")
        if missing:
            demangled = subprocess.run(["c++filt"], input="\n".join(sorted(missing)),
                                       capture_output=True, text=True).stdout
            sys.exit(f"{lib} lacks {len(missing)} SB symbols the plugin uses:\n{demangled}")
        print(f"ok: {lib} defines all {len(needed)} SB symbols the plugin uses")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
