// The cpydbg-layout subcommands. Each takes its arguments (after the
// subcommand name), prints to stdout/stderr and returns the exit status:
// 0 success, 1 the check/operation failed, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace cpydbg::tool {

using Args = std::vector<std::string>;

int cmd_generate(const Args& args);
int cmd_list(const Args& args);
int cmd_diff(const Args& args);
int cmd_check(const Args& args);

}  // namespace cpydbg::tool
