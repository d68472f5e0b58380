// How the command prints keys, values and tags as text: Python's repr for
// what Python stores natively (None, 42, 2.5, 'text', b'\x00'), encoded(...)
// around it for a key a disk policy encoded, both of which literal.hpp
// reads back, and <binary N bytes> for a value Python pickled (its bytes
// are never decoded here).
#ifndef DISKCACHE_TOOLS_TEXT_FORMAT_HPP_
#define DISKCACHE_TOOLS_TEXT_FORMAT_HPP_

#include <cstdint>
#include <string>

#include "diskcache/cell.hpp"
#include "diskcache/value.hpp"

namespace diskcache::tool {

// Python's repr of `value` (Value::repr): deque items may be any plain
// data Python pickles, a tuple or a dict as well as a str.
std::string repr(const Value& value);

// What --raw writes for `value`: the bytes of text (UTF-8) and bytes as
// they are, repr() for None and numbers, which have no bytes of their own.
std::string raw_bytes(const Value& value);

// A stored key or value. `size` is the stored size (StoredItem::size),
// which a pickled value needs since its bytes are never decoded here.
std::string show(const Cell& cell, std::int64_t size = 0);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_TEXT_FORMAT_HPP_
