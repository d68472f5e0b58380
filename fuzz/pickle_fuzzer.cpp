// libFuzzer target: pickle::loads on arbitrary bytes. Every load must
// return a Value or throw SerializationError: any other exception, a crash,
// a sanitizer report, an allocation past libFuzzer's -malloc_limit_mb or a
// timeout is a finding. A pickle that loads must load the same with objects
// kept, and what it loads must come back equal from dumps and dumps_key at
// every protocol: decode(encode(decode(x))) == decode(x).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "diskcache/errors.hpp"
#include "diskcache/pickle.hpp"
#include "diskcache/value.hpp"

namespace {

using diskcache::SerializationError;
using diskcache::Value;
namespace pickle = diskcache::pickle;

std::optional<Value> try_loads(std::span<const std::byte> input, bool keep_objects) {
  try {
    return pickle::loads(input, {.keep_objects = keep_objects});
  } catch (const SerializationError&) {
    return std::nullopt;  // a typed error: what bad input must give
  }
}

void expect_round_trip(const Value& value) {
  for (int protocol = 0; protocol <= pickle::kHighestProtocol; ++protocol) {
    diskcache::Bytes dumped;
    diskcache::Bytes key;
    try {
      dumped = pickle::dumps(value, protocol);
      key = pickle::dumps_key(value, protocol);
    } catch (const SerializationError&) {
      // Only ints beyond 4300 digits, written in decimal below protocol 2.
      if (protocol >= 2) __builtin_trap();
      continue;
    }
    if (!(pickle::loads(dumped, {.keep_objects = true}) == value)) __builtin_trap();
    if (!(pickle::loads(key, {.keep_objects = true}) == value)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  const std::optional<Value> plain = try_loads(input, /*keep_objects=*/false);
  const std::optional<Value> kept = try_loads(input, /*keep_objects=*/true);
  if (plain && !(kept && *kept == *plain)) __builtin_trap();
  if (kept) expect_round_trip(*kept);
  return 0;
}
