// Flavour detection; see flavour.h.
//
// Py_DEBUG changes no struct layout in most versions (Debian's 3.11 release
// and debug builds have identical structs), so it is recognised by the
// reference-count bookkeeping that Py_DEBUG turns on (Py_REF_DEBUG): the
// _Py_RefTotal counter (2.7 … 3.12) and its accessors _Py_GetRefTotal
// (2.7 … 3.11) / _Py_GetGlobalRefTotal (3.12+). None of them exists in a
// release build. Py_TRACE_REFS and Py_GIL_DISABLED do change PyObject.
#include "dwarf/flavour.h"

namespace cpydbg::dwarf {

const std::set<std::string>& flavour_markers() {
  static const std::set<std::string> markers = {"_Py_RefTotal", "_Py_GetRefTotal",
                                                "_Py_GetGlobalRefTotal"};
  return markers;
}

Flavour detect_flavour(const Layout& layout, const DwarfIndex& index,
                       std::vector<std::string>& notes) {
  Flavour f;
  std::string seen;
  for (const auto& s : index.symbols) seen += (seen.empty() ? "" : ", ") + s;
  f.debug = !index.symbols.empty();
  notes.push_back(f.debug ? "Py_DEBUG: the DWARF has " + seen
                          : "release build: no _Py_RefTotal/_Py_GetRefTotal/_Py_GetGlobalRefTotal");
  f.trace_refs = layout.find_field("PyObject", "_ob_next") != nullptr;
  if (f.trace_refs) notes.push_back("Py_TRACE_REFS: PyObject has _ob_next");
  f.free_threaded = layout.find_field("PyObject", "ob_tid") != nullptr;
  if (f.free_threaded) notes.push_back("Py_GIL_DISABLED: PyObject has ob_tid");
  return f;
}

}  // namespace cpydbg::dwarf
