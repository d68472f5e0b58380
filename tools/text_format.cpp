#include "text_format.hpp"

namespace diskcache::tool {
namespace {

std::string binary(std::int64_t size) { return "<binary " + std::to_string(size) + " bytes>"; }

}  // namespace

std::string repr(const Value& value) { return value.repr(); }

std::string show(const Cell& cell, std::int64_t size) {
  if (cell.mode() == Mode::Pickle) return binary(size);
  if (!cell.raw()) {
    const bool has_bytes = cell.kind() == Cell::Kind::Text || cell.kind() == Cell::Kind::Blob;
    return binary(has_bytes ? static_cast<std::int64_t>(cell.bytes().size()) : 8);
  }
  return repr(cell.to_value());
}

}  // namespace diskcache::tool
