// disk::Raw: a disk policy for the types Python diskcache stores natively and
// nothing else, so everything a Raw cache holds is readable from Python.
//
// What it stores, and how Python sees it (exactly as disk::Auto does):
//
//   C++ type                                 cell              Python reads
//   integer types (int8_t ... uint64_t)      INTEGER, raw      int
//   bool                                     INTEGER 0/1, raw  int (0 or 1)
//   float, double                            REAL, raw         float
//   std::string                              TEXT, raw         str
//   Bytes, std::vector<unsigned char>        BLOB, raw         bytes
//   diskcache::Value                         the cell of the kind it holds
//
// Any other type is a compile error that names the accepted types:
//
//   diskcache::Cache<std::string, std::int64_t, diskcache::disk::Raw> ok(dir);
//   diskcache::Cache<Point, int, diskcache::disk::Raw> bad(dir);
//   bad.set(Point{}, 1);  // error: disk::Raw cannot store this type ...
//
// Choose Raw over Auto when the cache is shared with Python code and a stray
// cereal blob would be a bug. Since every key is raw, Index::range and
// lower_bound order all of them.
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_RAW_HPP_
#define DISKCACHE_DISK_RAW_HPP_

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Raw {
  // Returns the raw cell for `object`; text and blob cells borrow from
  // `object`, so keep it alive while using the cell.
  // Throws SerializationError if an unsigned integer is above INT64_MAX.
  // REQUIRES (compile time): T is one of the types in the table above.
  template <class T>
  static Cell encode(const T& object) {
    require_raw<T>();
    if constexpr (detail::is_raw_v<T>) {
      return detail::encode_raw(object, kName);
    } else {
      return Cell();  // not reached: require_raw fails to compile
    }
  }

  // Decodes a cell read from the cache as a T, with disk::Auto's rules: the
  // cell's kind must match T (an integer type also wants the value to fit),
  // except that float and double accept INTEGER cells; Value accepts all.
  // Throws SerializationError, naming the expected and actual kind, if the
  // cell is a Python pickle, has the wrong kind or is out of T's range.
  // REQUIRES (compile time): T is one of the types in the table above.
  template <class T>
  static T decode(const Cell& cell) {
    require_raw<T>();
    reject_pickle(cell);
    if constexpr (detail::is_raw_v<T>) {
      return detail::decode_raw<T>(cell, kName);
    } else {
      throw SerializationError(kName);  // not reached: see require_raw
    }
  }

 private:
  static constexpr const char* kName = "disk::Raw";

  // The compile error a non-raw T gets; its first line names the problem so
  // it shows even in a long template backtrace.
  template <class T>
  static constexpr void require_raw() {
    static_assert(detail::is_raw_v<T>,
                  "disk::Raw cannot store this type. disk::Raw stores only what Python "
                  "diskcache stores natively: integer types (int8_t ... uint64_t), "
                  "bool, float, double, std::string, diskcache::Bytes "
                  "(std::vector<std::byte>), std::vector<unsigned char> and "
                  "diskcache::Value. For other types use disk::Auto (raw types raw, "
                  "others with cereal) or disk::Binary (cereal for every type).");
  }
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_RAW_HPP_
