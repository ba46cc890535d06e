#include "summaries.h"

#include <string>

namespace cpydbg::lldb_plugin {
namespace {

// LLDB's summary callback has no baton: the one Sessions of the plugin.
Sessions* g_sessions = nullptr;

// The name the core knows the pointee by: "PyObject", "_object" for a
// `struct _object *`.
std::string pointee_name(lldb::SBType pointer) {
  std::string name = pointer.GetPointeeType().GetUnqualifiedType().GetName();
  if (name.rfind("struct ", 0) == 0) name.erase(0, 7);
  return name;
}

bool summarize(lldb::SBValue value, lldb::SBTypeSummaryOptions, lldb::SBStream& stream) {
  if (!g_sessions || !value.IsValid() || !value.GetError().Success()) return false;
  lldb::SBType type = value.GetType();
  if (!type.IsPointerType()) return false;
  lldb::SBError error;
  uint64_t addr = value.GetValueAsUnsigned(error, 0);
  if (error.Fail()) return false;
  auto text = g_sessions->summary(value.GetTarget(), addr, pointee_name(type));
  if (!text) return false;  // no readable Python here: LLDB shows the pointer alone
  stream.Printf("%s", text->c_str());  // "%s": the text is target data
  return true;
}

}  // namespace

bool register_summaries(lldb::SBDebugger debugger, Sessions& sessions) {
  g_sessions = &sessions;
  lldb::SBTypeCategory category = debugger.GetCategory("cpydbg");
  if (!category.IsValid()) category = debugger.CreateCategory("cpydbg");
  if (!category.IsValid()) return false;
  // Cascade: also through typedefs of these pointer types.
  lldb::SBTypeSummary summary =
      lldb::SBTypeSummary::CreateWithCallback(summarize, lldb::eTypeOptionCascade);
  for (const auto& [name, pointee] : Session::summarized_types()) {
    std::string pointer = name + " *";
    if (!category.AddTypeSummary(lldb::SBTypeNameSpecifier(pointer.c_str(), false), summary))
      return false;
  }
  category.SetEnabled(true);
  return true;
}

}  // namespace cpydbg::lldb_plugin
