#include "lldb_target.h"

#include "target/glibc_threads.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace cpydbg::lldb_plugin {

namespace {

// Returns the symbol's load address when it is loaded in the process.
std::optional<uint64_t> load_address(lldb::SBTarget& target, lldb::SBSymbol symbol) {
  if (!symbol.IsValid()) return std::nullopt;
  lldb::addr_t addr = symbol.GetStartAddress().GetLoadAddress(target);
  if (addr == LLDB_INVALID_ADDRESS) return std::nullopt;
  return addr;
}

// Among the matches, an exported symbol wins over a local one of the same
// name (a library may carry an unrelated static with that name).
std::optional<uint64_t> best_match(lldb::SBTarget& target, const std::string& name,
                                   lldb::SymbolType type) {
  lldb::SBSymbolContextList list = target.FindSymbols(name.c_str(), type);
  std::optional<uint64_t> local;
  for (uint32_t i = 0, n = list.GetSize(); i < n; ++i) {
    lldb::SBSymbol symbol = list.GetContextAtIndex(i).GetSymbol();
    // FindSymbols matches base names too; insist on the exact name.
    const char* found = symbol.GetName();
    if (!found || name != found) continue;
    std::optional<uint64_t> addr = load_address(target, symbol);
    if (!addr) continue;
    if (symbol.IsExternal()) return addr;
    if (!local) local = addr;
  }
  return local;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "123", "0x7f00..." (C rules, base 0); anything else is not a plain integer.
std::optional<uint64_t> parse_integer(const std::string& s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// A variable path LLDB can resolve without the expression parser: `op`,
// `f->f_code`, `frame.stack[2]`. Anything with operators goes to the parser.
bool is_variable_path(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalnum(c) || c == '_' || c == '.' || c == '[' || c == ']') continue;
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '>') { ++i; continue; }
    return false;
  }
  return true;
}

// An SBValue can be valid and still carry an error (e.g. an optimised-out
// variable), so check both, then insist on a scalar (integer or pointer).
std::optional<uint64_t> scalar_of(lldb::SBValue value, std::string* error) {
  if (!value.IsValid()) {
    if (error) *error = "could not evaluate the expression";
    return std::nullopt;
  }
  lldb::SBError status = value.GetError();
  if (status.Fail()) {
    if (error) *error = status.GetCString() ? status.GetCString() : "could not evaluate the expression";
    return std::nullopt;
  }
  lldb::SBError conv;
  uint64_t v = value.GetValueAsUnsigned(conv, 0);
  if (conv.Fail()) {
    if (error) *error = "the expression's value is not an integer or pointer";
    return std::nullopt;
  }
  return v;
}

}  // namespace

bool LldbTarget::read(uint64_t addr, void* buf, size_t size) {
  if (size == 0) return true;
  if (process_.IsValid()) {
    lldb::SBError error;
    size_t got = process_.ReadMemory(addr, buf, size, error);
    // A short read means part of the range is unmapped: all or nothing.
    if (error.Success() && got == size) return true;
  }
  return read_from_file(addr, buf, size);
}

// Core files usually leave out unmodified file-backed mappings (the kernel's
// default coredump_filter, gdb's gcore too), so Py_Version, tp_name strings
// and glibc's thread_db descriptors are missing from them. For read-only
// segments the bytes in the file are the bytes that were in memory. Read
// from the whole segment (LLDB's PT_LOAD container), not the one section
// the address is in: the core reads whole pages, which cross sections (a
// non-PIE python3.11 has Py_Version 0x1b8 bytes before .rodata's end).
bool LldbTarget::read_from_file(uint64_t addr, void* buf, size_t size) {
  lldb::SBAddress where = target_.ResolveLoadAddress(addr);
  lldb::SBSection section = where.GetSection();
  for (lldb::SBSection parent = section.GetParent(); parent.IsValid(); parent = parent.GetParent())
    section = parent;
  if (!section.IsValid() || (section.GetPermissions() & lldb::ePermissionsWritable)) return false;
  lldb::addr_t start = section.GetLoadAddress(target_);
  if (start == LLDB_INVALID_ADDRESS || addr < start) return false;
  uint64_t offset = addr - start;
  // Only bytes the file really holds (not a .bss-like tail) and one segment.
  if (offset + size > section.GetFileByteSize()) return false;
  lldb::SBData data = section.GetSectionData(offset, size);
  lldb::SBError error;
  return data.IsValid() && data.GetByteSize() == size &&
         data.ReadRawData(error, 0, buf, size) == size && error.Success();
}

