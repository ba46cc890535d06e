"""Run a copy of CPython's test_gdb and write one result per test method.

  run_suite.py SUITE_DIR OUT.json

Runs under the interpreter whose suite it is (3.8 ... 3.13), from the
directory holding the copied `test_gdb` package (3.11+) or `test_gdb.py`
module (3.8-3.10). A test method passes when it and every one of its
subtests pass; a failing or erroring subtest fails its method. A module that
skips itself on import (gdb unusable, ...) is recorded as one skipped entry
named after the module, so it can never read as passed.
"""

import json
import os
import sys
import traceback
import unittest


class Recorder(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.outcomes = {}  # test id -> [status, detail]

    def _set(self, test, status, detail=""):
        key = test.id()
        old = self.outcomes.get(key)
        # A failure anywhere in a method (a subtest) decides it.
        if old and old[0] in ("fail", "error") and status == "pass":
            return
        if old and old[0] in ("fail", "error") and status in ("fail", "error"):
            detail = old[1] + "\n" + detail
        self.outcomes[key] = [status, detail[-4000:]]

    def _text(self, err):
        return "".join(traceback.format_exception(*err))

    def addSuccess(self, test):
        self._set(test, "pass")

    def addFailure(self, test, err):
        self._set(test, "fail", self._text(err))

    def addError(self, test, err):
        # setUpModule/import errors arrive as a _ErrorHolder or _FailedTest.
        self._set(test, "error", self._text(err))

    def addSkip(self, test, reason):
        self._set(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        self._set(test, "fail", "expected failure: " + self._text(err))

    def addUnexpectedSuccess(self, test):
        self._set(test, "pass")

    def addSubTest(self, test, subtest, err):
        if err is None:
            self._set(test, "pass")
        else:
            failed = issubclass(err[0], test.failureException)
            self._set(test, "fail" if failed else "error",
                      "[%s] %s" % (subtest._subDescription(), self._text(err)))


def module_names(suite_dir):
    if os.path.isdir(os.path.join(suite_dir, "test_gdb")):
        return sorted("test_gdb." + f[:-3] for f in os.listdir(os.path.join(suite_dir, "test_gdb"))
                      if f.startswith("test_") and f.endswith(".py"))
    return ["test_gdb"]


def main():
    suite_dir, out_path = sys.argv[1:3]
    sys.path.insert(0, suite_dir)
    result = Recorder()
    loader = unittest.TestLoader()
    for name in module_names(suite_dir):
        try:
            tests = loader.loadTestsFromName(name)
        except unittest.SkipTest as e:
            result.outcomes[name] = ["skip", "the module skips itself: %s" % e]
            continue
        except Exception:
            result.outcomes[name] = ["error", traceback.format_exc()[-4000:]]
            continue
        tests.run(result)
    with open(out_path, "w") as f:
        json.dump(result.outcomes, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
