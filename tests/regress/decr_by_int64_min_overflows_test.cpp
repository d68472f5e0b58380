// decr(key, delta) computed incr(key, -delta): -INT64_MIN is undefined
// behaviour, and in practice INT64_MIN again, so decr by INT64_MIN added
// instead of subtracting. decr of 0 by INT64_MIN returned INT64_MIN (the
// true result, 2^63, does not fit), and decr of -1 by INT64_MIN threw
// although the result, INT64_MAX, fits. A recipe's stored count at
// INT64_MAX (Averager, RLock) was incremented past it the same way.
// Sanitizer builds (-fsanitize=undefined) stop on any signed overflow left
// on these paths.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "diskcache/cache.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/fanout_cache.hpp"
#include "diskcache/recipes.hpp"
#include "diskcache/store.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(DecrByInt64Min, SubtractsWhenTheResultFits) {
  TempDir dir;
  Cache<std::string, std::int64_t> cache(dir.path());
  cache.set("k", -1);
  EXPECT_EQ(cache.decr("k", kMin), kMax);
  EXPECT_EQ(cache.decr("fresh", kMin, -1), kMax);
  EXPECT_EQ(cache.get("fresh"), kMax);
}

TEST(DecrByInt64Min, ThrowsNamingKeyValueAndDeltaWhenTheResultDoesNotFit) {
  TempDir dir;
  Cache<std::string, std::int64_t> cache(dir.path());
  cache.set("k", 0);
  try {
    cache.decr("k", kMin);
    FAIL() << "decr of 0 by INT64_MIN returned instead of throwing";
  } catch (const SerializationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("decr of key 'k'"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(kMin)), std::string::npos) << message;
    EXPECT_NE(message.find("(value 0)"), std::string::npos) << message;
  }
  EXPECT_EQ(cache.get("k"), 0);
  EXPECT_THROW(cache.decr("missing", kMin), SerializationError);
  EXPECT_FALSE(cache.contains("missing"));
}

TEST(DecrByInt64Min, IncrAndDecrStopAtBothEnds) {
  TempDir dir;
  Cache<std::string, std::int64_t> cache(dir.path());
  cache.set("low", kMin);
  cache.set("high", kMax);
  EXPECT_THROW(cache.decr("low", 1), SerializationError);
  EXPECT_THROW(cache.incr("low", kMin), SerializationError);
  EXPECT_THROW(cache.incr("high", 1), SerializationError);
  EXPECT_THROW(cache.decr("high", -1), SerializationError);
  EXPECT_EQ(cache.decr("high", kMax), 0);
  EXPECT_EQ(cache.incr("low", kMax), -1);
}

TEST(DecrByInt64Min, FanoutCacheSubtractsToo) {
  TempDir dir;
  FanoutCache<std::string, std::int64_t> cache(dir.path());
  cache.set("k", -1);
  EXPECT_EQ(cache.decr("k", kMin), kMax);
  cache.set("zero", 0);
  EXPECT_THROW(cache.decr("zero", kMin), SerializationError);
}

// The Averager's stored state as recipes.cpp writes it: (total, count).
struct AverageState {
  double total = 0;
  std::int64_t count = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(total, count);
  }
};

TEST(DecrByInt64Min, AveragerRefusesACountThatWouldOverflow) {
  TempDir dir;
  Cache<std::string, double> cache(dir.path());
  Store(dir.path()).set(Cell::text("latency"), disk::Binary::encode(AverageState{1.0, kMax}), {});
  Averager average(cache, "latency");
  EXPECT_THROW(average.add(2.0), SerializationError);
}

}  // namespace
}  // namespace diskcache
