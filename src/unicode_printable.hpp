// Python's notion of a printable character, which repr() of a str follows:
// a character is escaped unless str.isprintable() holds for it.
#ifndef DISKCACHE_SRC_UNICODE_PRINTABLE_HPP_
#define DISKCACHE_SRC_UNICODE_PRINTABLE_HPP_

namespace diskcache::detail {

// Whether Python 3.11 (Unicode 14.0) prints `code_point` as it is in a
// repr(): false for the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other
// than the space. REQUIRES: code_point <= 0x10FFFF.
bool is_printable(char32_t code_point) noexcept;

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_UNICODE_PRINTABLE_HPP_
