#include "unwind/debugger_frames.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>

#include "unwind/dwarf_expression.h"

namespace cpydbg::unwind {
namespace {

// The walk reads a few words per frame, nearly all from the same stack
// pages: read each page once.
class PageCache {
 public:
  explicit PageCache(const ReadMemory& read) : read_(read) {}
  bool read(uint64_t addr, void* buf, size_t size) {
    auto* out = static_cast<char*>(buf);
    while (size) {
      uint64_t page = addr & ~(kPage - 1), at = addr - page;
      size_t n = std::min<size_t>(size, kPage - at);
      auto it = pages_.find(page);
      if (it == pages_.end()) {
        std::string bytes(kPage, '\0');
        if (!read_(page, bytes.data(), kPage)) bytes.clear();  // unreadable: remembered too
        it = pages_.emplace(page, std::move(bytes)).first;
      }
      if (!it->second.empty()) std::memcpy(out, it->second.data() + at, n);
      else if (!read_(addr, out, n)) return false;  // a page read partly (the stack's top end)
      addr += n;
      out += n;
      size -= n;
    }
    return true;
  }

 private:
  static constexpr uint64_t kPage = 4096;
  const ReadMemory& read_;
  std::unordered_map<uint64_t, std::string> pages_;
};

// A call's target as gdb resolves it without a frame; nullopt where gdb
// cannot (it then gives up on what it was resolving): a name no symbol
// table has, or a target computed at run time (gdb 13 evaluates
// DW_AT_call_target with no frame, which fails).
std::optional<uint64_t> resolve_target(ModuleSymbols& modules, const CallSite& site, uint64_t bias) {
  if (!site.resolvable || site.computed) return std::nullopt;
  if (site.target) return site.target + bias;
  return modules.find(site.target_name);
}

// The chains of tail calls from function `from` to function `to` (gdb's
// call_site_find_chain), depth first; it stops at a second chain.
struct TailChains {
  struct Hop {
    uint64_t pc;  // runtime return pc of the tail call
    std::string path;
    uint64_t bias;
  };
  std::vector<std::vector<Hop>> found;
  bool gdb_gives_up = false;  // gdb's search fails: no chain at all
  bool unsure = false;        // DWARF we cannot read on the way
};

TailChains tail_chains(ModuleSymbols& modules, InlineCallSource& dwarf, uint64_t from, uint64_t to) {
  TailChains out;
  std::vector<TailChains::Hop> chain;
  std::vector<uint64_t> visited;
  std::function<void(uint64_t)> search = [&](uint64_t function) {
    if (out.gdb_gives_up || out.unsure || chain.size() > 16 || out.found.size() > 1) return;
    if (std::find(visited.begin(), visited.end(), function) != visited.end()) return;
    visited.push_back(function);
    auto file = modules.code_at(function);
    if (!file) {
      out.gdb_gives_up = true;  // "cannot find function at"
      return;
    }
    auto sites = dwarf.tail_calls(*file->path, function - file->bias);
    if (!sites) {
      out.unsure = true;
      return;
    }
    for (const CallSite& site : *sites) {
      auto target = resolve_target(modules, site, file->bias);
      if (!target) {
        out.gdb_gives_up = true;
        return;
      }
      chain.push_back({site.return_pc + file->bias, *file->path, file->bias});
      if (*target == to) out.found.push_back(chain);
      else search(*target);
      chain.pop_back();
    }
  };
  search(from);
  return out;
}

// gdb's tail-call frames between callee frame E and its caller C: the
// functions that jumped from C's call on to E, which gdb draws only when
// exactly one chain of tail calls leads from the call's target to E.
// Innermost first; nullopt where our reading may differ from gdb's
// (several chains, DWARF we cannot read).
std::optional<std::vector<Target::NativeFrame>> tail_call_frames(
    ModuleSymbols& modules, InlineCallSource& dwarf, const CallSite& call, uint64_t caller_bias,
    uint64_t callee_entry) {
  std::vector<Target::NativeFrame> none;
  auto first = resolve_target(modules, call, caller_bias);
  if (!first || *first == callee_entry) return none;
  TailChains chains = tail_chains(modules, dwarf, *first, callee_entry);
  if (chains.unsure || chains.found.size() > 1) return std::nullopt;
  if (chains.gdb_gives_up || chains.found.empty()) return none;
  std::vector<Target::NativeFrame> frames;
  for (auto hop = chains.found[0].rbegin(); hop != chains.found[0].rend(); ++hop) {
    // gdb names the frame by the innermost function at the jump.
    auto calls = dwarf.at(hop->path, hop->pc - 1 - hop->bias);
    if (!calls) return std::nullopt;
    frames.push_back({hop->pc, calls->inlined.empty() ? calls->function : calls->inlined[0], false});
  }
  return frames;
}

}  // namespace

std::optional<GdbFrames> GdbFrames::walk(const Registers& start, ModuleSymbols& modules,
                                         InlineCallSource& dwarf, const ReadMemory& read,
                                         size_t max) {
  PageCache cache(read);
  auto code_at = [&](uint64_t addr) {
    auto file = modules.code_at(addr);
    return file ? Code{file->cfi, file->bias} : Code{};
  };
  // gdb stops after the frame of main (its minimal symbol) unless told
  // `set backtrace past-main on`.
  uint64_t main = modules.find("main").value_or(0);
  Walk w = unwind::walk(start, code_at,
                        [&](uint64_t addr, void* buf, size_t size) { return cache.read(addr, buf, size); },
                        max, main);
  if (!w.vouched) return std::nullopt;
  GdbFrames out;
  auto add = [&](Target::NativeFrame frame, size_t physical, std::optional<size_t> depth) {
    if (out.frames_.size() >= max) return;
    out.frames_.push_back(std::move(frame));
    out.origins_.push_back({physical, depth});
  };
  uint64_t callee_entry = 0;  // the entry of the function the previous (inner) frame runs
  for (size_t level = 0; level < w.frames.size() && out.frames_.size() < max; ++level) {
    const PhysicalFrame& f = w.frames[level];
    auto file = modules.code_at(f.lookup);
    if (!file) return std::nullopt;
    auto calls = dwarf.at(*file->path, f.lookup - file->bias, level ? f.pc - file->bias : 0);
    if (!calls) return std::nullopt;
    // Stopped on an inlined call's first instruction, gdb may show the
    // caller instead (it "steps into" such calls only on request).
    if (level == 0 && calls->at_inline_entry) return std::nullopt;
    out.calls_.push_back(calls->call);
    if (level && calls->call) {
      auto tail = tail_call_frames(modules, dwarf, *calls->call, file->bias, callee_entry);
      if (!tail) return std::nullopt;
      for (auto& t : *tail) add(std::move(t), level, std::nullopt);
    }
    // gdb stops at main only where it can tell main's frame by its pc: our
    // test copies' .dynsym, whose section indices stripping left stale, it
    // cannot. Where DWARF does not name the frame main, gdb decides.
    if (main && f.function_start == main && calls->function != "main") return std::nullopt;
    for (size_t i = 0; i < calls->inlined.size(); ++i) add({f.pc, calls->inlined[i], true}, level, i);
    add({f.pc, calls->function, false}, level, calls->inlined.size());
    callee_entry = calls->function_entry ? calls->function_entry + file->bias : f.function_start;
    out.entries_.push_back(callee_entry);
  }
  w.frames.resize(out.entries_.size());  // those max let in
  out.physical_ = std::move(w.frames);
  return out;
}

std::optional<size_t> GdbFrames::level_of(uint64_t pc, uint64_t sp) const {
  std::optional<size_t> found;
  for (size_t level = 0; level < frames_.size(); ++level) {
    const Registers& regs = physical_[origins_[level].physical].regs;
    if (frames_[level].pc != pc || !regs.has(kRsp) || regs.value[kRsp] != sp) continue;
    if (found) return std::nullopt;
    found = level;
  }
  return found;
}

std::optional<std::vector<Target::FrameValues>> GdbFrames::values(
    const std::vector<size_t>& levels, const std::vector<std::string>& names,
    ModuleSymbols& modules, InlineCallSource& dwarf, const ReadMemory& read) const {
  std::vector<Target::FrameValues> out;
  for (size_t level : levels) {
    Target::FrameValues values(names.size());
    if (level >= frames_.size() || !origins_[level].depth) return std::nullopt;
    const PhysicalFrame& f = physical_[origins_[level].physical];  // an inlined call's too
    auto file = modules.code_at(f.lookup);
    if (!file) return std::nullopt;
    const size_t physical = origins_[level].physical;
    EntryValue entry_value = [&](int reg) { return this->entry_value(physical, reg, modules, dwarf, read); };
    for (size_t i = 0; i < names.size(); ++i) {
      auto where = dwarf.variable(*file->path, f.lookup - file->bias, *origins_[level].depth, names[i]);
      if (!where || where->kind == VariableLocation::Elsewhere) return std::nullopt;
      if (where->kind == VariableLocation::OptimizedOut) continue;
      auto value = evaluate_location(where->expression, where->frame_base,
                                     {f.regs, f.cfa, file->bias, read, &entry_value});
      if (!value) return std::nullopt;
      values[i] = *value;
    }
    out.push_back(std::move(values));
  }
  return out;
}

std::optional<std::optional<uint64_t>> GdbFrames::entry_value(size_t physical, int reg,
                                                               ModuleSymbols& modules,
                                                               InlineCallSource& dwarf,
                                                               const ReadMemory& read) const {
  // As gdb resolves DW_OP_entry_value (dwarf_expr_reg_to_entry_parameter):
  // the caller's call site must call this very function, which must not
  // tail-call itself, and say what it passed in the register. Each "must
  // not" that fails leaves gdb with no value.
  const std::optional<uint64_t> no_value(std::nullopt);
  const size_t caller = physical + 1;
  if (caller >= physical_.size()) return no_value;
  // frames_ go by physical frame, a frame's tail calls first: one between?
  auto first = std::lower_bound(origins_.begin(), origins_.end(), caller,
                                [](const Origin& o, size_t p) { return o.physical < p; });
  if (first != origins_.end() && first->physical == caller && !first->depth) return std::nullopt;
  const std::optional<CallSite>& call = calls_[caller];
  if (!call) return no_value;
  if (call->computed) return std::nullopt;  // gdb evaluates that target in the caller's frame
  auto caller_file = modules.code_at(physical_[caller].lookup);
  if (!caller_file) return std::nullopt;
  auto target = resolve_target(modules, *call, caller_file->bias);
  if (!target || *target != entries_[physical]) return no_value;
  // Whether the function can tail-call itself: once per function.
  auto known = self_tail_calls_.find(entries_[physical]);
  if (known == self_tail_calls_.end()) {
    TailChains self = tail_chains(modules, dwarf, entries_[physical], entries_[physical]);
    std::optional<bool> verdict;  // true: gdb refuses the entry value
    if (!self.unsure) verdict = self.gdb_gives_up || !self.found.empty();
    known = self_tail_calls_.emplace(entries_[physical], verdict).first;
  }
  if (!known->second) return std::nullopt;
  if (*known->second) return no_value;
  for (const CallSite::RegisterValue& passed : call->register_values) {
    if (passed.reg != reg) continue;
    // DW_AT_call_value is an expression of a value: gdb appends DW_OP_stack_value.
    const PhysicalFrame& c = physical_[caller];
    return evaluate_location(passed.value + '\x9f', {}, {c.regs, c.cfa, caller_file->bias, read});
  }
  return no_value;
}

}  // namespace cpydbg::unwind
