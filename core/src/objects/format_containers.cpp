// tuple, list, set and frozenset: items up to max_items, nested up to
// max_depth, cycles printed as Python prints them.
#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

// ", "-separated reprs of items; "..." stands for the ones not shown.
void items(Context& c, const std::vector<uint64_t>& addrs, int64_t total) {
  for (size_t i = 0; i < addrs.size(); ++i) {
    if (i) c.out += ", ";
    if (c.full()) return;
    c.repr(addrs[i]);
  }
  if (static_cast<int64_t>(addrs.size()) < total) c.out += addrs.empty() ? "..." : ", ...";
}

void format_tuple_or_list(Context& c, bool is_tuple, uint64_t addr) {
  auto size = c.obj.var_size(addr);
  if (!size || *size < 0 || *size > kMaxSaneLength) return c.unreadable(addr);
  if (*size == 0) {
    c.out += is_tuple ? "()" : "[]";
    return;
  }
  auto addrs = is_tuple ? c.obj.tuple_items(addr, c.opt.max_items)
                        : c.obj.list_items(addr, c.opt.max_items);
  if (!addrs) return c.unreadable(addr);
  if (!c.enter(addr, is_tuple ? "(...)" : "[...]")) return;
  c.out += is_tuple ? '(' : '[';
  items(c, *addrs, *size);
  if (is_tuple && *size == 1) c.out += ',';
  c.out += is_tuple ? ')' : ']';
  c.leave();
}

// The dummy key sets leave where an item was removed. 3.x exports it
// (_PySet_Dummy, a pointer variable); 2.7 keeps a private str "<dummy key>".
bool is_dummy(Context& c, uint64_t key, bool some_removed) {
  if (c.py.major() >= 3) {
    static_cast<void>(some_removed);
    auto var = c.py.symbol("_PySet_Dummy");
    auto dummy = var ? c.mem.ptr(*var) : std::nullopt;
    return dummy && key == *dummy;
  }
  if (!some_removed) return false;
  auto s = c.obj.bytes(key, 12);
  return s && *s == "<dummy key>";
}

std::optional<std::vector<uint64_t>> set_keys(Context& c, uint64_t addr, int64_t* used) {
  const auto& o = c.off.set;
  auto u = c.mem.get<int64_t>(addr + o.used);
  // fill (slots ever used) only tells 2.7's dummy keys apart; 3.14's
  // _Py_DebugOffsets, say, do not give it.
  auto fill = o.fill != kAbsent ? c.mem.get<int64_t>(addr + o.fill) : u;
  auto mask = c.mem.get<int64_t>(addr + o.mask);
  auto table = c.mem.ptr(addr + o.table);
  if (!u || !fill || !mask || !table || *u < 0 || *mask < 0 || *mask >= kMaxSaneLength ||
      ((*mask + 1) & *mask) != 0 || *u > *mask + 1)
    return std::nullopt;
  *used = *u;
  std::vector<uint64_t> keys;
  // Stop at max_items live keys: a huge set costs no more than a small one.
  for (int64_t i = 0; i <= *mask && keys.size() < c.opt.max_items &&
                      static_cast<int64_t>(keys.size()) < *u;
       ++i) {
    auto key = c.mem.ptr(*table + static_cast<uint64_t>(i) * o.entry_size + o.entry_key);
    if (!key) return std::nullopt;
    if (*key && !is_dummy(c, *key, *fill > *u)) keys.push_back(*key);
  }
  return keys;
}

void format_set(Context& c, Kind kind, uint64_t addr) {
  auto type = c.obj.type_of(addr);
  auto name = type ? c.obj.type_name(*type) : std::nullopt;
  if (!name) return c.unreadable(addr);
  if (!c.enter(addr, *name + "(...)")) return;
  int64_t used = 0;
  auto keys = set_keys(c, addr, &used);
  if (!keys) {
    c.leave();
    return c.unreadable(addr);
  }
  const bool exact = type == c.types.type_symbol(kind);
  if (c.py.major() == 2) {  // set([1, 2]), set([])
    c.out += *name + "([";
    items(c, *keys, used);
    c.out += "])";
  } else if (used == 0) {
    c.out += *name + "()";
  } else {  // {1, 2}, frozenset({1, 2}), MySet({1, 2})
    bool plain = exact && kind == Kind::Set;
    c.out += plain ? "{" : *name + "({";
    items(c, *keys, used);
    c.out += plain ? "}" : "})";
  }
  c.leave();
}

}  // namespace

void format_sequence(Context& c, Kind kind, uint64_t addr) {
  switch (kind) {
    case Kind::Tuple: return format_tuple_or_list(c, true, addr);
    case Kind::List: return format_tuple_or_list(c, false, addr);
    case Kind::Set: case Kind::FrozenSet: return format_set(c, kind, addr);
    default: return c.generic(addr);
  }
}

}  // namespace cpydbg::fmt
