// Internal: cereal portable binary in a raw blob cell, the encoding of
// disk::Binary and of the types disk::Auto has no Python form for. Not part
// of the API.
#ifndef DISKCACHE_DISK_DETAIL_PORTABLE_BINARY_HPP_
#define DISKCACHE_DISK_DETAIL_PORTABLE_BINARY_HPP_

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <string>
#include <string_view>

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/archive_io.hpp"
#include "diskcache/disk/detail/bounded_portable_binary.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::disk::detail {

inline constexpr const char* kPortableBinary = "cereal portable binary";

// A raw blob: as a key too, Python reads it as bytes (a blob marked not raw
// would be unpickled, and fail). The previous release wrote keys with
// raw = 0; reading ignores the flag.
template <class T>
Cell encode_portable(const T& object, const char* policy) {
  return Cell::blob(
      save_archive<cereal::PortableBinaryOutputArchive>(object, policy, kPortableBinary),
      /*raw=*/true);
}

// REQUIRES: reject_pickle(cell) was called.
template <class T>
T decode_portable(const Cell& cell, const char* policy) {
  expect_kind(cell, Cell::Kind::Blob, policy, "a cereal portable binary object");
  const std::string_view bytes = cell.bytes();
  // The archive opens with its writer's endianness, 1 (little) or 0 (big).
  // cereal accepts any byte there, so checking it catches most foreign blobs
  // (Python bytes, another policy's output) with a clear message.
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) > 1) {
    throw SerializationError(std::string(policy) + ": cannot decode " +
                             std::to_string(bytes.size()) + " bytes of " + kPortableBinary +
                             ": no endianness header (first byte 0 or 1); the blob was not "
                             "written by disk::Binary or disk::Auto");
  }
  // Bounded: a hostile size prefix is an error, not a huge allocation.
  return load_archive<BoundedPortableBinaryInputArchive, T>(bytes, policy, kPortableBinary);
}

}  // namespace diskcache::disk::detail

#endif  // DISKCACHE_DISK_DETAIL_PORTABLE_BINARY_HPP_
