// Value::repr and Value::short_repr: Python's repr() of plain data.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

#include "diskcache/detail/utf8.hpp"
#include "diskcache/value.hpp"
#include "unicode_printable.hpp"

namespace diskcache {
namespace {

// Python 3.11 refuses to convert an int of more digits to decimal
// (sys.int_info.default_max_str_digits).
constexpr std::size_t kMaxDecimalDigits = 4300;
// No int of more bits has 4300 decimal digits or fewer.
constexpr std::size_t kBitsOfMaxDigits = 14285;

// What short_repr leaves out.
struct Limits {
  std::size_t characters;  // of a str or bytes
  std::size_t elements;    // of a container
  std::size_t depth;       // of nested containers
};
constexpr Limits kWhole{SIZE_MAX, SIZE_MAX, SIZE_MAX};
constexpr Limits kShort{40, 8, 3};

void append_hex(std::string& out, const char* prefix, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += prefix;
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xf];
}

// Python's quote: single quotes unless the text holds one and no double.
char quote_for(std::string_view text) {
  const bool single = text.find('\'') != std::string_view::npos;
  const bool double_quote = text.find('"') != std::string_view::npos;
  return single && !double_quote ? '"' : '\'';
}

// Appends `c` escaped as Python escapes it in both str and bytes; returns
// false if `c` is not one of those (printable ASCII other than the quote
// and the backslash, or anything else).
bool append_common_escape(std::string& out, std::uint32_t c, char quote) {
  if (c == static_cast<unsigned char>(quote) || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c < 0x20 || c == 0x7f) {
    append_hex(out, "\\x", c, 2);
  } else if (c < 0x7f) {
    out += static_cast<char>(c);
  } else {
    return false;
  }
  return true;
}

void append_str(std::string& out, std::string_view text, std::size_t limit) {
  const char quote = quote_for(text);
  out += quote;
  std::size_t shown = 0;
  for (std::size_t at = 0; at < text.size(); ++shown) {
    if (shown == limit) {
      out += "...";
      break;
    }
    // A Value built by hand may hold bytes that are not UTF-8 (Python has
    // no such str): each is shown as \xNN.
    const std::optional<detail::CodePoint> character = detail::code_point_at(text, at);
    const std::uint32_t code = character ? character->code : static_cast<unsigned char>(text[at]);
    const std::size_t length = character ? character->length : 1;
    if (!character) {
      append_hex(out, "\\x", code, 2);
    } else if (!append_common_escape(out, code, quote)) {
      if (detail::is_printable(static_cast<char32_t>(code))) {
        out.append(text.substr(at, length));
      } else if (code <= 0xff) {
        append_hex(out, "\\x", code, 2);
      } else if (code <= 0xffff) {
        append_hex(out, "\\u", code, 4);
      } else {
        append_hex(out, "\\U", code, 8);
      }
    }
    at += length;
  }
  out += quote;
}

// bytearray's repr escapes a single quote even between double quotes,
// unlike bytes' (CPython's bytearray_repr and bytes_repr differ there).
void append_bytes(std::string& out, const Bytes& bytes, std::size_t limit,
                  bool escape_single_quote) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const char quote = quote_for(text);
  out += 'b';
  out += quote;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == limit) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\'' && escape_single_quote) {
      out += "\\'";
    } else if (!append_common_escape(out, c, quote)) {
      append_hex(out, "\\x", c, 2);
    }
  }
  out += quote;
}

// Python's float repr: the shortest digits that read back the same, fixed
// notation for decimal exponents from -4 to 15, scientific otherwise.
void append_float(std::string& out, double number) {
  if (std::isnan(number)) {
    out += "nan";
    return;
  }
  if (std::isinf(number)) {
    out += number > 0 ? "inf" : "-inf";
    return;
  }
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::string_view exponent_text = scientific.substr(scientific.find('e') + 1);
  int exponent = 0;
  std::from_chars(exponent_text.data() + (exponent_text.front() == '+' ? 1 : 0),
                  exponent_text.data() + exponent_text.size(), exponent);
  if (exponent < -4 || exponent >= 16) {
    out += scientific;
    return;
  }
  result = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::fixed);
  const std::string_view fixed(buffer, static_cast<std::size_t>(result.ptr - buffer));
  out += fixed;
  if (fixed.find('.') == std::string_view::npos) out += ".0";
}

