// Keys, values and tags as typed on the command line, in the notation the
// command prints them (Python's repr), so a key shown by `keys` can be
// pasted back:
//
//   42  -7            int          2.5  1e3  inf        float (nan is refused:
//                                                          SQLite stores NaN as NULL)
//   'text'  "it's"    str          b'\x00ab'            bytes
//   None              null (not a key)
//   encoded(L)        a key as a disk policy stored it (the literal L with
//                     the raw flag off): disk::Json's text, disk::Binary's
//                     and Python's pickled keys' bytes
//   anything else     str, as typed (user:1 is the str 'user:1')
//
// Quoted strings take Python's escapes: \\ \' \" \n \r \t \xHH, and in
// str also \uHHHH and \UHHHHHHHH (written as UTF-8).
#ifndef DISKCACHE_TOOLS_LITERAL_HPP_
#define DISKCACHE_TOOLS_LITERAL_HPP_

#include <string_view>

#include "diskcache/cell.hpp"
#include "diskcache/value.hpp"

namespace diskcache::tool {

// The Value `text` denotes. Throws CommandError(Usage) for a malformed
// quoted string, an integer outside int64, nan, or text that is not UTF-8
// (a surrogate escape such as '\udc80' included): Python could not read it.
Value parse_literal(std::string_view text);

// The stored key `text` denotes: parse_literal's Value as Python stores
// it, or for encoded(L) that of L with the raw flag off. Throws
// CommandError(Usage) as parse_literal, and for None, which cannot be a key.
Cell parse_key(std::string_view text);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_LITERAL_HPP_
