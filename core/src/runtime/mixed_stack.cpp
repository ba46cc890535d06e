#include "runtime/mixed_stack.h"

#include <optional>

namespace cpydbg {
namespace {

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "_PyEval_EvalFrameDefault", or its split-off cold part in an LTO build.
bool names_function(const std::string& name, const char* function) {
  size_t n = std::char_traits<char>::length(function);
  return name.compare(0, n, function) == 0 && (name.size() == n || name[n] == '.');
}

}  // namespace

const char* eval_function(const Python& py) {
  return py.major() == 2 ? "PyEval_EvalFrameEx" : "_PyEval_EvalFrameDefault";
}

std::vector<NativeFrameInfo> native_frames_of(Python& py, uint64_t lwp, size_t max) {
  Target& target = py.mem().target();
  auto frames = target.native_frames(lwp, max);
  std::vector<NativeFrameInfo> out;
  for (size_t level = 0; level < frames.size() && level < max; ++level) {
    NativeFrameInfo n;
    n.pc = frames[level].pc;
    // A caller's pc is its return address, which may be the next function's
    // first byte after a call that does not return: name the call itself.
    Target::CodeSymbol sym = target.symbol_at(level && n.pc ? n.pc - 1 : n.pc);
    // The file's own symbol names a function the same in every debugger
    // (gdb says __GI_kill where LLDB says kill); an inlined call has none.
    n.function = frames[level].inlined || sym.function.empty() ? frames[level].function
                                                               : sym.function;
    n.inlined = frames[level].inlined;
    n.module = base_name(sym.module);
    n.is_eval = names_function(n.function, eval_function(py));
    out.push_back(std::move(n));
  }
  return out;
}

MixedStack mixed_stack(Python& py, Walker& walker, uint64_t lwp, const ThreadInfo* thread) {
  MixedStack out;
  size_t activations = 0;
  if (thread) out.python = walker.frames(*thread, &out.problem, {}, &activations);

  out.native = native_frames_of(py, lwp, Target::kMaxNativeFrames);
  out.truncated = out.native.size() >= Target::kMaxNativeFrames;
  std::vector<size_t> evals;  // native levels of eval loop activations, innermost first
  for (size_t level = 0; level < out.native.size(); ++level)
    if (out.native[level].is_eval) evals.push_back(level);

  // Pair activations with eval frames from the outermost end: an innermost
  // eval frame may not have made its frame current yet (a breakpoint on the
  // eval function's entry). With fewer eval frames than activations the
  // unwinder stopped short (or at kMaxNativeFrames) and the outermost ones
  // are missing: pair from the innermost instead.
  const bool from_innermost = evals.size() < activations;
  std::vector<std::optional<size_t>> level_of(activations);  // activation -> native level
  for (size_t j = 0; j < std::min(evals.size(), activations); ++j) {
    if (from_innermost) level_of[j] = evals[j];
    else level_of[activations - 1 - j] = evals[evals.size() - 1 - j];
  }
  for (size_t i = 0; i < out.python.size(); ++i) {
    size_t activation = out.python[i].activation;
    if (activation < activations && level_of[activation])
      out.native[*level_of[activation]].python.push_back(i);
  }
  if (thread && from_innermost && out.problem.empty())
    out.problem = "the native frames hold " + std::to_string(evals.size()) + " of the " +
                  std::to_string(activations) + " " + eval_function(py) +
                  " activations the Python frames run in: the debugger's unwinder stopped "
                  "early, older Python frames are not placed";
  else if (thread && evals.size() > activations && out.problem.empty())
    out.problem = std::to_string(evals.size() - activations) + " " + eval_function(py) +
                  " frame(s) more than the Python frames run in: the innermost are entering "
                  "or leaving the eval loop";
  return out;
}

std::optional<size_t> native_level_of(const MixedStack& stack, size_t index) {
  for (size_t level = 0; level < stack.native.size(); ++level)
    for (size_t i : stack.native[level].python)
      if (i == index) return level;
  return std::nullopt;
}

}  // namespace cpydbg
