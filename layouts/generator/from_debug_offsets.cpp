// cpydbg-layout generate --from-debug-offsets PID|CORE: what a 3.13+ process
// says of its own layout, written as a partial table (marked so in its
// source.partial_from and, by default, its name: cpython-3.13-partial-x86_64)
// for a release that has no table yet. `cpydbg-layout diff` compares it with
// a full table.
#include <cstdio>
#include <fstream>
#include <memory>

#include "commands.h"
#include "runtime/coverage.h"
#include "runtime/partial_layout.h"
#include "runtime/python.h"
#include "tables.h"
#include "target/core_file.h"
#include "target/live_process.h"

namespace cpydbg::tool {

int generate_from_debug_offsets(const std::string& source, const std::string& out_arg,
                                const std::string& variant) {
  const bool is_pid = !source.empty() && source.find_first_not_of("0123456789") == std::string::npos;
  std::unique_ptr<Target> target;
  std::string what;
  if (is_pid) {
    auto live = std::make_unique<LiveProcessTarget>(std::stoi(source));
    if (!live->ok()) throw LayoutError(live->error());
    target = std::move(live);
    what = "process " + source;
  } else {
    auto core = std::make_unique<CoreFileTarget>(source);
    if (!core->ok()) throw LayoutError(core->error());
    target = std::move(core);
    what = "core file " + source;
  }
  Reader mem(*target);
  Detection d = Python::detect(mem, "");
  const DebugOffsetsRead& r = d.debug_offsets;
  if (!r.offsets)
    throw LayoutError(r.present ? "the _Py_DebugOffsets of " + what + " are not used: " + r.problem
                                : what + " runs Python " + std::to_string(d.major) + "." +
                                      std::to_string(d.minor) +
                                      ", which has no _Py_DebugOffsets (3.13 and later have them)");
  Layout l = partial_layout(*r.offsets, d.flavour, mem);
  l.generated_from = "_Py_DebugOffsets of " + what;
  const std::string out = out_arg.empty() ? table_name(l, variant.empty() ? "partial" : variant) + ".json"
                                          : out_arg;
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << dump_layout(l);
  f.close();
  if (!f) throw LayoutError("cannot write " + out);
  size_t fields = 0;
  for (const auto& [name, s] : l.structs) fields += s.fields.size();
  std::printf("%s: Python %s%s, partial: %zu structs, %zu fields from the _Py_DebugOffsets of %s\n",
              out.c_str(), l.python_version.c_str(),
              l.flavour.suffix().empty() ? "" : (" " + l.flavour.suffix()).c_str(),
              l.structs.size(), fields, what.c_str());
  Coverage coverage(l);
  std::string uncovered;
  for (Feature feature : coverage.uncovered())
    uncovered += (uncovered.empty() ? "" : ", ") + std::string(Coverage::describe(feature));
  if (!uncovered.empty())
    std::printf("  not covered (a table generated from a build with debug info covers them): %s\n",
                uncovered.c_str());
  return 0;
}

}  // namespace cpydbg::tool
