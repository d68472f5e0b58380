// disk::Json: a disk policy that serializes every type with cereal's JSON
// archive, so stored values are readable text in the database.
//
// What it stores: a raw TEXT cell holding the single-line JSON that
// cereal::JSONOutputArchive writes, e.g. for a Point with named fields
//
//   {"value0": {"x": 1,"y": 2.5,"name": "a","tags": [1,2]}}
//
// Python sees a `str` it can parse with json.loads (the object is under
// "value0", cereal's name for the top-level value), keys included: Python
// iterates them and can look an item up by them (a Python str key of the
// same text would be the same key). The previous release wrote keys with
// raw = 0, which Python failed to unpickle; they still decode here, but
// are found only by iteration (docs/format.md). The sqlite3 shell shows it
// as is. Doubles keep full precision; NaN and infinities are written as NaN,
// Infinity and -Infinity (which json.loads accepts).
//
// Use it for values people or other tools read. It is larger and slower than
// disk::Binary; for keys prefer disk::Auto or disk::Binary.
//
// Types opt in the cereal way. Name the fields with CEREAL_NVP (unnamed
// fields become "value0", "value1", ...), and include the cereal/types/
// headers for the standard types they contain (std::string is included):
//
//   struct Point {
//     int x = 0;
//     std::string name;
//     template <class Archive> void serialize(Archive& ar) {
//       ar(CEREAL_NVP(x), CEREAL_NVP(name));
//     }
//   };
//   diskcache::Cache<std::string, Point, diskcache::disk::Json> cache(dir);
//
// Strings with a NUL character cannot be stored (cereal's JSON reader would
// cut them at the NUL): encode throws SerializationError for them.
//
// Equal objects give equal text (as long as the type serializes its fields
// in a fixed order: avoid unordered containers in keys).
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_JSON_HPP_
#define DISKCACHE_DISK_JSON_HPP_

#include <algorithm>
#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/archive_io.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Json {
  // Returns an owning, raw TEXT cell with the JSON encoding of `object`.
  // Throws SerializationError if cereal throws while serializing or if a
  // string in `object` contains a NUL character.
  // A type with no cereal serialization is a compile error from cereal.
  template <class T>
  static Cell encode(const T& object) {
    std::string text = detail::save_archive<cereal::JSONOutputArchive>(
        object, kName, kFormat, cereal::JSONOutputArchive::Options::NoIndent());
    // NoIndent still ends every line with '\n'. Dropping them leaves a single
    // line with the same meaning: inside JSON strings a newline is always
    // escaped, so every '\n' byte here is layout.
    std::erase(text, '\n');
    if (has_escaped_nul(text)) {
      throw SerializationError(std::string(kName) +
                               ": cannot encode a string containing a NUL character: cereal's "
                               "JSON reader would cut it at the NUL; use disk::Binary");
    }
    return Cell::text(std::move(text), /*raw=*/true);
  }

  // Decodes a TEXT cell holding the JSON of exactly one T.
  // REQUIRES: T is default constructible.
  // Throws SerializationError, naming the cause and the size, if the cell is
  // a Python pickle, is not TEXT, is not valid JSON (including trailing
  // text), or lacks a field T reads or has one of the wrong JSON type.
  template <class T>
  static T decode(const Cell& cell) {
    reject_pickle(cell);
    detail::expect_kind(cell, Cell::Kind::Text, kName, "JSON text");
    check_input(cell.bytes());
    return detail::load_archive<cereal::JSONInputArchive, T>(cell.bytes(), kName, kFormat);
  }

 private:
  static constexpr const char* kName = "disk::Json";
  static constexpr const char* kFormat = "cereal JSON";
  // Deeper nesting is refused: cereal's JSON reader (RapidJSON) parses and
  // frees arrays and objects recursively, so "[[[[..." would exhaust the
  // stack. Objects that cereal writes are far shallower.
  static constexpr std::size_t kMaxDepth = 512;

  [[noreturn]] static void refuse(std::string_view text, const std::string& why) {
    throw SerializationError(std::string(kName) + ": cannot decode " + std::to_string(text.size()) +
                             " bytes of " + kFormat + ": " + why);
  }

  // Refuses, outside strings, what RapidJSON 1.1 (Debian's, under cereal)
  // mishandles: nesting deeper than kMaxDepth, and a number whose digits are
  // all zero followed by an exponent ("0e-24", "0.00E5"), for which its
  // full-precision parser passes 0 to clz() and computes an exponent with
  // signed overflow, undefined behaviour. cereal never writes either.
  static void check_input(std::string_view text) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > kMaxDepth) {
          refuse(text,
                 "arrays and objects nest deeper than " + std::to_string(kMaxDepth) + " levels");
        }
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        // A number: its digits (and point), then perhaps an exponent.
        std::size_t end = c == '-' ? i + 1 : i;
        bool all_zero = true;
        while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) {
          all_zero = all_zero && (text[end] == '0' || text[end] == '.');
          ++end;
        }
        if (all_zero && end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
          refuse(text, "a zero with an exponent (" +
                           std::string(text.substr(i, std::min<std::size_t>(end - i + 4, 24))) +
                           "), which RapidJSON 1.1 misparses");
        }
        i = end - 1;  // end > i: a '-' or a digit was consumed
      }
    }
  }

  // True if the JSON text holds the escape \u0000: the \ must itself be
  // unescaped, i.e. preceded by an even number of backslashes.
  static bool has_escaped_nul(std::string_view text) {
    for (std::size_t at = text.find("u0000"); at != std::string_view::npos;
         at = text.find("u0000", at + 1)) {
      std::size_t backslashes = 0;
      while (backslashes < at && text[at - 1 - backslashes] == '\\') {
        ++backslashes;
      }
      if (backslashes % 2 == 1) return true;
    }
    return false;
  }
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_JSON_HPP_
