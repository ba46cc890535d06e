#include "stopped_python.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace cpydbg::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

const std::vector<Interpreter>& interpreters() {
  static const std::string pyenv = std::string(CPYDBG_PYENV_ROOT) + "/versions/";
  static const std::vector<Interpreter> all = {
      {"2.7", pyenv + "2.7.18/bin/python", "cpython-2.7-x86_64"},
      {"3.6", pyenv + "3.6.15/bin/python", "cpython-3.6-x86_64"},
      {"3.7", pyenv + "3.7.16/bin/python", "cpython-3.7-x86_64"},
      {"3.8", pyenv + "3.8.18/bin/python", "cpython-3.8-x86_64"},
      {"3.9", pyenv + "3.9.18/bin/python", "cpython-3.9-x86_64"},
      {"3.10", pyenv + "3.10.13/bin/python", "cpython-3.10-x86_64"},
      {"3.11", pyenv + "3.11.7/bin/python", "cpython-3.11-x86_64"},
      {"3.12", pyenv + "3.12.1/bin/python", "cpython-3.12-x86_64"},
      {"3.13", pyenv + "3.13.0/bin/python", "cpython-3.13-x86_64"},
      {"debian-3.11", "/usr/bin/python3.11", "cpython-3.11-debian-x86_64"},
      {"debian-3.11d", "/usr/bin/python3.11d", "cpython-3.11-debug-x86_64"},
  };
  return all;
}

StoppedPython::StoppedPython(const std::string& python, const std::string& script,
                             const std::vector<std::string>& extra_args, int timeout_s) {
  char templ[] = "/tmp/cpydbg-stopped-XXXXXX";
  if (!mkdtemp(templ)) {
    failure_ = "mkdtemp failed";
    return;
  }
  dir_ = templ;
  const std::string out = dir_ + "/truth.json", log = dir_ + "/log.txt";
  std::vector<std::string> args = {python, script, out};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (pid_ < 0) {
    failure_ = "fork failed";
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG | WUNTRACED);
    if (r == pid_ && WIFSTOPPED(status)) break;
    if (r == pid_) {
      failure_ = python + " exited before stopping: " + slurp(log);
      pid_ = -1;
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      failure_ = python + " did not stop within " + std::to_string(timeout_s) + " s: " + slurp(log);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  output_ = slurp(out);
  if (output_.empty()) failure_ = python + " wrote no output: " + slurp(log);
}

StoppedPython::~StoppedPython() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

}  // namespace cpydbg::test