// Decimal, or hexadecimal past Python's limit on decimal conversion (which
// also keeps this linear for huge numbers).
void append_big_int(std::string& out, const BigInt& number) {
  if (number.bit_length() <= kBitsOfMaxDigits) {
    std::string decimal = number.to_string();
    if (decimal.size() - (number.is_negative() ? 1 : 0) <= kMaxDecimalDigits) {
      out += decimal;
      return;
    }
  }
  if (number.is_negative()) out += '-';
  out += "0x";
  const std::vector<std::uint32_t>& limbs = number.magnitude();
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%x", limbs.back());
  out += buffer;
  for (std::size_t i = limbs.size() - 1; i-- > 0;) append_hex(out, "", limbs[i], 8);
}

class Printer {
 public:
  Printer(std::string& out, const Limits& limits) : out_(out), limits_(limits) {}

  void print(const Value& value, std::size_t depth) {
    switch (value.kind()) {
      case Value::Kind::Null: out_ += "None"; return;
      case Value::Kind::Bool: out_ += *value.get_if<bool>() ? "True" : "False"; return;
      case Value::Kind::Integer: out_ += std::to_string(*value.get_if<std::int64_t>()); return;
      case Value::Kind::BigInt: append_big_int(out_, *value.get_if<BigInt>()); return;
      case Value::Kind::Real: append_float(out_, *value.get_if<double>()); return;
      case Value::Kind::Text:
        append_str(out_, *value.get_if<std::string>(), limits_.characters);
        return;
      case Value::Kind::Blob:
        append_bytes(out_, *value.get_if<Bytes>(), limits_.characters,
                     /*escape_single_quote=*/false);
        return;
      case Value::Kind::ByteArray:
        out_ += "bytearray(";
        append_bytes(out_, *value.get_if<ByteArray>(), limits_.characters,
                     /*escape_single_quote=*/true);
        out_ += ')';
        return;
      case Value::Kind::List: elements(*value.get_if<List>(), "[", "]", depth); return;
      case Value::Kind::Tuple: {
        const Tuple& tuple = *value.get_if<Tuple>();
        elements(tuple, "(", tuple.size() == 1 ? ",)" : ")", depth);
        return;
      }
      case Value::Kind::Dict: dict(*value.get_if<Dict>(), depth); return;
      case Value::Kind::Set: return set(*value.get_if<Set>(), "set", "{", "}", depth);
      case Value::Kind::FrozenSet:
        return set(*value.get_if<FrozenSet>(), "frozenset", "frozenset({", "})", depth);
      case Value::Kind::Object:
        out_ += "<pickled " + value.get_if<PickledObject>()->class_name() + '>';
        return;
    }
  }

 private:
  template <class Range>
  void elements(const Range& range, const char* open, const char* close, std::size_t depth) {
    out_ += open;
    if (depth >= limits_.depth && !range.empty()) {
      out_ += "...";
    } else {
      std::size_t count = 0;
      for (const Value& element : range) {
        if (count != 0) out_ += ", ";
        if (count++ == limits_.elements) {
          out_ += "...";
          break;
        }
        print(element, depth + 1);
      }
    }
    out_ += close;
  }

  // set() and frozenset() when empty, since {} is a dict.
  template <class SetType>
  void set(const SetType& set, const char* type, const char* open, const char* close,
           std::size_t depth) {
    if (set.empty()) {
      out_ += type;
      out_ += "()";
    } else {
      elements(set, open, close, depth);
    }
  }

  void dict(const Dict& dict, std::size_t depth) {
    out_ += '{';
    if (depth >= limits_.depth && !dict.empty()) {
      out_ += "...";
    } else {
      std::size_t count = 0;
      for (const auto& [key, value] : dict) {
        if (count != 0) out_ += ", ";
        if (count++ == limits_.elements) {
          out_ += "...";
          break;
        }
        print(key, depth + 1);
        out_ += ": ";
        print(value, depth + 1);
      }
    }
    out_ += '}';
  }

  std::string& out_;
  const Limits& limits_;
};

}  // namespace

std::string Value::repr() const {
  std::string out;
  Printer(out, kWhole).print(*this, 0);
  return out;
}

std::string Value::short_repr() const {
  std::string out;
  Printer(out, kShort).print(*this, 0);
  return out;
}

}  // namespace diskcache
