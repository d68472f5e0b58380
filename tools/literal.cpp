#include "literal.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "diskcache/detail/utf8.hpp"
#include "exit_status.hpp"
#include "stored_cache.hpp"

namespace diskcache::tool {
namespace {

[[noreturn]] void malformed(std::string_view text, const std::string& why) {
  throw CommandError(ExitStatus::Usage, "malformed literal " + std::string(text) + ": " + why);
}

// The contents of the quoted `body` (quotes removed) with escapes resolved;
// in bytes, \x gives a byte and \u is not an escape, as in Python.
std::string unescape(std::string_view literal, std::string_view body, bool bytes) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\') {
      if (bytes && static_cast<unsigned char>(c) >= 0x80) {
        malformed(literal, "bytes can only contain ASCII characters; write others as \\xHH");
      }
      out += c;
      continue;
    }
    if (++i == body.size()) malformed(literal, "it ends in a lone backslash");
    const char escape = body[i];
    int digits = 0;
    switch (escape) {
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case 'x': digits = 2; break;
      case 'u': digits = bytes ? 0 : 4; break;
      case 'U': digits = bytes ? 0 : 8; break;
      default: break;
    }
    if (digits == 0) {
      if (std::string_view("\\'\"nrt0").find(escape) == std::string_view::npos) {
        out += '\\';  // Python keeps an unknown escape (and \u in bytes) as it is
        out += escape;
      }
      continue;
    }
    std::uint32_t code = 0;
    const char* first = body.data() + i + 1;
    const bool complete = i + digits < body.size() &&
                          std::from_chars(first, first + digits, code, 16).ptr == first + digits;
    if (!complete) {
      malformed(literal, std::string("\\") + escape + " needs " + std::to_string(digits) +
                             " hexadecimal digits");
    }
    if (code > 0x10ffff) malformed(literal, "code point above U+10FFFF");
    if (!bytes && code >= 0xd800 && code <= 0xdfff) {
      malformed(literal, "a surrogate (U+D800..U+DFFF) cannot be stored as UTF-8 text");
    }
    if (escape == 'x' && bytes) {
      out += static_cast<char>(code);
    } else {
      detail::append_utf8(out, code);
    }
    i += digits;
  }
  return out;
}

bool quoted(std::string_view text, std::size_t start) {
  return text.size() >= start + 2 && (text[start] == '\'' || text[start] == '"') &&
         text.back() == text[start];
}

std::optional<Value> number(std::string_view text) {
  const char* first = text.data() + (text.starts_with('+') ? 1 : 0);
  const char* last = text.data() + text.size();
  std::int64_t integer = 0;
  auto [end, error] = std::from_chars(first, last, integer);
  if (end == last && first != last) {
    if (error == std::errc::result_out_of_range) {
      throw CommandError(ExitStatus::Usage,
                         "integer " + std::string(text) + " does not fit in 64 bits");
    }
    return Value(integer);
  }
  double real = 0;
  auto [real_end, real_error] = std::from_chars(first, last, real);
  if (real_end == last && first != last && real_error == std::errc()) {
    if (std::isnan(real)) {
      throw CommandError(
          ExitStatus::Usage,
          "nan cannot be stored: SQLite stores NaN as NULL (write 'nan' for the text)");
    }
    return Value(real);
  }
  return std::nullopt;
}

// `text` as a str, once known to be UTF-8 (Python could not read it back).
Value utf8_text(std::string_view literal, std::string text) {
  const std::size_t offset = detail::invalid_utf8_offset(text);
  if (offset != text.size()) {
    malformed(literal, "it is not valid UTF-8 (byte " + std::to_string(offset) +
                           "); write bytes as b'\\xHH'");
  }
  return Value(std::move(text));
}

}  // namespace

Value parse_literal(std::string_view text) {
  if (text == "None") return Value();
  if (quoted(text, 0))
    return utf8_text(text, unescape(text, text.substr(1, text.size() - 2), false));
  if (text.starts_with('b') && quoted(text, 1)) {
    return Value(to_bytes(unescape(text, text.substr(2, text.size() - 3), true)));
  }
  if (std::optional<Value> parsed = number(text)) return *parsed;
  return utf8_text(text, std::string(text));
}

Cell parse_key(std::string_view text) {
  constexpr std::string_view kEncoded = "encoded(";
  const bool encoded = text.starts_with(kEncoded) && text.ends_with(')');
  const std::string_view literal =
      encoded ? text.substr(kEncoded.size(), text.size() - kEncoded.size() - 1) : text;
  const Value key = parse_literal(literal);
  if (key.is_null()) {
    throw CommandError(ExitStatus::Usage, "None cannot be a key (write 'None' for the text)");
  }
  Cell cell = to_cell(key);
  cell.set_raw(!encoded);
  return cell;
}

}  // namespace diskcache::tool
