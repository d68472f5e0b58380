#include "text_format.hpp"

namespace diskcache::tool {
namespace {

std::string binary(std::int64_t size) { return "<binary " + std::to_string(size) + " bytes>"; }

}  // namespace

std::string repr(const Value& value) { return value.repr(); }

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
