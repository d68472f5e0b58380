// disk::Auto: the default disk policy. Stores the types Python diskcache
// stores natively exactly as Python does, and any other type with cereal.
//
// What it stores, and how Python sees it:
//
//   C++ type                                 cell              Python reads
//   integer types (int8_t ... uint64_t)      INTEGER, raw      int
//   bool                                     INTEGER 0/1, raw  int (0 or 1)
//   float, double                            REAL, raw         float
//   std::string                              TEXT, raw         str
//   Bytes, std::vector<unsigned char>        BLOB, raw         bytes
//   diskcache::Value                         the cell of the kind it holds
//                                            (null: NULL)      None/int/...
//   anything else                            BLOB, not raw     bytes (cereal
//                                            portable binary)  portable binary)
//
// Raw keys are the keys Python uses for the same int/float/str/bytes, so a
// C++ and a Python process share entries; a not-raw key is only found by
// disk::Auto (or disk::Binary, which writes the same bytes) in C++.
// Character types (char, char8_t, ...) and long double are not raw: they go
// through cereal (long double would lose precision in a REAL).
//
// A type outside the table opts in the cereal way, with a `serialize`
// member or a save/load pair, and the cereal/types/ headers for the standard
// types it contains:
//
//   #include <cereal/types/vector.hpp>
//   struct Point {
//     int x = 0;
//     std::vector<int> tags;
//     template <class Archive> void serialize(Archive& ar) { ar(x, tags); }
//   };
//   diskcache::Cell cell = diskcache::disk::Auto::encode(Point{1, {2, 3}});
//   Point back = diskcache::disk::Auto::decode<Point>(cell);
//
// Keys are compared by their encoded bytes, so a key type must serialize
// equal objects to equal bytes (avoid unordered containers in keys).
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_AUTO_HPP_
#define DISKCACHE_DISK_AUTO_HPP_

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/portable_binary.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Auto {
  // Returns the cell for `object` (see the table above). Text and blob cells
  // of raw types borrow from `object`: keep it alive while using the cell.
  // Throws SerializationError if an unsigned integer is above INT64_MAX (it
  // has no raw form; use disk::Binary), or if cereal fails to serialize.
  // A type with no cereal serialization is a compile error from cereal.
  template <class T>
  static Cell encode(const T& object) {
    if constexpr (detail::is_raw_v<T>) {
      return detail::encode_raw(object, kName);
    } else {
      return detail::encode_portable(object, kName);
    }
  }

  // Decodes a cell read from the cache as a T.
  //
  // Raw types want the matching kind: an integer type an INTEGER cell whose
  // value fits T (bool: 0 or 1), std::string a TEXT cell, Bytes and
  // std::vector<unsigned char> a BLOB cell. Floating-point types accept REAL
  // and also INTEGER cells, because Python code often stores 1 meaning 1.0.
  // Value accepts every kind. Other types want a BLOB holding exactly one
  // cereal portable binary T. REQUIRES: non-raw T is default constructible.
  //
  // Throws SerializationError, naming the expected and actual kind or the
  // cause, if the cell is a Python pickle, has the wrong kind, holds a
  // number out of T's range, or holds bytes that are not exactly one T
  // (corrupt, truncated, trailing bytes).
  template <class T>
  static T decode(const Cell& cell) {
    reject_pickle(cell);
    if constexpr (detail::is_raw_v<T>) {
      return detail::decode_raw<T>(cell, kName);
    } else {
      return detail::decode_portable<T>(cell, kName);
    }
  }

 private:
  static constexpr const char* kName = "disk::Auto";
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_AUTO_HPP_
