// Numbers and the constant singletons: int of any size (2.7 int and long),
// bool, float with Python's shortest repr, complex, None, NotImplemented,
// Ellipsis.
#include <charconv>
#include <cmath>
#include <cstring>

#include "objects/format_internal.h"

namespace cpydbg::fmt {
namespace {

struct BigInt {
  int sign = 0;                 // -1, 0, 1
  std::vector<uint32_t> digits; // little-endian, digit_bits each
};

// The magnitude and sign of a PyLongObject. ≤3.11 (and 2.7 long) keep the
// signed digit count in ob_size; 3.12+ keep lv_tag = ndigits << 3 | sign
// with sign 0 positive, 1 zero, 2 negative.
std::optional<BigInt> read_long(Context& c, uint64_t addr, int64_t* ndigits_out) {
  BigInt v;
  int64_t n;
  if (c.off.pylong.lv_tag != kAbsent) {
    auto tag = c.mem.get<uint64_t>(addr + c.off.pylong.lv_tag);
    if (!tag || (*tag & 3) == 3) return std::nullopt;
    n = static_cast<int64_t>(*tag >> 3);
    v.sign = (*tag & 3) == 0 ? 1 : (*tag & 3) == 1 ? 0 : -1;
    if ((v.sign == 0) != (n == 0)) return std::nullopt;
  } else {
    auto size = c.obj.var_size(addr);
    if (!size || *size == INT64_MIN) return std::nullopt;
    n = *size < 0 ? -*size : *size;
    v.sign = *size < 0 ? -1 : *size > 0 ? 1 : 0;
  }
  if (n > kMaxSaneLength) return std::nullopt;
  *ndigits_out = n;
  if (n > kMaxIntDigits) return v;  // too big to convert: the caller says so
  const int bits = c.off.digit_bits;
  const size_t width = bits > 16 ? 4 : 2;
  std::vector<uint8_t> raw(static_cast<size_t>(n) * width);
  if (!c.mem.read(addr + c.off.pylong.ob_digit, raw.data(), raw.size())) return std::nullopt;
  v.digits.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < v.digits.size(); ++i) {
    uint32_t d = 0;
    std::memcpy(&d, raw.data() + i * width, width);
    if (d >> bits) return std::nullopt;  // not a digit: not an int
    v.digits[i] = d;
  }
  return v;
}

// CPython's long_to_decimal_string: convert base 2^bits to base 10^9, most
// significant digit first. Quadratic, hence kMaxIntDigits.
std::string to_decimal(const BigInt& v, int bits) {
  constexpr uint64_t kBase = 1000000000;
  std::vector<uint32_t> out;
  for (size_t i = v.digits.size(); i-- > 0;) {
    uint64_t hi = v.digits[i];
    for (uint32_t& o : out) {
      uint64_t z = (uint64_t(o) << bits) | hi;
      hi = z / kBase;
      o = static_cast<uint32_t>(z - hi * kBase);
    }
    while (hi) {
      out.push_back(static_cast<uint32_t>(hi % kBase));
      hi /= kBase;
    }
  }
  std::string s = v.sign < 0 ? "-" : "";
  if (out.empty()) return "0";
  s += std::to_string(out.back());
  for (size_t i = out.size() - 1; i-- > 0;) {
    std::string part = std::to_string(out[i]);
    s.append(9 - part.size(), '0');
    s += part;
  }
  return s;
}

void format_long(Context& c, uint64_t addr, bool python2) {
  int64_t n = 0;
  auto v = read_long(c, addr, &n);
  if (!v) return c.unreadable(addr);
  if (n > kMaxIntDigits) {
    // A clear marker instead of minutes of arithmetic and megabytes of text;
    // the top digit makes the size estimate good to a digit or so.
    const int bits = c.off.digit_bits;
    auto top = c.mem.uint(addr + c.off.pylong.ob_digit + uint64_t(n - 1) * (bits > 16 ? 4 : 2),
                          bits > 16 ? 4 : 2);
    double total_bits = double(n - 1) * bits + (top && *top ? std::log2(double(*top)) : bits);
    c.out += "<int of about " + std::to_string(static_cast<int64_t>(total_bits * 0.30102999566) + 1) +
             " decimal digits at ";
    c.address(addr);
    c.out += '>';
    return;
  }
  c.out += to_decimal(*v, c.off.digit_bits);
  if (python2) c.out += 'L';
}

void format_bool(Context& c, uint64_t addr) {
  bool value;
  if (c.off.pyint.ob_ival != kAbsent) {  // 2.7: bool is an int subclass
    auto v = c.mem.get<int64_t>(addr + c.off.pyint.ob_ival);
    if (!v) return c.unreadable(addr);
    value = *v != 0;
  } else {
    int64_t n = 0;
    auto v = read_long(c, addr, &n);
    if (!v) return c.unreadable(addr);
    value = v->sign != 0;
  }
  c.out += value ? "True" : "False";
}

}  // namespace

std::string float_repr(double value, bool add_dot_0) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest round-tripping digits (what Python's 'r' mode computes), then
  // Python's layout: exponent form when decpt <= -4 or decpt > 16.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign, digits;
  size_t i = 0;
  if (sci[i] == '-') sign = "-", ++i;
  size_t e = sci.find('e');
  for (; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  int decpt = std::stoi(sci.substr(e + 1)) + 1;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string s = sign;
  if (decpt <= -4 || decpt > 16) {
    s += digits[0];
    if (digits.size() > 1) s += "." + digits.substr(1);
    int exp = decpt - 1;
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    s += ebuf;
  } else if (decpt <= 0) {
    s += "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    s += digits + std::string(static_cast<size_t>(decpt) - digits.size(), '0');
    if (add_dot_0) s += ".0";
  } else {
    s += digits.substr(0, static_cast<size_t>(decpt)) + "." +
         digits.substr(static_cast<size_t>(decpt));
  }
  return s;
}

void format_number(Context& c, Kind kind, uint64_t addr) {
  switch (kind) {
    case Kind::None: c.out += "None"; return;
    case Kind::NotImplemented: c.out += "NotImplemented"; return;
    case Kind::Ellipsis: c.out += "Ellipsis"; return;
    case Kind::Bool: return format_bool(c, addr);
    case Kind::Int: return format_long(c, addr, c.py.major() == 2);
    case Kind::Int27: {
      auto v = c.mem.get<int64_t>(addr + c.off.pyint.ob_ival);
      if (!v) return c.unreadable(addr);
      c.out += std::to_string(*v);
      return;
    }
    case Kind::Float: {
      auto v = c.mem.get<double>(addr + c.off.pyfloat.ob_fval);
      if (!v) return c.unreadable(addr);
      c.out += float_repr(*v);
      return;
    }
    case Kind::Complex: {
      double parts[2];
      if (!c.mem.read(addr + c.off.pycomplex.cval, parts, sizeof parts)) return c.unreadable(addr);
      // complex_repr: a +0 real part prints the imaginary part alone.
      if (parts[0] == 0.0 && !std::signbit(parts[0])) {
        c.out += float_repr(parts[1], false) + "j";
      } else {
        std::string im = float_repr(parts[1], false);
        if (im[0] != '-') im = "+" + im;
        c.out += "(" + float_repr(parts[0], false) + im + "j)";
      }
      return;
    }
    default:
      return c.generic(addr);
  }
}

}  // namespace cpydbg::fmt
