// disk::Json: a disk policy that serializes every type with cereal's JSON
// archive, so stored values are readable text in the database.
//
// What it stores: a TEXT cell, not raw, holding the single-line JSON that
// cereal::JSONOutputArchive writes, e.g. for a Point with named fields
//
//   {"value0": {"x": 1,"y": 2.5,"name": "a","tags": [1,2]}}
//
// Python sees a `str` it can parse with json.loads (the object is under
// "value0", cereal's name for the top-level value). The sqlite3 shell shows it
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
// Equal objects give equal text (as long as the type serializes its fields
// in a fixed order: avoid unordered containers in keys).
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_JSON_HPP_
#define DISKCACHE_DISK_JSON_HPP_

#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <string>

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/archive_io.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Json {
  // Returns an owning, non-raw TEXT cell with the JSON encoding of `object`.
  // Throws SerializationError if cereal throws while serializing.
  // A type with no cereal serialization is a compile error from cereal.
  template <class T>
  static Cell encode(const T& object) {
    std::string text = detail::save_archive<cereal::JSONOutputArchive>(
        object, kName, kFormat, cereal::JSONOutputArchive::Options::NoIndent());
    // NoIndent still ends every line with '\n'. Dropping them leaves a single
    // line with the same meaning: inside JSON strings a newline is always
    // escaped, so every '\n' byte here is layout.
    std::erase(text, '\n');
    return Cell::text(std::move(text), /*raw=*/false);
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
    return detail::load_archive<cereal::JSONInputArchive, T>(cell.bytes(),
                                                             kName, kFormat);
  }

 private:
  static constexpr const char* kName = "disk::Json";
  static constexpr const char* kFormat = "cereal JSON";
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_JSON_HPP_
