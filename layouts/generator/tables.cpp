// See tables.h.
#include "tables.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cpydbg/registry.h"

namespace cpydbg::tool {
namespace fs = std::filesystem;

Layout load_table(const std::string& arg, std::string* origin) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    std::ifstream in(arg, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw LayoutError("cannot read " + arg);
    if (origin) *origin = arg;
    return parse_layout(text.str(), arg);
  }
  auto& registry = LayoutRegistry::instance();
  if (auto l = registry.by_name(arg)) {
    if (origin) *origin = registry.origin_of(arg);
    return *l;
  }
  throw LayoutError(arg + " is neither a file nor a known table (see: cpydbg-layout list)");
}

std::string table_name(const Layout& l, const std::string& variant) {
  std::string n = "cpython-" + l.series();
  if (!variant.empty()) n += "-" + variant;
  if (!l.flavour.suffix().empty()) n += "-" + l.flavour.suffix();
  return n + "-" + l.arch;
}

bool stem_matches(const std::string& stem, const Layout& l) {
  std::string head = "cpython-" + l.series() + "-";
  std::string flavour = l.flavour.suffix();
  std::string tail = (flavour.empty() ? "" : flavour + "-") + l.arch;
  if (stem.size() < head.size() + tail.size() || stem.compare(0, head.size(), head) != 0 ||
      stem.compare(stem.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  std::string middle = stem.substr(head.size(), stem.size() - head.size() - tail.size());
  // Nothing, or "<variant>-" that is not itself a flavour word.
  if (middle.empty()) return true;
  for (const char* word : {"debug-", "free_threaded-", "trace_refs-"})
    if (middle.find(word) != std::string::npos) return false;
  return middle.back() == '-';
}

}  // namespace cpydbg::tool
