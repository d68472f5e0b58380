#include "text_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace diskcache::tool {
namespace {

// Python's quoting: single quotes unless the text holds one and no double.
std::string quote(std::string_view text, bool bytes) {
  const bool double_quotes =
      text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
  const char quote_char = double_quotes ? '"' : '\'';
  std::string out = bytes ? "b" : "";
  out += quote_char;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == quote_char) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f || (bytes && byte >= 0x80)) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;  // UTF-8 text is shown as it is, as Python 3 does
    }
  }
  out += quote_char;
  return out;
}

// Python's float repr: the shortest digits that read back the same, fixed
// notation for exponents from -4 to 15, scientific otherwise.
std::string float_repr(double number) {
  if (std::isnan(number)) return "nan";
  if (std::isinf(number)) return number > 0 ? "inf" : "-inf";
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<std::size_t>(result.ptr - buffer));
  int exponent = 0;
  const std::string_view digits = scientific.substr(scientific.find('e') + 1);
  std::from_chars(digits.data() + (digits.front() == '+' ? 1 : 0), digits.data() + digits.size(),
                  exponent);
  if (exponent < -4 || exponent >= 16) return std::string(scientific);
  result = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::fixed);
  std::string fixed(buffer, result.ptr);
  if (fixed.find('.') == std::string::npos) fixed += ".0";
  return fixed;
}

std::string binary(std::int64_t size) { return "<binary " + std::to_string(size) + " bytes>"; }

}  // namespace

std::string repr(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null: return "None";
    case Value::Kind::Integer: return std::to_string(value.as<std::int64_t>());
    case Value::Kind::Real: return float_repr(value.as<double>());
    case Value::Kind::Text: return quote(*value.get_if<std::string>(), false);
    case Value::Kind::Blob: return quote(Cell::as_chars(*value.get_if<Bytes>()), true);
  }
  return "?";
}

std::string raw_bytes(const Value& value) {
  if (const std::string* text = value.get_if<std::string>()) return *text;
  if (const Bytes* bytes = value.get_if<Bytes>()) return to_string(*bytes);
  return repr(value);
}

std::string show(const Cell& cell, std::int64_t size) {
  if (cell.mode() == Mode::Pickle) return binary(size);
  // What literal.hpp's parse_key reads back as this very key.
  if (!cell.raw()) return "encoded(" + repr(cell.to_value()) + ")";
  return repr(cell.to_value());
}

}  // namespace diskcache::tool
