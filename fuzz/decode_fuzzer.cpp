// libFuzzer target: a disk policy's decoder (DISKCACHE_FUZZ_POLICY, set by
// fuzz/CMakeLists.txt: Auto, Raw, Binary, Json or Boost) on arbitrary cells.
// The first input byte picks the cell (kind, raw flag, mode); the rest is
// its content. Every decode must return a value or throw
// SerializationError: any other exception, a crash, a sanitizer report, an
// allocation past libFuzzer's -malloc_limit_mb or a timeout is a finding.
// A value that decodes must encode and decode back to itself.
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "diskcache/cell.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/json.hpp"
#include "diskcache/disk/raw.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/value.hpp"
#ifdef DISKCACHE_FUZZ_BOOST
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "diskcache/disk/boost.hpp"
#endif

namespace {

using diskcache::Cell;
using Policy = diskcache::disk::DISKCACHE_FUZZ_POLICY;

// A user type of the kind people store: nested containers and strings.
// (Integers only: a NaN would not compare equal to itself after a round trip.)
struct Record {
  std::int32_t id = 0;
  std::string name;
  std::vector<std::int64_t> samples;
  std::map<std::string, std::vector<std::string>> tags;
  bool operator==(const Record&) const = default;

#ifdef DISKCACHE_FUZZ_BOOST
  template <class Archive>
  void serialize(Archive& archive, unsigned int /*version*/) {
    // clang-format 14 reads `archive & x;` as a declaration.
    // clang-format off
    archive & id & name & samples & tags;
    // clang-format on
  }
#else
  template <class Archive>
  void serialize(Archive& archive) {
    archive(CEREAL_NVP(id), CEREAL_NVP(name), CEREAL_NVP(samples), CEREAL_NVP(tags));
  }
#endif
};

Cell cell_of(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return Cell();
  const std::uint8_t selector = data[0];
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool raw = (selector & 0x10) != 0;
  Cell cell;
  switch (selector & 0x07) {
    case 0: {
      std::int64_t number = 0;
      std::memcpy(&number, rest.data(), std::min(rest.size(), sizeof number));
      cell = Cell::integer(number);
      break;
    }
    case 1: {
      double number = 0;
      std::memcpy(&number, rest.data(), std::min(rest.size(), sizeof number));
      cell = Cell::real(number);
      break;
    }
    case 2: cell = Cell::text(rest, raw); break;
    case 3: cell = Cell(); break;
    default: cell = Cell::blob(rest, raw); break;
  }
  // Now and then as a value read from a row of another mode (a pickle).
  if ((selector & 0xe0) == 0xe0) cell.set_mode(diskcache::Mode::Pickle);
  return cell;
}

// Decodes `cell` as T; if it decodes, checks that it round-trips.
template <class T>
void decode_as(const Cell& cell) {
  std::optional<T> value;
  try {
    value = Policy::template decode<T>(cell);
  } catch (const diskcache::SerializationError&) {
    return;  // a typed error: what bad input must give
  }
  if (!(*value == *value)) return;  // a NaN inside: equality says nothing
  Cell again;
  try {
    again = Policy::template encode<T>(*value);
  } catch (const diskcache::SerializationError&) {
    return;  // e.g. disk::Json refuses strings with NUL that a blob can hold
  }
  if (!(Policy::template decode<T>(again) == *value)) __builtin_trap();
}

// Every type the policy accepts. A template, so that `if constexpr` leaves
// out what the policy cannot store at all.
template <class P>
void decode_all(const Cell& cell) {
  namespace disk = diskcache::disk;
  constexpr bool kRawTypesOnly = std::is_same_v<P, disk::Raw>;
  constexpr bool kPython = kRawTypesOnly || std::is_same_v<P, disk::Auto>;
  decode_as<std::string>(cell);
  decode_as<std::int64_t>(cell);
  decode_as<std::uint8_t>(cell);
  decode_as<bool>(cell);
  if constexpr (kPython) decode_as<diskcache::Bytes>(cell);  // raw only
#ifndef DISKCACHE_FUZZ_BOOST
  decode_as<diskcache::Value>(cell);  // Value has cereal support, not Boost's
#endif
  if constexpr (!kRawTypesOnly) {
    decode_as<std::vector<std::string>>(cell);
    decode_as<std::vector<std::int64_t>>(cell);
    decode_as<std::map<std::string, std::vector<std::int64_t>>>(cell);
    decode_as<Record>(cell);
  }
  // The shapes disk::Auto stores as Python's tuple, set and None (its
  // vector and map are above).
  if constexpr (std::is_same_v<P, disk::Auto>) {
    decode_as<std::tuple<std::string, std::int64_t>>(cell);
    decode_as<std::pair<std::int64_t, double>>(cell);
    decode_as<std::set<std::int64_t>>(cell);
    decode_as<std::optional<std::vector<std::string>>>(cell);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  decode_all<Policy>(cell_of(data, size));
  return 0;
}
