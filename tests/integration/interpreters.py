"""The Python interpreters the integration suites run against, and copies of
them stripped as distributions ship them.

An interpreter is named by a spec: a pyenv version ("3.12.1"), or "debian-3.11"
/ "debian-3.11d" for Debian's packaged python3.11 (stripped, LTO, its DWARF in
the system's separate debug directory) and its Py_DEBUG build. The pyenv root
comes from $PYENV_ROOT, then `pyenv root`, then ~/.pyenv.

Standard library only: runs under /usr/bin/python3.
"""

import os
import subprocess
from collections import namedtuple

__all__ = ["Interpreter", "pyenv_root", "resolve", "stripped_copy", "as_installed", "DEBIAN"]

# exe: the program to run; env: what the inferior needs on top of the
# environment; no_separate_debug: the debugger must not look for DWARF
# outside the binaries (Debian keeps it in /usr/lib/debug).
Interpreter = namedtuple("Interpreter", "spec exe env no_separate_debug")

DEBIAN = {"debian-3.11": "/usr/bin/python3.11", "debian-3.11d": "/usr/bin/python3.11d"}


def pyenv_root():
    if os.environ.get("PYENV_ROOT"):
        return os.environ["PYENV_ROOT"]
    try:
        return subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.path.expanduser("~/.pyenv")


def resolve(spec):
    """The interpreter a spec names; raises LookupError if it is not here."""
    exe = DEBIAN.get(spec) or os.path.join(pyenv_root(), "versions", spec, "bin", "python")
    if not os.path.exists(exe):
        raise LookupError("interpreter %s not found at %s" % (spec, exe))
    return Interpreter(spec, exe, {}, False)


# What distributions ship: no DWARF, no .symtab (only .dynsym is left), and
# nothing that would lead a debugger to a separate debug file.
DISTRO_STRIP = ["objcopy", "--strip-all", "--remove-section=.note.gnu.build-id",
                "--remove-section=.gnu_debuglink"]
_LEFT_BEHIND = (".debug_info", ".symtab", ".note.gnu.build-id", ".gnu_debuglink")


def _strip(src, dst):
    subprocess.check_call(DISTRO_STRIP + [src, dst])
    sections = subprocess.run(["readelf", "-S", "-W", dst], capture_output=True,
                              text=True, check=True).stdout
    left = [name for name in _LEFT_BEHIND if name in sections]
    if left:
        raise RuntimeError("objcopy left %s in %s" % (", ".join(left), dst))


def as_installed(interp):
    """The interpreter's own files, with the debugger told not to look for
    separate debug files: Debian's python3.11 as most users have it, even
    with python3.11-dbg on the machine."""
    return interp._replace(no_separate_debug=True)


def stripped_copy(interp, tmp):
    """Copies of the executable and its libpython stripped as distributions
    ship them (DISTRO_STRIP), run from `tmp`.

    pyenv builds link libpython dynamically (RUNPATH): the copy of the library
    is found through LD_LIBRARY_PATH and the standard library through
    PYTHONHOME. Debian's interpreters carry libpython inside the executable,
    and their DWARF lives in /usr/lib/debug: the debugger is told not to look
    there (Interpreter.no_separate_debug).
    """
    exe = os.path.join(tmp, os.path.basename(interp.exe))
    _strip(interp.exe, exe)
    if interp.spec in DEBIAN:
        return Interpreter(interp.spec, exe, {}, True)
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(interp.exe)))
    libdir = os.path.join(tmp, "lib")
    os.makedirs(libdir, exist_ok=True)
    src_lib = os.path.join(prefix, "lib")
    for name in os.listdir(src_lib):
        path = os.path.join(src_lib, name)
        if not name.startswith("libpython") or ".so" not in name:
            continue
        if os.path.islink(path):
            os.symlink(os.readlink(path), os.path.join(libdir, name))
        else:
            _strip(path, os.path.join(libdir, name))
    return Interpreter(interp.spec, exe, {"LD_LIBRARY_PATH": libdir, "PYTHONHOME": prefix}, True)
