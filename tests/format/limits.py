# Objects for the formatter's limit and hostile-input tests: writes
# {name: hex(id(obj))} to argv[1] and stops itself. Runs on 2.7 and 3.6+.
import json, os, signal, sys

nested = [1]
for _ in range(10):
    nested = [nested]
objects = {
    "list3": [1, 2, 3],
    "list1000": list(range(1000)),
    "nested": nested,
    "long_str": "x" * 5000,
    "huge_int": 3 ** 200000,
    "none": None,
    "dict": {"a": 1},
    "tuple": (1, 2),
}
with open(sys.argv[1], "w") as f:
    json.dump(dict((k, hex(id(v)).rstrip("L")) for k, v in objects.items()), f)
os.kill(os.getpid(), signal.SIGSTOP)
