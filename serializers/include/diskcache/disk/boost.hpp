// disk::Boost: a disk policy for types that already have a Boost.Serialization
// `serialize`, using Boost's binary archive.
//
// What it stores: a raw BLOB cell holding the bytes of a
// boost::archive::binary_oarchive opened with `no_header`, so the bytes
// depend only on the object (no archive signature or library version).
// Python sees `bytes` it cannot interpret, keys included (it iterates them
// and can look an item up by them). The previous release wrote keys with
// raw = 0, which Python failed to unpickle; they still decode here, but
// are found only by iteration (docs/format.md).
//
// Boost's binary archive is native: integer sizes and byte order are those of
// the machine, so a cache written with Boost reads back on the same kind of
// platform only. For a portable format use disk::Binary.
//
// Link the target diskcache::boost (it adds Boost.Serialization); no other
// diskcache header includes Boost. Types opt in the Boost way, with the
// boost/serialization/ headers for the standard types they contain
// (std::string support is included here):
//
//   #include <boost/serialization/vector.hpp>
//   struct Track {
//     std::vector<double> samples;
//     template <class Archive>
//     void serialize(Archive& ar, unsigned int /*version*/) { ar & samples; }
//   };
//   diskcache::Cache<std::string, Track, diskcache::disk::Boost> cache(dir);
//
// Boost.Serialization checks its input less thoroughly than cereal: bytes
// that were not written by this policy for this type can trip Boost's own
// assertions in debug builds. String lengths and collection sizes are
// checked against the bytes left before anything is allocated. Prefer
// disk::Binary for data that may be damaged or come from elsewhere.
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_BOOST_HPP_
#define DISKCACHE_DISK_BOOST_HPP_

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/archive_io.hpp"
#include "diskcache/disk/detail/bounded_boost_binary.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Boost {
  // Returns an owning, raw BLOB cell with the binary archive of `object`.
  // Throws SerializationError if Boost throws while serializing
  // (boost::archive::archive_exception, std::exception).
  template <class T>
  static Cell encode(const T& object) {
    return Cell::blob(
        detail::save_archive<boost::archive::binary_oarchive>(object, kName, kFormat, kFlags),
        /*raw=*/true);
  }

  // Decodes a BLOB cell holding exactly one binary-archived T.
  // REQUIRES: T is default constructible.
  // Throws SerializationError, naming the cause and the size, if the cell is
  // a Python pickle, is not a BLOB, or its bytes are not exactly one T
  // (truncated, trailing bytes, an archive_exception from corrupt bytes).
  template <class T>
  static T decode(const Cell& cell) {
    reject_pickle(cell);
    detail::expect_kind(cell, Cell::Kind::Blob, kName, "a Boost binary archive");
    // Bounded: a hostile size prefix is an error, not a huge allocation.
    return detail::load_archive<detail::BoundedBinaryIArchive, T>(cell.bytes(), kName, kFormat,
                                                                  kFlags);
  }

 private:
  static constexpr const char* kName = "disk::Boost";
  static constexpr const char* kFormat = "Boost.Serialization binary archive";
  static constexpr unsigned int kFlags = boost::archive::no_header;
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_BOOST_HPP_
