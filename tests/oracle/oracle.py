#!/usr/bin/env python3
"""Independent check of a layout table against the build's own headers.

Generates a C probe from the table's field list, compiles it against THAT
version's installed headers (public ones, then internal ones with
-DPy_BUILD_CORE), drops whatever the headers do not expose (by the
compiler's error lines), runs it and compares every offsetof/sizeof and
bit position with the table. Fails if any value disagrees or if too little
could be checked.

usage: oracle.py TABLE.json INCLUDE_DIR [--min N]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# Where a key's C type is spelled differently from the key itself.
TYPE_OF = {
    "_gil_runtime_state": "struct _gil_runtime_state",
    "PyDictKeysObject": "struct _dictkeysobject",
}

INTERNAL = ["pycore_frame.h", "pycore_runtime.h", "pycore_interp.h", "pycore_dict.h",
            "pycore_code.h", "pycore_gc.h", "pycore_pystate.h", "pycore_long.h",
            "pycore_gil.h", "pycore_ceval_state.h", "pycore_runtime_init.h",
            "pycore_debug_offsets.h", "pycore_dict_state.h", "pycore_object.h",
            "pycore_tstate.h", "pycore_pyerrors.h", "pycore_setobject.h",
            "pycore_interp_structs.h", "pycore_runtime_structs.h"]
PUBLIC = ["Python.h", "frameobject.h", "structmember.h", "longintrepr.h", "code.h",
          "cellobject.h", "genobject.h", "funcobject.h", "classobject.h", "methodobject.h",
          "descrobject.h", "traceback.h", "memoryobject.h", "weakrefobject.h",
          "setobject.h", "sliceobject.h", "moduleobject.h", "complexobject.h",
          "bytearrayobject.h", "pyerrors.h", "dictobject.h", "unicodeobject.h"]

PRELUDE = r"""
#include <stddef.h>
#include <stdio.h>
#include <string.h>
static void bits(const char *s, const char *f, const unsigned char *p, size_t n) {
  long first = -1, count = 0;
  for (size_t i = 0; i < n * 8; ++i)
    if (p[i / 8] >> (i % 8) & 1) { if (first < 0) first = (long)i; ++count; }
  printf("B\t%s\t%s\t%ld\t%ld\n", s, f, first, count);
}
#define F(S, T, f) printf("F\t%s\t%s\t%zu\t%zu\n", S, #f, offsetof(T, f), sizeof(((T *)0)->f));
#define O(S, T, f) printf("F\t%s\t%s\t%zu\t-\n", S, #f, offsetof(T, f));
#define BF(S, T, f) { static T v; memset(&v, 0, sizeof v); v.f = -1; \
    bits(S, #f, (const unsigned char *)&v, sizeof v); }
#define Z(S, T) printf("Z\t%s\t%zu\n", S, sizeof(T));
"""


def probe_lines(table):
    lines = []
    for key, s in sorted(table["structs"].items()):
        t = TYPE_OF.get(key, key)
        lines.append(f'Z("{key}", {t})')
        for name, f in sorted(s["fields"].items()):
            if "<" in name:
                continue
            if "bit_offset" in f:
                lines.append(f'BF("{key}", {t}, {name})')
            elif f["size"] == 0:
                lines.append(f'O("{key}", {t}, {name})')  # flexible array: no sizeof
            else:
                lines.append(f'F("{key}", {t}, {name})')
    return lines


def build(includes, checks, flags, workdir, tag):
    """Compile, dropping includes and checks the compiler rejects. Returns
    the program path and the checks that survived."""
    includes, checks = list(includes), list(checks)
    src = os.path.join(workdir, f"probe_{tag}.c")
    exe = os.path.join(workdir, f"probe_{tag}")
    for _ in range(12):
        head = [f'#include "{h}"' for h in includes]
        text = "\n".join(head) + PRELUDE + "int main(void) {\n" + "\n".join(checks) + "\nreturn 0;\n}\n"
        with open(src, "w") as fh:
            fh.write(text)
        r = subprocess.run(["cc", "-std=gnu11", "-w", "-fmax-errors=0", *flags, src, "-o", exe],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return exe, checks
        first_check = len(head) + PRELUDE.count("\n") + 1  # 1-based line of checks[0]
        bad_checks, bad_includes = set(), set()
        for m in re.finditer(r"^(?:In file included from )?" + re.escape(src) + r":(\d+)",
                             r.stderr, re.M):
            line = int(m.group(1))
            if line <= len(head):
                bad_includes.add(line - 1)
            elif line >= first_check:
                bad_checks.add(line - first_check)
        # An error inside a header: drop the include it came through.
        if not bad_checks and not bad_includes:
            raise SystemExit(f"probe {tag} does not compile and the errors name no line:\n"
                             + r.stderr[:3000])
        if bad_includes:
            includes = [h for i, h in enumerate(includes) if i not in bad_includes]
        else:
            checks = [c for i, c in enumerate(checks) if i not in bad_checks]
    raise SystemExit(f"probe {tag}: still not compiling after pruning")


def main():
    args = sys.argv[1:]
    minimum = 100
    if "--min" in args:
        i = args.index("--min")
        minimum = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    table_path, incdir = args
    if not os.path.isdir(incdir):
        print(f"FAIL: {incdir} is not on this machine; every table's headers must be")
        return 1
    table = json.load(open(table_path))
    checks = probe_lines(table)
    results = {}
    with tempfile.TemporaryDirectory() as work:
        runs = [("public", [h for h in PUBLIC if os.path.exists(os.path.join(incdir, h))], [])]
        internal = os.path.join(incdir, "internal")
        if os.path.isdir(internal):
            runs.append(("internal",
                         ["Python.h"] + [f"internal/{h}" for h in INTERNAL
                                         if os.path.exists(os.path.join(internal, h))],
                         ["-DPy_BUILD_CORE", "-I" + internal]))
        for tag, includes, flags in runs:
            exe, kept = build(includes, checks, ["-I" + incdir, *flags], work, tag)
            out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split("\t")
                results.setdefault(tuple(parts[:3]), []).append((tag, parts))
    bad, checked = [], 0
    for key, seen in sorted(results.items()):
        for tag, parts in seen:
            checked += 1
            kind, s = parts[0], parts[1]
            if kind == "Z":
                got = table["structs"][s]["size"]
                if int(parts[2]) != got:
                    bad.append(f"sizeof({s}): headers ({tag}) {parts[2]}, table {got}")
                continue
            f = table["structs"][s]["fields"][parts[2]]
            if kind == "F":
                if int(parts[3]) != f["offset"] or (parts[4] != "-" and int(parts[4]) != f["size"]):
                    bad.append(f"{s}.{parts[2]}: headers ({tag}) offset {parts[3]} size {parts[4]}, "
                               f"table offset {f['offset']} size {f['size']}")
            elif kind == "B":
                if int(parts[3]) != f["bit_offset"] or int(parts[4]) != f["bit_size"]:
                    bad.append(f"{s}.{parts[2]}: headers ({tag}) bits {parts[3]}:{parts[4]}, "
                               f"table {f['bit_offset']}:{f['bit_size']}")
    structs = {k[1] for k in results if k[0] == "Z"}
    name = os.path.basename(table_path)
    if bad:
        print(f"FAIL {name}: {len(bad)} of {checked} values disagree with the headers")
        for b in bad[:50]:
            print("  " + b)
        return 1
    if checked < minimum:
        print(f"FAIL {name}: only {checked} values could be checked against the headers "
              f"(expected at least {minimum})")
        return 1
    print(f"ok {name}: {checked} values in {len(structs)} structs agree with {incdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
