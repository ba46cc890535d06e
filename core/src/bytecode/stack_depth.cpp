// Value-stack depth by abstract interpretation, the same flow analysis the
// compiler runs to get co_stacksize: a worklist over instructions, each edge
// applying the table's stack effect for that edge.
#include <algorithm>
#include <unordered_map>

#include "cpydbg/bytecode.h"

namespace cpydbg::bytecode {

namespace {

// After these the next instruction is not reached by falling through.
bool ends_flow(const std::string& n) {
  static const char* const kNames[] = {
      "RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE",
      "JUMP_FORWARD", "JUMP_ABSOLUTE", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
      "JUMP", "JUMP_NO_INTERRUPT", "BREAK_LOOP", "CONTINUE_LOOP", "INTERPRETER_EXIT"};
  for (const char* k : kNames)
    if (n == k) return true;
  return false;
}

const StackEffect* effect_for(const std::map<int, StackEffect>& m, int op) {
  auto it = m.find(op);
  return it == m.end() ? nullptr : &it->second;
}

const std::string& name_of(const OpcodeTable& t, int op) {
  static const std::string empty;
  return op >= 0 && static_cast<size_t>(op) < t.names.size() ? t.names[op] : empty;
}

// Stop runaway analyses of corrupt code: no real function nests this deep.
constexpr int kMaxDepth = 1 << 20;

// The table's fall-through `effect` of instruction `in` (named `name`) as the
// interpreter runs it. 3.11's compiler books a call's arguments as popped by
// PRECALL; at run time they stay until CALL, where a calling frame is
// suspended. The sum is the same, and so is co_stacksize.
int run_time_correction(const OpcodeTable& t, const std::string& name, const Instruction& in,
                        int effect) {
  if (name == "PRECALL") return 0;
  if (name == "CALL" && t.opcode("PRECALL") >= 0) return effect - static_cast<int>(in.arg);
  return effect;
}

}  // namespace

std::optional<int> run_time_effect(const OpcodeTable& t, const Instruction& in) {
  const StackEffect* e = effect_for(t.effect_nojump, in.base);
  if (!e) return std::nullopt;
  return run_time_correction(t, name_of(t, in.base), in, e->at(in.arg));
}

int entry_depth(const OpcodeTable& t, uint32_t co_flags) {
  constexpr uint32_t kGeneratorLike = 0x20 | 0x80 | 0x200;  // GENERATOR, COROUTINE, ASYNC_GENERATOR
  if (!(co_flags & kGeneratorLike)) return 0;
  // 3.10 (GEN_START pops it) to 3.12 (RETURN_GENERATOR; POP_TOP): the first
  // value sent in is on the stack when the body starts. 3.13's
  // RETURN_GENERATOR pushes it itself, and <=3.9 never had it there.
  int gen_start = t.opcode("GEN_START");
  if (gen_start >= 0) return 1;
  int ret_gen = t.opcode("RETURN_GENERATOR");
  if (ret_gen < 0) return 0;
  auto it = t.effect_nojump.find(ret_gen);
  return it != t.effect_nojump.end() && it->second.at(0) == 0 ? 1 : 0;
}

StackAnalysis analyse_stack(const OpcodeTable& t, std::string_view code, uint32_t co_flags,
                            std::string_view exception_table, const DecodeOptions& options) {
  StackAnalysis a;
  a.insns = decode(t, code, options);
  const size_t n = a.insns.size();
  a.depth.assign(n, -1);
  a.ambiguous.assign(n, 0);
  if (n == 0) {
    a.error = "no instructions";
    return a;
  }
  std::unordered_map<uint32_t, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index[a.insns[i].offset] = i;

  std::vector<size_t> work;
  std::vector<uint8_t> raises(n, 0);
  constexpr uint8_t kMaxRaises = 2;
  auto reach = [&](uint32_t offset, int depth, bool ambiguous, const char* how) -> bool {
    auto it = index.find(offset);
    if (it == index.end()) {
      a.error = std::string(how) + " to offset " + std::to_string(offset) +
                ", which is not an instruction boundary";
      return false;
    }
    if (depth < 0) {
      a.error = "stack depth goes negative (" + std::to_string(depth) + ") at offset " +
                std::to_string(offset) + ": stack effects do not fit this code";
      return false;
    }
    if (depth > kMaxDepth) {
      a.error = "stack depth does not converge (loop with a net push?)";
      return false;
    }
    int& d = a.depth[it->second];
    uint8_t& amb = a.ambiguous[it->second];
    bool again = false;
    if (d >= 0 && d != depth) ambiguous = true;
    if (ambiguous && !amb) {
      amb = 1;
      again = true;
    }
    // Keep the largest, as the compiler does; re-walk when it grew. In
    // <=3.7 code, a finally block's fall-through can come out higher than the
    // normal path (the model balances the exception path, which never falls
    // through END_FINALLY) and a loop would pump it up forever: after a few
    // raises the instruction keeps its depth, already marked ambiguous.
    if (depth > d && raises[it->second] < kMaxRaises) {
      if (d >= 0) ++raises[it->second];
      d = depth;
      again = true;
    }
    if (again) work.push_back(it->second);
    return true;
  };

  std::vector<ExceptionEntry> handlers = parse_exception_table(exception_table);
  std::vector<uint8_t> handler_seeded(handlers.size(), 0);

  if (!reach(a.insns[0].offset, entry_depth(t, co_flags), false, "entry")) return a;
  for (;;) {
    while (!work.empty()) {
      size_t i = work.back();
      work.pop_back();
      const Instruction& in = a.insns[i];
      int d = a.depth[i];
      a.max_depth = std::max(a.max_depth, d);
      if (in.original_unknown) {
        a.error = "instruction at offset " + std::to_string(in.offset) +
                  " is " + name_of(t, in.opcode) + " and its original opcode was not supplied";
        return a;
      }
      const std::string& name = name_of(t, in.base);
      const StackEffect* nojump = effect_for(t.effect_nojump, in.base);
      if (!nojump) {
        a.error = "no stack effect for " + (name.empty() ? std::to_string(in.base) : name) +
                  " at offset " + std::to_string(in.offset);
        return a;
      }
      // CONTINUE_LOOP (<=3.7) unwinds the blocks it leaves (an except
      // handler's saved exception included), so its target's depth is not
      // "depth + effect"; the target is a loop head that normal flow
      // reaches with the right depth anyway, so that edge is not followed.
      // A path-dependent depth (<=3.8 finally blocks) stays so until the
      // opcode that rebalances the block.
      bool amb = a.ambiguous[i] && name != "END_FINALLY" && name != "POP_FINALLY";
      if (in.jump_target >= 0 && name != "CONTINUE_LOOP") {
        const StackEffect* jump = effect_for(t.effect_jump, in.base);
        int jd = d + (jump ? jump : nojump)->at(in.arg);
        a.max_depth = std::max(a.max_depth, jd);
        if (!reach(static_cast<uint32_t>(in.jump_target), jd, amb, "jump")) return a;
      }
      if (!ends_flow(name)) {
        int nd = d + run_time_correction(t, name, in, nojump->at(in.arg));
        a.max_depth = std::max(a.max_depth, nd);
        // 3.8 BEGIN_FINALLY pushes one NULL at run time but counts 6 so the
        // finally block has one depth in the compiler's model.
        if (name == "BEGIN_FINALLY") amb = true;
        if (i + 1 < n && !reach(a.insns[i + 1].offset, nd, amb, "fall-through")) return a;
      }
    }
    // 3.11+: a handler is live once any instruction it covers is reachable;
    // it starts at the recorded depth, plus the raising offset (lasti) and
    // the exception itself.
    bool seeded = false;
    for (size_t h = 0; h < handlers.size(); ++h) {
      if (handler_seeded[h]) continue;
      const ExceptionEntry& e = handlers[h];
      bool live = false;
      auto first = std::lower_bound(a.insns.begin(), a.insns.end(), e.start,
                                    [](const Instruction& in, uint32_t off) { return in.offset < off; });
      for (auto it = first; it != a.insns.end() && it->offset < e.end && !live; ++it)
        live = a.depth[static_cast<size_t>(it - a.insns.begin())] >= 0;
      if (!live) continue;
      handler_seeded[h] = 1;
      seeded = true;
      int hd = e.depth + (e.lasti ? 1 : 0) + 1;
      a.max_depth = std::max(a.max_depth, hd);
      if (!reach(e.target, hd, false, "exception handler")) return a;
    }
    if (!seeded) break;
  }
  return a;
}

StackDepth depth_at(const StackAnalysis& a, uint32_t offset) {
  StackDepth r;
  if (!a.error.empty()) {
    r.error = a.error;
    return r;
  }
  const Instruction* in = instruction_at(a.insns, offset);
  if (!in) {
    r.error = "offset " + std::to_string(offset) + " is outside the code";
    return r;
  }
  size_t i = static_cast<size_t>(in - a.insns.data());
  if (a.depth[i] < 0) {
    r.error = "offset " + std::to_string(in->offset) + " is not reachable from the entry";
    return r;
  }
  r.depth = a.depth[i];
  r.exact = !a.ambiguous[i];
  return r;
}

}  // namespace cpydbg::bytecode
