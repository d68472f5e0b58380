// Keys, values and tags as typed on the command line, in the notation the
// command prints them (Python's repr), so a key shown by `keys` can be
// pasted back:
//
//   42  -7            int          2.5  1e3  inf        float (nan is refused:
//                                                          SQLite stores NaN as NULL)
//   'text'  "it's"    str          b'\x00ab'            bytes
//   None              null (not a key)
//   anything else     str, as typed (user:1 is the str 'user:1')
//
// Quoted strings take Python's escapes: \\ \' \" \n \r \t \xHH, and in
// str also \uHHHH and \UHHHHHHHH (written as UTF-8).
#ifndef DISKCACHE_TOOLS_LITERAL_HPP_
#define DISKCACHE_TOOLS_LITERAL_HPP_

#include <string_view>

#include "diskcache/value.hpp"

namespace diskcache::tool {

// The Value `text` denotes. Throws CommandError(Usage) for a malformed
// quoted string, an integer outside int64, nan, or text that is not UTF-8
// (a surrogate escape such as '\udc80' included): Python could not read it.
Value parse_literal(std::string_view text);

// parse_literal for a key. Throws CommandError(Usage) for None, which
// cannot be a key.
Value parse_key(std::string_view text);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_LITERAL_HPP_
