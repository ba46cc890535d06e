#include "runtime/walker.h"

#include <unordered_set>

#include "runtime/stackref.h"

namespace cpydbg {
namespace {
// A frame with more fast locals or stack slots than this is corrupt.
constexpr int64_t kMaxSlots = 1 << 20;
}  // namespace

std::optional<uint64_t> Walker::gil_holder(uint64_t interp) {
  const Offsets& o = py_.off();
  auto& mem = py_.mem();
  if (o.runtime.gil_tstate_current != kAbsent) {  // 3.7 – 3.11
    auto rt = py_.symbol("_PyRuntime");
    if (rt) return mem.ptr(*rt + o.runtime.gil_tstate_current);
  }
  if (o.interp.ceval_gil != kAbsent && o.gil.last_holder != kAbsent) {  // 3.12+
    auto gil = mem.ptr(interp + o.interp.ceval_gil);
    if (!gil || !*gil) return std::nullopt;
    if (o.gil.locked != kAbsent) {
      auto locked = mem.get<int32_t>(*gil + o.gil.locked);
      if (!locked || !*locked) return uint64_t(0);
    }
    return mem.ptr(*gil + o.gil.last_holder);
  }
  if (auto cur = py_.symbol("_PyThreadState_Current")) return mem.ptr(*cur);  // 2.7, 3.6
  return std::nullopt;
}

std::optional<MemoryExtent> Walker::gil_extent(uint64_t interp) {
  const Offsets& o = py_.off();
  if (!o.gil.size) return std::nullopt;
  if (o.interp.ceval_gil != kAbsent) {  // 3.12+: each interpreter points to its own
    auto gil = py_.mem().ptr(interp + o.interp.ceval_gil);
    if (gil && *gil) return MemoryExtent{*gil, o.gil.size};
  } else if (auto rt = py_.symbol("_PyRuntime"); rt && o.runtime.ceval_gil != kAbsent) {
    return MemoryExtent{*rt + o.runtime.ceval_gil, o.gil.size};
  }
  return std::nullopt;
}

std::optional<uint64_t> Walker::finalizing_thread() {
  const Offsets& o = py_.off();
  if (auto rt = py_.symbol("_PyRuntime"); rt && o.runtime.finalizing != kAbsent)
    return py_.mem().ptr(*rt + o.runtime.finalizing);
  if (auto fin = py_.symbol("_Py_Finalizing")) return py_.mem().ptr(*fin);  // 3.6
  return std::nullopt;
}

bool Walker::gc_collecting(uint64_t interp) {
  const Offsets& o = py_.off();
  std::optional<int32_t> collecting;
  if (o.interp.gc_collecting != kAbsent) {
    collecting = py_.mem().get<int32_t>(interp + o.interp.gc_collecting);
  } else if (auto rt = py_.symbol("_PyRuntime"); rt && o.runtime.gc_collecting != kAbsent) {
    collecting = py_.mem().get<int32_t>(*rt + o.runtime.gc_collecting);
  } else if (auto flag = static_gc_flag()) {
    collecting = py_.mem().get<int32_t>(*flag);
  }
  return collecting.value_or(0) != 0;
}

std::optional<uint64_t> Walker::static_gc_flag() {
  // gcmodule.c's `static int collecting` (2.7, 3.6): .symtab names it, a
  // stripped build does not. Any other value than the flag's 0 or 1 says
  // the name is some other file's.
  if (py_.at_least(3, 7)) return std::nullopt;
  auto flag = py_.symbol("collecting");
  if (!flag) return std::nullopt;
  auto value = py_.mem().get<int32_t>(*flag);
  return value && (*value == 0 || *value == 1) ? flag : std::nullopt;
}

bool Walker::knows_gc_state() {
  return py_.off().interp.gc_collecting != kAbsent || py_.off().runtime.gc_collecting != kAbsent ||
         static_gc_flag();
}

std::vector<ThreadInfo> Walker::threads(std::string* problem, const WalkLimits& limits) {
  const Offsets& o = py_.off();
  auto& mem = py_.mem();
  std::vector<ThreadInfo> out;
  auto fail = [&](const std::string& what) {
    if (problem && problem->empty()) *problem = what;
  };

  std::optional<uint64_t> interp;
  if (auto rt = py_.symbol("_PyRuntime"); rt && o.runtime.interpreters_head != kAbsent) {
    interp = mem.ptr(*rt + o.runtime.interpreters_head);
  } else if (auto head = py_.symbol("interp_head")) {
    interp = mem.ptr(*head);
  } else if (auto cur = py_.symbol("_PyThreadState_Current")) {
    // Fully stripped 2.7/3.6: reach the interpreter through the GIL holder.
    auto ts = mem.ptr(*cur);
    if (ts && *ts) interp = mem.ptr(*ts + o.tstate.interp);
  }
  if (!interp) {
    fail("cannot read the interpreter list (runtime memory unreadable)");
    return out;
  }
  std::unordered_set<uint64_t> seen;
  const auto finalizing = finalizing_thread();
  for (uint64_t is = *interp; is && out.size() < limits.max_threads; ) {
    if (!seen.insert(is).second) { fail("the interpreter list loops"); break; }
    auto holder = gil_holder(is);
    const bool collecting = gc_collecting(is);
    auto ts = mem.ptr(is + o.interp.tstate_head);
    if (!ts) { fail("unreadable interpreter state at " + std::to_string(is)); break; }
    for (uint64_t t = *ts; t && out.size() < limits.max_threads;) {
      if (!seen.insert(t).second) { fail("the thread list loops"); break; }
      ThreadInfo info;
      info.tstate = t;
      info.interp = is;
      info.thread_id = mem.uint(t + o.tstate.thread_id, o.tstate.thread_id_size).value_or(0);
      if (o.tstate.native_thread_id != kAbsent)
        info.native_thread_id = mem.get<uint64_t>(t + o.tstate.native_thread_id).value_or(0);
      info.holds_gil = holder && *holder == t;
      info.collecting_garbage = info.holds_gil && collecting;
      info.finalizing = finalizing && *finalizing == t;
      std::optional<uint64_t> frame;
      if (o.tstate.current_frame != kAbsent) {  // 3.13+
        frame = mem.ptr(t + o.tstate.current_frame);
      } else if (o.tstate.cframe != kAbsent && o.cframe.current_frame != kAbsent) {  // 3.11, 3.12
        auto cf = mem.ptr(t + o.tstate.cframe);
        frame = cf && *cf ? mem.ptr(*cf + o.cframe.current_frame) : std::optional<uint64_t>(0);
      } else {
        frame = mem.ptr(t + o.tstate.frame);
      }
      info.first_frame = frame.value_or(0);
      out.push_back(info);
      auto next = mem.ptr(t + o.tstate.next);
      if (!next) { fail("unreadable thread state"); break; }
      t = *next;
    }
    auto next = mem.ptr(is + o.interp.next);
    if (!next) break;
    is = *next;
  }
  return out;
}

std::optional<FrameInfo> Walker::read_frame(uint64_t addr) {
  const Offsets& o = py_.off();
  auto& mem = py_.mem();
  FrameInfo f;
  f.addr = addr;
  if (o.iframe.localsplus == kAbsent) {  // ≤3.10: PyFrameObject
    auto code = mem.ptr(addr + o.frame.f_code);
    auto lasti = mem.sint(addr + o.frame.f_lasti, o.frame.f_lasti_size);
    if (!code || !lasti) return std::nullopt;
    f.code = *code;
    f.frame_object = addr;
    // 3.10 counts code units, older versions bytes; -1 = not started.
    f.unit_offset = *lasti < 0 ? -1 : (py_.at_least(3, 10) ? *lasti * 2 : *lasti);
    f.localsplus = addr + o.frame.f_localsplus;
    f.stack_base = mem.ptr(addr + o.frame.f_valuestack).value_or(0);
    f.globals = mem.ptr(addr + o.frame.f_globals).value_or(0);
    f.locals = mem.ptr(addr + o.frame.f_locals).value_or(0);
    f.builtins = mem.ptr(addr + o.frame.f_builtins).value_or(0);
    if (o.frame.f_stacktop != kAbsent) {  // set only while the frame is not running
      auto top = mem.ptr(addr + o.frame.f_stacktop);
      if (top && *top && *top >= f.stack_base) f.saved_depth = (*top - f.stack_base) / 8;
    } else if (o.frame.f_stackdepth != kAbsent && o.frame.f_state != kAbsent) {  // 3.10
      auto state = mem.get<int8_t>(addr + o.frame.f_state);
      auto depth = mem.get<int32_t>(addr + o.frame.f_stackdepth);
      // Suspended or not started; or executing but stopped in a trace hook,
      // which stores the depth for the trace function and resets it to -1.
      if (state && depth && *depth >= 0 &&
          (*state == o.frame_state_suspended || *state == o.frame_state_created ||
           *state == o.frame_state_executing))
        f.saved_depth = *depth;
    }
    if (o.frame.f_gen != kAbsent) f.is_generator = mem.ptr(addr + o.frame.f_gen).value_or(0) != 0;
    return f;
  }
  // 3.11+: _PyInterpreterFrame. A partial table (built from _Py_DebugOffsets)
  // may lack the optional fields: they read as absent.
  auto field = [&](uint64_t off) { return off == kAbsent ? 0 : mem.ptr(addr + off).value_or(0); };
  uint64_t code_field = o.iframe.f_executable != kAbsent ? o.iframe.f_executable : o.iframe.f_code;
  auto executable = mem.ptr(addr + code_field);
  uint64_t instr_field = o.iframe.instr_ptr != kAbsent ? o.iframe.instr_ptr : o.iframe.prev_instr;
  auto instr = mem.ptr(addr + instr_field);
  if (!executable || !instr) return std::nullopt;
  StackRef code = decode_stackref(*executable, o.tagged_stackrefs);
  f.code = code.kind == StackRef::Kind::Object ? code.object : 0;
  uint64_t first_unit = f.code + o.code.co_code_adaptive;
  f.unit_offset = *instr >= first_unit ? int64_t(*instr - first_unit) : -1;
  f.localsplus = addr + o.iframe.localsplus;
  std::optional<int64_t> nlocalsplus;
  if (o.code.co_nlocalsplus != kAbsent) {
    nlocalsplus = mem.get<int32_t>(f.code + o.code.co_nlocalsplus);
  } else if (o.code.co_localsplusnames != kAbsent) {  // one name per slot, by construction
    auto names = mem.ptr(f.code + o.code.co_localsplusnames);
    if (names && *names) nlocalsplus = mem.get<int64_t>(*names + o.var.ob_size);
  }
  if (nlocalsplus && (*nlocalsplus < 0 || *nlocalsplus > kMaxSlots)) nlocalsplus.reset();
  if (nlocalsplus) f.stack_base = f.localsplus + uint64_t(*nlocalsplus) * 8;
  if (o.iframe.stacktop != kAbsent) {  // 3.11 - 3.13: a slot count from localsplus
    auto stacktop = mem.get<int32_t>(addr + o.iframe.stacktop);
    if (stacktop && nlocalsplus && *stacktop >= *nlocalsplus) f.saved_depth = *stacktop - *nlocalsplus;
  } else if (o.iframe.stackpointer != kAbsent && f.stack_base) {  // 3.14+: the top slot's address
    uint64_t sp = field(o.iframe.stackpointer);
    if (sp >= f.stack_base && (sp - f.stack_base) % 8 == 0 && (sp - f.stack_base) / 8 <= kMaxSlots)
      f.saved_depth = int64_t((sp - f.stack_base) / 8);
  }
  f.frame_object = field(o.iframe.frame_obj);
  f.globals = field(o.iframe.f_globals);
  f.locals = field(o.iframe.f_locals);
  f.builtins = field(o.iframe.f_builtins);
  if (auto owner = mem.get<int8_t>(addr + o.iframe.owner))
    f.is_generator = *owner == o.owner_generator;
  if (o.iframe.is_entry != kAbsent) f.is_entry = mem.get<uint8_t>(addr + o.iframe.is_entry).value_or(0) != 0;
  return f;
}

std::optional<FrameInfo> Walker::frame_of_object(uint64_t frame_object) {
  const Offsets& o = py_.off();
  if (o.frame.f_frame == kAbsent) {
    if (o.iframe.localsplus != kAbsent) return std::nullopt;  // a partial 3.11+ table
    return read_frame(frame_object);
  }
  auto iframe = py_.mem().ptr(frame_object + o.frame.f_frame);
  if (!iframe || !*iframe) return std::nullopt;
  return read_frame(*iframe);
}

std::optional<GeneratorInfo> Walker::generator(uint64_t gen) {
  using State = GeneratorInfo::State;
  const Offsets& o = py_.off();
  auto& mem = py_.mem();
  GeneratorInfo g;
  auto from_state = [&](int64_t state) {
    return state > o.frame_state_executing    ? State::Finished
           : state == o.frame_state_executing ? State::Running
           : state == o.frame_state_created   ? State::NotStarted
                                              : State::Suspended;
  };
  if (o.gen.gi_iframe != kAbsent && o.gen.gi_frame_state != kAbsent) {
    // 3.11+: the frame lives inside the generator; gi_frame_state says where it is.
    auto state = mem.get<int8_t>(gen + o.gen.gi_frame_state);
    if (!state) return std::nullopt;
    g.state = from_state(*state);
    if (g.state == State::Finished) return g;
    g.frame = read_frame(gen + o.gen.gi_iframe);
    return g.frame ? std::optional(g) : std::nullopt;
  }
  // ≤3.10: gi_frame, NULL once the generator has finished.
  auto frame = mem.ptr(gen + o.gen.gi_frame);
  if (!frame) return std::nullopt;
  if (!*frame) return g;
  g.frame = read_frame(*frame);
  if (!g.frame) return std::nullopt;
  if (o.frame.f_state != kAbsent) {  // 3.10
    auto state = mem.get<int8_t>(*frame + o.frame.f_state);
    if (!state) return std::nullopt;
    g.state = from_state(*state);
  } else {  // ≤3.9: f_lasti is -1 until it starts; f_stacktop is set while it is not running
    g.state = g.frame->unit_offset < 0 ? State::NotStarted
              : g.frame->saved_depth   ? State::Suspended
                                       : State::Running;
  }
  return g;
}

std::vector<FrameInfo> Walker::frames(const ThreadInfo& thread, std::string* problem,
                                      const WalkLimits& limits, size_t* activations) {
  const Offsets& o = py_.off();
  auto& mem = py_.mem();
  std::vector<FrameInfo> out;
  std::unordered_set<uint64_t> seen;
  const bool interpreter_frames = o.iframe.localsplus != kAbsent;
  const uint64_t back = interpreter_frames ? o.iframe.previous : o.frame.f_back;
  size_t activation = 0;
  bool activation_has_frames = false;  // the current activation ran a frame of the chain
  for (uint64_t addr = thread.first_frame; addr && out.size() < limits.max_frames;) {
    if (!seen.insert(addr).second) {
      if (problem) *problem = "the frame chain loops back to a frame already shown";
      break;
    }
    if (mem.budget_exhausted()) {
      if (problem) *problem = "stopped: read budget exhausted (corrupt or enormous stack?)";
      break;
    }
    bool skip = false;
    if (interpreter_frames) {
      auto owner = mem.get<int8_t>(addr + o.iframe.owner);
      // 3.12+ shim frames owned by the C stack (3.14+: the interpreter's
      // entry frames, owned by the INTERPRETER) are the interpreter's own;
      // each eval loop activation pushes one entry frame below the frames it runs.
      const int64_t entry = o.owner_interpreter >= 0 ? o.owner_interpreter : o.owner_cstack;
      skip = owner && ((o.owner_cstack >= 0 && *owner == o.owner_cstack) ||
                       (entry >= 0 && *owner == entry));
      if (owner && entry >= 0 && *owner == entry) ++activation, activation_has_frames = false;
    }
    if (!skip) {
      auto f = read_frame(addr);
      if (!f) {
        if (problem) *problem = "unreadable frame in the chain; the stack above may be incomplete";
        break;
      }
      // 3.11+ frames that have not reached their first traceable instruction
      // (still copying free variables etc.) are not shown by Python either.
      bool incomplete = false;
      if (interpreter_frames && !f->is_generator && o.code.co_firsttraceable != kAbsent) {
        auto first = mem.get<int32_t>(f->code + o.code.co_firsttraceable);
        incomplete = first && f->unit_offset < int64_t(*first) * 2;
      }
      if (!incomplete) {
        // 3.11 stores stacktop when a frame calls Python code inline and
        // never clears it: a frame whose callee entered the eval loop afresh
        // from C (is_entry; e.g. BINARY_OP -> __radd__) holds a stale one.
        if (!out.empty() && out.back().is_entry) f->saved_depth.reset();
        f->innermost = out.empty();
        f->activation = activation;
        out.push_back(*f);
      }
      activation_has_frames = true;
      // Up to 3.10 every frame is an activation of its own; 3.11 marks the
      // last frame of each (its caller is C code).
      if (!interpreter_frames || f->is_entry) ++activation, activation_has_frames = false;
    }
    auto next = mem.ptr(addr + back);
    if (!next) {
      if (problem) *problem = "unreadable frame link; the stack above may be incomplete";
      break;
    }
    addr = *next;
  }
  // 3.12+ chains end with the outermost activation's shim frame.
  if (activations) *activations = activation + (activation_has_frames ? 1 : 0);
  return out;
}

}  // namespace cpydbg