std::optional<uint64_t> LldbTarget::symbol(std::string_view name) {
  std::string n(name);
  // Data first (what the core asks for), then any kind, because stripped or
  // odd builds sometimes classify a variable differently.
  if (auto addr = best_match(target_, n, lldb::eSymbolTypeData)) return addr;
  return best_match(target_, n, lldb::eSymbolTypeAny);
}

lldb::SBFrame LldbTarget::selected_frame() {
  lldb::SBThread thread = process_.GetSelectedThread();
  if (!thread.IsValid()) return {};
  return thread.GetSelectedFrame();
}

std::optional<SelectedThread> LldbTarget::selected_thread() {
  if (!process_.IsValid()) return std::nullopt;
  lldb::SBThread thread = process_.GetSelectedThread();
  if (!thread.IsValid()) return std::nullopt;
  SelectedThread out;
  out.lwp = thread.GetThreadID();
  // On x86-64 Linux, pthread_self() is the TCB address held in fs_base.
  // Frame 0 has the thread's real registers (not an unwound guess).
  lldb::SBValue fs = thread.GetFrameAtIndex(0).FindRegister("fs_base");
  if (fs.IsValid() && fs.GetError().Success()) {
    lldb::SBError conv;
    uint64_t v = fs.GetValueAsUnsigned(conv, 0);
    if (conv.Success()) out.pthread = v;
  }
  // LLDB before 15 has no fs_base: ask glibc's own thread list instead.
  if (out.pthread == 0) out.pthread = glibc_pthread_of(*this, out.lwp).value_or(0);
  return out;
}

std::optional<uint64_t> LldbTarget::evaluate(std::string_view expr_view, std::string* error) {
  std::string expr(trim(expr_view));
  if (expr.empty()) {
    if (error) *error = "empty expression";
    return std::nullopt;
  }
  // Cheap paths first: LLDB's expression parser costs a clang compile.
  if (auto v = parse_integer(expr)) return v;
  lldb::SBFrame frame = selected_frame();
  if (frame.IsValid()) {
    if (expr[0] == '$') {
      lldb::SBValue reg = frame.FindRegister(expr.c_str() + 1);
      if (reg.IsValid() && reg.GetError().Success()) return scalar_of(reg, error);
    } else if (is_variable_path(expr)) {
      lldb::SBValue var = frame.GetValueForVariablePath(expr.c_str());
      if (var.IsValid() && var.GetError().Success()) return scalar_of(var, error);
    }
    return scalar_of(frame.EvaluateExpression(expr.c_str()), error);
  }
  // No frame (e.g. no process yet): globals and arithmetic still evaluate.
  return scalar_of(target_.EvaluateExpression(expr.c_str()), error);
}

uint64_t LldbTarget::generation() {
  // Expression evaluation runs the process but leaves its memory as it was;
  // counting those stops would throw the caches away for nothing.
  return process_.IsValid() ? process_.GetStopID(false) : 0;
}

std::vector<Target::FrameValues> LldbTarget::native_frame_values(
    std::string_view function, const std::vector<std::string>& names) {
  std::vector<FrameValues> out;
  if (!process_.IsValid()) return out;
  lldb::SBThread thread = process_.GetSelectedThread();
  if (!thread.IsValid()) return out;
  for (uint32_t i = 0, n = thread.GetNumFrames(); i < n && out.size() < kMaxNativeFrames; ++i) {
    lldb::SBFrame frame = thread.GetFrameAtIndex(i);
    // Inlined callees are frames of their own, named after themselves.
    const char* name = frame.GetFunctionName();
    if (!name || function != name) continue;
    FrameValues values(names.size());
    for (size_t k = 0; k < names.size(); ++k)
      values[k] = scalar_of(frame.FindVariable(names[k].c_str()), nullptr);
    out.push_back(std::move(values));
  }
  return out;
}

std::vector<std::string> LldbTarget::module_paths() {
  std::vector<std::string> paths;
  for (uint32_t i = 0, n = target_.GetNumModules(); i < n; ++i) {
    lldb::SBFileSpec spec = target_.GetModuleAtIndex(i).GetFileSpec();
    char buf[4096];
    uint32_t len = spec.GetPath(buf, sizeof buf);
    if (len > 0 && len < sizeof buf) paths.emplace_back(buf, len);
  }
  return paths;
}

}  // namespace cpydbg::lldb_plugin
