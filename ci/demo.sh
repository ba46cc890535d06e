#!/usr/bin/env bash
# The main job: build cpydbg, then show pystack / pyobj / pyopstack on a real
# Python process in gdb and in lldb. PYTHON overrides the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/build.sh >/dev/null
pyenv_root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
PYTHON=${PYTHON:-$pyenv_root/versions/3.12.1/bin/python}
install=$PWD/build/install
addr_file=$(mktemp)
echo "=== gdb: $PYTHON"
gdb -nx -q -batch -iex "set auto-load python-scripts off" -ex "set pagination off" -ex run -ex "source $install/share/cpydbg/gdb/cpydbg.py" \
    -ex "echo (gdb) pystack\n" -ex pystack -ex "echo (gdb) pyopstack 1\n" -ex "pyopstack 1" \
    -ex "python gdb.execute('echo (gdb) pyobj ' + open('$addr_file').read() + '\\\\n'); gdb.execute('pyobj ' + open('$addr_file').read())" \
    --args "$PYTHON" ci/demo_target.py "$addr_file" 2>&1 | grep -v -E '^\[|^Program received|^$|^[0-9]+\s'
echo
echo "=== lldb: $PYTHON"
addr=$(cat "$addr_file")
lldb --no-lldbinit --batch -o "process launch -- ci/demo_target.py $addr_file" \
    -o "plugin load $install/lib/cpydbg/libcpydbg-lldb.so" -o pystack -o "pyopstack 1" \
    -o "pyobj $addr" -k "process kill" "$PYTHON" 2>&1 | grep -v -E '^Process [0-9]+ (launched|stopped)|^\* thread|^ *frame #|^->|^ +[0-9]+ +\t|^$|ModuleNotFound|Traceback|File "<string>"|embedded_interpreter'
rm -f "$addr_file"
