// dict in every layout, in Python's iteration order:
//   2.7        ma_table of {hash, key, value}, table order
//   3.6–3.10   dk_size / dk_indices (index width by size), entries in
//              insertion order; split tables keep values in ma_values[i]
//   3.11–3.12  dk_log2_size / dk_log2_index_bytes / dk_kind (general entries
//              {hash, key, value}, unicode and split entries {key, value});
//              split values with the insertion order in bytes before them
//   3.13       PyDictValues {capacity, size, embedded, valid, values[]} with
//              the order after values[capacity]
#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

// Every entry layout ends with key, value: {hash, key, value} and {key, value}.
uint64_t key_at(uint64_t entry_size) { return entry_size - 16; }
uint64_t value_at(uint64_t entry_size) { return entry_size - 8; }

struct Keys {
  uint64_t entries = 0;     // address of entry 0
  uint64_t entry_size = 0;
  int64_t nentries = 0;     // entries used (live or deleted)
};

std::optional<Keys> read_keys(Context& c, uint64_t keys) {
  const auto& k = c.off.dictkeys;
  Keys out;
  auto nentries = c.mem.get<int64_t>(keys + k.dk_nentries);
  if (!nentries) return std::nullopt;
  out.nentries = *nentries;
  uint64_t size = 0, index_bytes = 0;
  if (k.dk_log2_size != kAbsent) {  // 3.11+
    auto log2 = c.mem.get<uint8_t>(keys + k.dk_log2_size);
    auto log2_index = c.mem.get<uint8_t>(keys + k.dk_log2_index_bytes);
    auto kind = c.mem.get<uint8_t>(keys + k.dk_kind);
    if (!log2 || !log2_index || !kind || *log2 > 40 || *log2_index > 43 || *kind > 2)
      return std::nullopt;
    size = uint64_t(1) << *log2;
    index_bytes = uint64_t(1) << *log2_index;
    out.entry_size = *kind == 0 ? k.entry_size : k.unicode_entry_size;
  } else {  // 3.6–3.10: the index width follows from the size
    auto s = c.mem.get<int64_t>(keys + k.dk_size);
    if (!s || *s <= 0 || *s > kMaxSaneLength || (*s & (*s - 1))) return std::nullopt;
    size = static_cast<uint64_t>(*s);
    uint64_t width = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8;
    index_bytes = size * width;
    out.entry_size = k.entry_size;
  }
  if (out.nentries < 0 || static_cast<uint64_t>(out.nentries) > size) return std::nullopt;
  out.entries = keys + k.dk_indices + index_bytes;
  return out;
}

// Insertion order of split values: which entry index comes i-th.
std::optional<std::vector<uint8_t>> split_order(Context& c, uint64_t values, const Keys& keys,
                                                uint64_t* array) {
  const auto& v = c.off.dictvalues;
  std::vector<uint8_t> order;
  *array = values;
  if (v.capacity != kAbsent) {  // 3.13
    auto capacity = c.mem.get<uint8_t>(values + v.capacity);
    auto size = c.mem.get<uint8_t>(values + v.size);
    if (!capacity || !size || *size > *capacity) return std::nullopt;
    *array = values + v.values;
    order.resize(*size);
    if (!c.mem.read(*array + uint64_t(*capacity) * 8, order.data(), order.size()))
      return std::nullopt;
  } else if (c.off.dictkeys.dk_log2_size != kAbsent) {  // 3.11–3.12: bytes before values
    auto count = c.mem.get<uint8_t>(values - 2);
    if (!count) return std::nullopt;
    order.resize(*count);
    for (size_t i = 0; i < order.size(); ++i) {
      auto ix = c.mem.get<uint8_t>(values - 3 - i);
      if (!ix) return std::nullopt;
      order[i] = *ix;
    }
  } else {  // ≤3.10: entry order is insertion order
    for (int64_t i = 0; i < keys.nentries && i < 256; ++i) order.push_back(uint8_t(i));
    if (keys.nentries > 256) return std::nullopt;  // split tables stay small (≤30 keys)
  }
  return order;
}

}  // namespace

