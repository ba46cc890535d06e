// See interpreter.h.
#include "interpreter.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cpydbg::tool {
namespace fs = std::filesystem;
namespace {

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// An ELF with a PT_INTERP is a program; a python one exports Py_Main or
// Py_BytesMain, but a cheap name check is enough to tell it from a .so.
bool looks_like_python(const fs::path& p) {
  std::string stem = p.filename().string();
  return stem.rfind("python", 0) == 0 && stem.find(".so") == std::string::npos &&
         is_executable_file(p);
}

}  // namespace

std::string find_interpreter(const std::string& file, int major, int minor) {
  fs::path p(file);
  if (looks_like_python(p)) return p.string();
  std::string series = std::to_string(major) + "." + std::to_string(minor);
  fs::path bin = p.parent_path().parent_path() / "bin";
  for (const std::string& name :
       {"python" + series, "python" + series + "m", "python" + std::to_string(major)}) {
    if (is_executable_file(bin / name)) return (bin / name).string();
  }
  return "";
}

}  // namespace cpydbg::tool
