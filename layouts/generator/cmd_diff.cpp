#include "commands.h"
namespace cpydbg::tool {
int cmd_diff(const Args&) { return 2; }
}
