// One test body for the typed containers, run over every disk policy: what a
// user relies on from Cache, Index and Deque (set, get, pop, items in
// insertion order, a value large enough for a value file, expiry, eviction)
// must not depend on how keys and values are serialized.
#include <gtest/gtest.h>

#include <boost/serialization/string.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/boost.hpp"
#include "diskcache/disk/json.hpp"
#include "diskcache/disk/raw.hpp"
#include "diskcache/index.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

template <class Disk>
class ContainerConformanceTest : public ::testing::Test {
 protected:
  using StringCache = Cache<std::string, std::string, Disk>;

  TempDir temp_;
};

struct PolicyNames {
  template <class Disk>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<Disk, disk::Auto>) return "Auto";
    if constexpr (std::is_same_v<Disk, disk::Raw>) return "Raw";
    if constexpr (std::is_same_v<Disk, disk::Binary>) return "Binary";
    if constexpr (std::is_same_v<Disk, disk::Json>) return "Json";
    if constexpr (std::is_same_v<Disk, disk::Boost>) return "Boost";
    return "Other";
  }
};

using Policies = ::testing::Types<disk::Auto, disk::Raw, disk::Binary, disk::Json, disk::Boost>;
TYPED_TEST_SUITE(ContainerConformanceTest, Policies, PolicyNames);

// A value past the default disk_min_file_size (32 KiB): stored in a value file.
std::string file_sized_value() {
  std::string value(100 * 1024, '\0');
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + i % 26);
  return value;
}

TYPED_TEST(ContainerConformanceTest, SetGetReplaceAndErase) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  EXPECT_EQ(cache.get("missing"), std::nullopt);
  cache.set("k", "one");
  cache.set("k", "two");
  EXPECT_EQ(cache.get("k"), "two");
  EXPECT_TRUE(cache.contains("k"));
  EXPECT_EQ(cache.size(), 1);
  EXPECT_TRUE(cache.erase("k"));
  EXPECT_FALSE(cache.erase("k"));
  EXPECT_EQ(cache.get("k"), std::nullopt);
  EXPECT_THROW(cache.at("k"), KeyError);
}

TYPED_TEST(ContainerConformanceTest, AddStoresOnlyWhenAbsent) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  EXPECT_TRUE(cache.add("k", "first"));
  EXPECT_FALSE(cache.add("k", "second"));
  EXPECT_EQ(cache.at("k"), "first");
}

TYPED_TEST(ContainerConformanceTest, PopReturnsTheValueOnceAndRemovesIt) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  cache.set("k", "v");
  EXPECT_EQ(cache.pop("k"), "v");
  EXPECT_EQ(cache.pop("k"), std::nullopt);
  EXPECT_FALSE(cache.contains("k"));
}

TYPED_TEST(ContainerConformanceTest, ItemsFollowInsertionOrder) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  const std::vector<std::pair<std::string, std::string>> stored = {
      {"zebra", "1"}, {"apple", "2"}, {"mango", "3"}};
  for (const auto& [key, value] : stored) cache.set(key, value);
  cache.set("zebra", "replaced");  // keeps its place
  std::vector<std::pair<std::string, std::string>> expected = stored;
  expected[0].second = "replaced";
  EXPECT_EQ(testing::collect(cache.items()), expected);
}

TYPED_TEST(ContainerConformanceTest, FileSizedValueRoundTripsAndItsFileGoesWithIt) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  const std::string big = file_sized_value();
  cache.set("big", big);
  ASSERT_FALSE(testing::only_value_file(cache.directory()).empty());
  EXPECT_EQ(cache.get("big"), big);
  EXPECT_EQ(cache.pop("big"), big);
  EXPECT_TRUE(testing::only_value_file(cache.directory()).empty());
}

TYPED_TEST(ContainerConformanceTest, ExpiredItemsReadAsMissing) {
  typename TestFixture::StringCache cache(this->temp_ / "cache");
  cache.set("short", "v", {.expire = 50ms});
  cache.set("long", "v", {.expire = 1h});
  std::this_thread::sleep_for(120ms);
  EXPECT_EQ(cache.get("short"), std::nullopt);
  EXPECT_EQ(cache.get("long"), "v");
  EXPECT_EQ(cache.expire(), 1);
}

TYPED_TEST(ContainerConformanceTest, EvictionKeepsTheCacheNearItsSizeLimit) {
  typename TestFixture::StringCache cache(this->temp_ / "cache",
                                          Settings{.size_limit = 256 * 1024, .cull_limit = 10});
  const std::string big = file_sized_value();
  for (int i = 0; i < 20; ++i) cache.set("key" + std::to_string(i), big);
  // 20 values of 100 KiB were stored under a 256 KiB limit: the oldest went.
  EXPECT_LT(cache.size(), 20);
  EXPECT_FALSE(cache.contains("key0"));
  EXPECT_EQ(cache.get("key19"), big);
}

TYPED_TEST(ContainerConformanceTest, IndexKeepsEveryItemInOrder) {
  Index<std::string, std::string, TypeParam> index(this->temp_ / "index");
  index.set("b", "2");
  index.set("a", "1");
  EXPECT_EQ(index.at("b"), "2");
  EXPECT_EQ(testing::collect(index.keys()), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(index.pop("b"), "2");
  EXPECT_EQ(index.size(), 1);
}

TYPED_TEST(ContainerConformanceTest, DequeDeliversEachItemOnceInOrder) {
  Deque<std::string, TypeParam> deque(this->temp_ / "deque");
  deque.push_back("first");
  deque.push_back(file_sized_value());
  deque.push_front("zeroth");
  EXPECT_EQ(deque.size(), 3);
  EXPECT_EQ(deque.pop_front(), "zeroth");
  EXPECT_EQ(deque.pop_front(), "first");
  EXPECT_EQ(deque.pop_back(), file_sized_value());
  EXPECT_EQ(deque.pop_front(), std::nullopt);
}

}  // namespace
}  // namespace diskcache
