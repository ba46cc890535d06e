# Writes a few facts about this interpreter as JSON to argv[1], then stops
# itself so a test can compare them with what it reads from our memory.
import json, os, signal, sys

facts = {
    "none": hex(id(None)),
    "none_type": hex(id(type(None))),
    "executable": os.path.realpath(sys.executable),
    "version": list(sys.version_info[:2]),
}
with open(sys.argv[1], "w") as f:
    json.dump(facts, f)
os.kill(os.getpid(), signal.SIGSTOP)
