// Strict UTF-8 validation, for text about to be stored as SQLite TEXT:
// Python's sqlite3 decodes every TEXT it reads as UTF-8 and fails on the
// first invalid byte, so one such row makes a cache unreadable to Python.
#ifndef DISKCACHE_DETAIL_UTF8_HPP_
#define DISKCACHE_DETAIL_UTF8_HPP_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace diskcache::detail {

// The offset of the first byte of `text` that does not start a well-formed
// UTF-8 sequence (Unicode Table 3-7: no overlong forms, no surrogates
// U+D800..U+DFFF, nothing above U+10FFFF, no truncated sequence);
// text.size() if all of it is valid.
inline std::size_t invalid_utf8_offset(std::string_view text) noexcept {
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  const auto* p = begin;
  while (p != end) {
    // Most text is ASCII: skip it eight bytes at a time.
    if (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, sizeof chunk);
      if ((chunk & 0x8080808080808080u) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    std::ptrdiff_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) second_min = 0xa0;  // overlong
      if (lead == 0xed) second_max = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) second_min = 0x90;  // overlong
      if (lead == 0xf4) second_max = 0x8f;  // above U+10FFFF
    } else {
      return static_cast<std::size_t>(p - begin);
    }
    if (end - p < length || p[1] < second_min || p[1] > second_max) {
      return static_cast<std::size_t>(p - begin);
    }
    for (std::ptrdiff_t i = 2; i < length; ++i) {
      if ((p[i] & 0xc0) != 0x80) return static_cast<std::size_t>(p - begin);
    }
    p += length;
  }
  return text.size();
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_UTF8_HPP_
