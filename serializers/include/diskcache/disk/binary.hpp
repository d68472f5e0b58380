// disk::Binary: a disk policy that serializes every type, including integers
// and strings, with cereal's portable binary archive.
//
// What it stores: a raw BLOB cell holding the
// cereal::PortableBinaryOutputArchive bytes of the object (one endianness
// byte, then the data, little-endian). Python sees `bytes` it cannot
// interpret, keys included (it iterates them and can look an item up by
// them). The bytes read back on any platform cereal supports.
//
// Use it when C++ owns the cache and types must round-trip exactly (uint64_t
// above INT64_MAX, long double, structs), or when keys should not meet
// Python's: Binary's key for the string "a" is a blob, which differs from
// Python's str key and from disk::Auto's (only a Python bytes key holding
// the same encoded bytes would be the same key). For structs Binary and
// disk::Auto write the same bytes. The previous release wrote keys with
// raw = 0, which Python failed to unpickle; they still decode here, but
// are found only by iteration (docs/format.md).
//
// Types opt in the cereal way, with a `serialize` member or a save/load pair,
// and the cereal/types/ headers for the standard types they contain
// (std::string support is included here):
//
//   #include <cereal/types/map.hpp>
//   diskcache::Cache<std::string, std::map<std::string, int>,
//                    diskcache::disk::Binary> cache(dir);
//   cache.set("counts", {{"a", 1}, {"b", 2}});
//
// Keys are compared by their encoded bytes, so a key type must serialize
// equal objects to equal bytes (avoid unordered containers in keys).
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_BINARY_HPP_
#define DISKCACHE_DISK_BINARY_HPP_

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/portable_binary.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk {

struct Binary {
  // Returns an owning, raw BLOB cell with the portable binary encoding of
  // `object`. Throws SerializationError if cereal throws while serializing.
  // A type with no cereal serialization is a compile error from cereal.
  template <class T>
  static Cell encode(const T& object) {
    return detail::encode_portable(object, kName);
  }

  // Decodes a BLOB cell holding exactly one portable binary T.
  // REQUIRES: T is default constructible.
  // Throws SerializationError, naming the cause and the size, if the cell is
  // a Python pickle, is not a BLOB, or its bytes are not exactly one T
  // (corrupt, truncated, trailing bytes, written for another type).
  template <class T>
  static T decode(const Cell& cell) {
    reject_pickle(cell);
    return detail::decode_portable<T>(cell, kName);
  }

 private:
  static constexpr const char* kName = "disk::Binary";
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_BINARY_HPP_
