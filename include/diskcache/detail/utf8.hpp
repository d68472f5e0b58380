// Strict UTF-8 validation, for text about to be stored as SQLite TEXT:
// Python's sqlite3 decodes every TEXT it reads as UTF-8 and fails on the
// first invalid byte, so one such row makes a cache unreadable to Python.
// With it, one character's decoding and encoding, which the tool, the
// pickle codec and Value's repr share.
#ifndef DISKCACHE_DETAIL_UTF8_HPP_
#define DISKCACHE_DETAIL_UTF8_HPP_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace diskcache::detail {

// The length of the well-formed UTF-8 sequence at p (Unicode Table 3-7: no
// overlong forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF, no
// truncated sequence), or 0 if the bytes from p to end do not start one.
// REQUIRES: p < end.
inline std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char lead = *p;
  if (lead < 0x80) return 1;
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
    return 0;
  }
  if (end - p < length || p[1] < second_min || p[1] > second_max) return 0;
  for (std::ptrdiff_t i = 2; i < length; ++i) {
    if ((p[i] & 0xc0) != 0x80) return 0;
  }
  return static_cast<std::size_t>(length);
}

// The offset of the first byte of `text` that does not start a well-formed
// UTF-8 sequence; text.size() if all of it is valid.
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
    const std::size_t length = utf8_sequence_length(p, end);
    if (length == 0) return static_cast<std::size_t>(p - begin);
    p += length;
  }
  return text.size();
}

// A character decoded from UTF-8, and how many bytes it took.
struct CodePoint {
  char32_t code;
  std::size_t length;
};

// The character whose UTF-8 sequence starts at text[at], or nullopt if the
// bytes there are not a well-formed one. REQUIRES: at < text.size().
inline std::optional<CodePoint> code_point_at(std::string_view text, std::size_t at) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + at;
  const std::size_t length =
      utf8_sequence_length(p, reinterpret_cast<const unsigned char*>(text.data()) + text.size());
  if (length == 0) return std::nullopt;
  static constexpr unsigned char kLeadBits[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
  char32_t code = p[0] & kLeadBits[length];
  for (std::size_t i = 1; i < length; ++i) code = (code << 6) | (p[i] & 0x3fu);
  return CodePoint{code, length};
}

// Appends the UTF-8 form of `code`. REQUIRES: code <= 0x10FFFF.
inline void append_utf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_UTF8_HPP_