std::optional<std::vector<DictItem>> values_items(Context& c, uint64_t keys_addr,
                                                  uint64_t values, size_t limit) {
  auto keys = read_keys(c, keys_addr);
  if (!keys) return std::nullopt;
  uint64_t array = 0;
  auto order = split_order(c, values, *keys, &array);
  if (!order) return std::nullopt;
  std::vector<DictItem> items;
  for (uint8_t ix : *order) {
    if (items.size() >= limit) break;
    if (ix >= keys->nentries) return std::nullopt;
    auto value = c.mem.ptr(array + uint64_t(ix) * 8);
    auto key = c.mem.ptr(keys->entries + ix * keys->entry_size + key_at(keys->entry_size));
    if (!value || !key) return std::nullopt;
    if (*value) items.push_back({*key, *value});
  }
  return items;
}

std::optional<std::vector<DictItem>> dict_items(Context& c, uint64_t dict, size_t limit,
                                                int64_t* total) {
  const auto& d = c.off.dict;
  auto used = c.mem.get<int64_t>(dict + d.ma_used);
  if (!used || *used < 0 || *used > kMaxSaneLength) return std::nullopt;
  if (total) *total = *used;
  std::vector<DictItem> items;
  const size_t want = std::min<size_t>(limit, static_cast<size_t>(*used));
  if (d.ma_table != kAbsent) {  // 2.7
    auto mask = c.mem.get<int64_t>(dict + d.ma_mask);
    auto table = c.mem.ptr(dict + d.ma_table);
    if (!mask || !table || *mask < 0 || *mask >= kMaxSaneLength) return std::nullopt;
    const uint64_t es = c.off.dictkeys.entry_size;
    for (int64_t i = 0; i <= *mask && items.size() < want; ++i) {
      uint64_t e = *table + static_cast<uint64_t>(i) * es;
      auto value = c.mem.ptr(e + value_at(es));
      auto key = c.mem.ptr(e + key_at(es));
      if (!value || !key) return std::nullopt;
      if (*value) items.push_back({*key, *value});  // deleted slots keep a dummy key, no value
    }
    return items;
  }
  auto keys_addr = c.mem.ptr(dict + d.ma_keys);
  auto values = c.mem.ptr(dict + d.ma_values);
  if (!keys_addr || !values) return std::nullopt;
  if (*values) return values_items(c, *keys_addr, *values, want);
  auto keys = read_keys(c, *keys_addr);
  if (!keys) return std::nullopt;
  for (int64_t i = 0; i < keys->nentries && items.size() < want; ++i) {
    uint64_t e = keys->entries + static_cast<uint64_t>(i) * keys->entry_size;
    auto value = c.mem.ptr(e + value_at(keys->entry_size));
    auto key = c.mem.ptr(e + key_at(keys->entry_size));
    if (!value || !key) return std::nullopt;
    if (*value && *key) items.push_back({*key, *value});
  }
  return items;
}

void format_dict(Context& c, uint64_t addr) {
  int64_t total = 0;
  auto items = dict_items(c, addr, c.opt.max_items, &total);
  if (!items) return c.unreadable(addr);
  if (total == 0) {
    c.out += "{}";
    return;
  }
  if (!c.enter(addr, "{...}")) return;
  c.out += '{';
  for (size_t i = 0; i < items->size() && !c.full(); ++i) {
    if (i) c.out += ", ";
    c.repr((*items)[i].key);
    c.out += ": ";
    c.repr((*items)[i].value);
  }
  if (static_cast<int64_t>(items->size()) < total) c.out += items->empty() ? "..." : ", ...";
  c.out += '}';
  c.leave();
}

}  // namespace cpydbg::fmt
