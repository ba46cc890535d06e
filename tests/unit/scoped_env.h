// Test helpers: an environment variable set (or unset) for the life of one
// object, with the layout registry re-reading its variables
// (CPYDBG_LAYOUTS, CPYDBG_BUILTIN_LAYOUTS) both times; and a directory of
// tables that $CPYDBG_LAYOUTS names meanwhile.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpydbg/registry.h"

namespace cpydbg::test {

class ScopedEnv {
 public:
  // `value` nullptr: unset the variable.
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
    LayoutRegistry::instance().reload_overrides();
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
    LayoutRegistry::instance().reload_overrides();
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Tables (file name -> JSON) in a fresh directory, $CPYDBG_LAYOUTS while it lives.
class ScopedLayoutsDir {
 public:
  explicit ScopedLayoutsDir(const std::map<std::string, std::string>& tables)
      : dir_(make_dir()), env_("CPYDBG_LAYOUTS", write(dir_, tables)) {
    for (const auto& [name, text] : tables) files_.push_back(dir_ + "/" + name);
  }
  ~ScopedLayoutsDir() {
    for (const auto& f : files_) std::remove(f.c_str());
    ::rmdir(dir_.c_str());
  }
  // The path of one of its tables.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  static std::string make_dir() {
    char templ[] = "/tmp/cpydbg-layouts-XXXXXX";
    if (!::mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
    return templ;
  }
  static const char* write(const std::string& dir, const std::map<std::string, std::string>& tables) {
    for (const auto& [name, text] : tables) {
      FILE* f = std::fopen((dir + "/" + name).c_str(), "w");
      if (!f) throw std::runtime_error("cannot write " + dir + "/" + name);
      std::fputs(text.c_str(), f);
      std::fclose(f);
    }
    return dir.c_str();
  }

  std::string dir_;
  ScopedEnv env_;
  std::vector<std::string> files_;
};

}  // namespace cpydbg::test
