// The customization point for serialization: a disk policy turns C++ objects
// into Cells (see cell.hpp) and back.
//
// A disk policy is a type with two static member templates:
//
//   struct MyDisk {
//     // Encodes `object`. The Cell may borrow from `object` (Cell::text_view,
//     // Cell::blob_view); the caller keeps `object` alive while it uses the Cell.
//     template <class T> static diskcache::Cell encode(const T& object);
//     // Decodes a Cell read from the cache. Throws diskcache::SerializationError
//     // when the cell cannot be a T (wrong kind, corrupt bytes, a pickle).
//     template <class T> static T decode(const diskcache::Cell& cell);
//   };
//
// The same policy encodes keys, values, memoize keys and results. A key Cell
// with raw() == true is stored as Python stores int/float/str/bytes keys, so
// Python finds it under the same key; raw() == false marks an encoding that
// only this policy can read. Two keys are the same key exactly when their
// Cells are equal, so an encoding of keys must be deterministic.
//
// Shipped policies (serializers/include/diskcache/disk/): disk::Auto
// (default), disk::Raw, disk::Binary, disk::Json, disk::Boost.
// Each is a complete example of a policy; docs/custom-serializers.md walks
// through writing your own, a zstd-compressing one.
#ifndef DISKCACHE_DISK_POLICY_HPP_
#define DISKCACHE_DISK_POLICY_HPP_

#include <concepts>

#include "diskcache/cell.hpp"

namespace diskcache {

// Satisfied when `Disk` can encode and decode objects of type `T`.
template <class Disk, class T>
concept DiskPolicyFor = requires(const T& object, const Cell& cell) {
  { Disk::template encode<T>(object) } -> std::same_as<Cell>;
  { Disk::template decode<T>(cell) } -> std::same_as<T>;
};

}  // namespace diskcache

#endif  // DISKCACHE_DISK_POLICY_HPP_
