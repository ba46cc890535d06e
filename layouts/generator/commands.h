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

// generate --from-debug-offsets: the partial table of a live 3.13+ process
// (a pid) or of a core file of one, from its _Py_DebugOffsets.
int generate_from_debug_offsets(const std::string& pid_or_core, const std::string& out,
                                const std::string& variant);

}  // namespace cpydbg::tool
