"""The debugger's own environment in the sanitizer build.

`ci/test.sh --sanitize` builds the gdb bridge and the LLDB plugin with ASan
and UBSan, but gdb and lldb themselves are not: the ASan runtime must be
loaded first, so the test command names it in $CPYDBG_DEBUGGER_PRELOAD
(followed by tests/sanitizer/asan_first.c's library, without which gdb 13
and lldb 19 hang at start-up) and the backends preload that list into the
debugger only. The inferior must not get it (a preloaded ASan maps
terabytes of shadow memory, which gcore would dump), so the backends also
remove it from the inferior's environment.
Without the variable nothing changes.

Standard library only: runs under /usr/bin/python3.
"""

import os

__all__ = ["preloading", "debugger_env"]

_VAR = "CPYDBG_DEBUGGER_PRELOAD"


def preloading():
    return bool(os.environ.get(_VAR))


def debugger_env(base=None):
    """The environment to start gdb/lldb with, from `base` (default: ours);
    None means inherit ours unchanged."""
    if not preloading():
        return base
    env = dict(os.environ if base is None else base)
    env["LD_PRELOAD"] = os.environ[_VAR]
    # gdb and lldb leak at exit by design; a leak report would only be theirs.
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env
