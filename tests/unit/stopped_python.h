// Test helper: run an interpreter on a script that writes what it knows about
// itself to a file and then stops itself with SIGSTOP; the test reads that
// ground truth and inspects the stopped process. The process is killed when
// the helper goes away.
#pragma once

#include <string>
#include <vector>

namespace cpydbg::test {

// The interpreters the project supports, as installed on this machine.
struct Interpreter {
  std::string label;   // "3.12", "debian-3.11d"
  std::string python;  // executable
  std::string table;   // its layout table, layouts/<table>.json
};
const std::vector<Interpreter>& interpreters();

class StoppedPython {
 public:
  // Runs `python script output-file extra-args...` and waits (up to
  // `timeout_s`) for it to stop itself. ok() / failure() say how it went.
  StoppedPython(const std::string& python, const std::string& script,
                const std::vector<std::string>& extra_args = {}, int timeout_s = 60);
  ~StoppedPython();
  StoppedPython(const StoppedPython&) = delete;
  StoppedPython& operator=(const StoppedPython&) = delete;

  bool ok() const { return pid_ > 0 && failure_.empty(); }
  const std::string& failure() const { return failure_; }
  int pid() const { return pid_; }
  // What the script wrote to its output file.
  const std::string& output() const { return output_; }

 private:
  int pid_ = -1;
  std::string dir_, failure_, output_;
};

}  // namespace cpydbg::test
