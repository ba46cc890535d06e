#include "commands.h"
namespace cpydbg::tool {
int cmd_list(const Args&) { return 2; }
}
