#include "diskcache/value.hpp"

#include <cstdio>

namespace diskcache {
namespace {

constexpr std::size_t kReprLimit = 40;  // characters of contents shown

std::string quoted(std::string_view text, const char* prefix) {
  std::string out = prefix;
  out += '\'';
  for (std::size_t i = 0; i < text.size() && i < kReprLimit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (text.size() > kReprLimit) out += "...";
  out += '\'';
  return out;
}

}  // namespace

std::string Value::repr() const {
  switch (kind()) {
    case Kind::Null: return "None";
    case Kind::Integer: return std::to_string(*get_if<std::int64_t>());
    case Kind::Real: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", *get_if<double>());
      return buffer;
    }
    case Kind::Text: return quoted(*get_if<std::string>(), "");
    case Kind::Blob: {
      const Bytes& bytes = *get_if<Bytes>();
      return quoted({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, "b");
    }
  }
  return "?";
}

}  // namespace diskcache
