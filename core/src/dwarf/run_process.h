// Runs a program and captures its output, for asking an interpreter about
// itself. No shell: arguments go straight to execv.
#pragma once

#include <string>
#include <vector>

namespace cpydbg::dwarf {

struct ProcessResult {
  int exit_code = -1;       // -1 when it could not be started or was killed
  std::string out, err;
  std::string failure;      // why it could not be run ("" when it ran)
};

// argv[0] is the program path. stdin is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace cpydbg::dwarf
