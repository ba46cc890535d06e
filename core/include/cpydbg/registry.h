// The layout tables cpydbg knows: those compiled into the library plus those
// found in the directory named by CPYDBG_LAYOUTS (which add to or override
// the built-in ones). CPYDBG_BUILTIN_LAYOUTS=0 leaves the compiled-in ones
// out (to try a release before its table exists, or when distrusting one).
// Tables are decoded on first use and kept; choosing among the built-in ones
// decodes none (their headers say what they are for).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg {

struct TableSource {
  std::string name;    // file stem, e.g. "cpython-3.12-x86_64"
  std::string origin;  // "built-in" or the file path
  // The table: a built-in one in the binary form (encode_layout), read in
  // place from the library; one read from a file as JSON, owned by `storage`.
  std::string_view bytes;
  std::shared_ptr<const std::string> storage;
  bool packed() const { return !storage; }
};

class LayoutRegistry {
 public:
  // Built-in tables, then $CPYDBG_LAYOUTS (if set) on top.
  static LayoutRegistry& instance();

  // Re-read $CPYDBG_BUILTIN_LAYOUTS and $CPYDBG_LAYOUTS. Returns a problem to
  // report (missing directory, unreadable file) or "".
  std::string reload_overrides();
  // False when CPYDBG_BUILTIN_LAYOUTS=0 switched the compiled-in tables off.
  bool builtins_enabled() const { return builtins_enabled_; }
  // What the last reload_overrides() reported ("" when all was well).
  const std::string& override_problem() const { return override_problem_; }

  // The table for a version series ("3.12") and flavour, or null.
  // A table that fails to parse throws LayoutError naming its file.
  std::shared_ptr<const Layout> find(int major, int minor, const Flavour& flavour);
  // The names of every table of that series and flavour (a series can have
  // several: pyenv's 3.11.7 and Debian's 3.11.2), exact version matches
  // first; by_name() decodes the one wanted. Built-in tables are chosen from
  // their headers; a JSON table of the series is parsed to know its flavour,
  // and throws LayoutError naming its file when it cannot be.
  std::vector<std::string> candidates(int major, int minor, const Flavour& flavour,
                                      uint32_t exact_hex = 0);
  // The table whose file stem is `name`, or null.
  std::shared_ptr<const Layout> by_name(const std::string& name);

  const std::vector<TableSource>& sources() const { return sources_; }
  std::string origin_of(const std::string& name) const;
  // "cpython-3.11-debian-x86_64 (built-in)" for a table this registry parsed.
  std::string describe(const Layout* layout) const;

 private:
  LayoutRegistry();
  std::vector<TableSource> sources_;
  std::string override_problem_;
  bool builtins_enabled_ = true;
  std::vector<std::pair<std::string, std::shared_ptr<const Layout>>> parsed_;
};

// The tables compiled into the library (generated at build time).
const std::vector<TableSource>& builtin_tables();

}  // namespace cpydbg
