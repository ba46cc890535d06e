// Table lookup: built-in tables with $CPYDBG_LAYOUTS overrides on top.
#include "cpydbg/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace cpydbg {
namespace fs = std::filesystem;

LayoutRegistry& LayoutRegistry::instance() {
  static LayoutRegistry registry;
  return registry;
}

LayoutRegistry::LayoutRegistry() { reload_overrides(); }

std::string LayoutRegistry::reload_overrides() {
  const char* builtins = std::getenv("CPYDBG_BUILTIN_LAYOUTS");
  builtins_enabled_ = !builtins || std::string_view(builtins) != "0";
  sources_ = builtins_enabled_ ? builtin_tables() : std::vector<TableSource>{};
  parsed_.clear();
  override_problem_.clear();
  const char* dir = std::getenv("CPYDBG_LAYOUTS");
  if (!dir || !*dir) return "";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return override_problem_ = std::string("CPYDBG_LAYOUTS=") + dir +
                               " is not a directory; using the built-in tables";
  std::string problems;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      problems += "cannot read " + entry.path().string() + "; ";
      continue;
    }
    auto storage = std::make_shared<const std::string>(text.str());
    TableSource src{entry.path().stem().string(), entry.path().string(), *storage, storage};
    auto same = std::find_if(sources_.begin(), sources_.end(),
                             [&](const TableSource& s) { return s.name == src.name; });
    if (same != sources_.end()) *same = std::move(src);
    else sources_.push_back(std::move(src));
  }
  return override_problem_ = problems;
}

std::string LayoutRegistry::origin_of(const std::string& name) const {
  for (const auto& s : sources_)
    if (s.name == name) return s.origin;
  return "";
}

std::string LayoutRegistry::describe(const Layout* layout) const {
  for (const auto& [name, parsed] : parsed_)
    if (parsed.get() == layout) return name + " (" + origin_of(name) + ")";
  return layout ? layout->name() : "";
}

std::shared_ptr<const Layout> LayoutRegistry::by_name(const std::string& name) {
  for (const auto& [n, layout] : parsed_)
    if (n == name) return layout;
  for (const auto& s : sources_) {
    if (s.name != name) continue;
    auto layout = std::make_shared<const Layout>(s.packed() ? decode_layout(s.bytes, s.origin)
                                                            : parse_layout(s.bytes, s.origin));
    parsed_.emplace_back(name, layout);
    return layout;
  }
  return nullptr;
}

std::shared_ptr<const Layout> LayoutRegistry::find(int major, int minor, const Flavour& flavour) {
  Layout probe;
  probe.version_hex = uint32_t(major) << 24 | uint32_t(minor) << 16;
  probe.flavour = flavour;
  return by_name(probe.name());
}

std::vector<std::string> LayoutRegistry::candidates(int major, int minor, const Flavour& flavour,
                                                    uint32_t exact_hex) {
  const std::string prefix = "cpython-" + std::to_string(major) + "." + std::to_string(minor) + "-";
  struct Found {
    std::string name;
    uint32_t version_hex;
  };
  std::vector<Found> found;
  for (const auto& s : sources_) {
    if (s.name.rfind(prefix, 0) != 0) continue;
    if (s.packed()) {
      auto header = peek_layout_header(s.bytes);
      if (header && header->flavour == flavour) found.push_back({s.name, header->version_hex});
    } else if (auto layout = by_name(s.name); layout && layout->flavour == flavour) {
      found.push_back({s.name, layout->version_hex});
    }
  }
  std::stable_partition(found.begin(), found.end(), [&](const Found& f) {
    return exact_hex && (f.version_hex & ~0xffu) == (exact_hex & ~0xffu);
  });
  std::vector<std::string> names;
  for (auto& f : found) names.push_back(std::move(f.name));
  return names;
}

}  // namespace cpydbg
