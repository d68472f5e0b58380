// Eviction: which items each policy removes first, and size_limit keeping
// volume() bounded.
#include <gtest/gtest.h>

#include <set>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

constexpr int kItems = 30;
const std::string kFileValue(40000, 'v');  // file-sized: volume ~ item count

// Fills a cache with items 0..29 without automatic culling, lets `access`
// read some, then lowers size_limit just under the volume and culls: cull()
// removes one batch of 10 by policy. Returns the keys that are gone.
template <class Access>
std::set<int> evicted_by(EvictionPolicy policy, const TempDir& dir, Access&& access) {
  Cache<int, std::string> cache(dir.path(), {.cull_limit = 0, .eviction_policy = policy});
  for (int i = 0; i < kItems; ++i) cache.set(i, kFileValue);
  access(cache);
  cache.reset({.size_limit = cache.volume() - 1});
  cache.cull();
  std::set<int> gone;
  for (int i = 0; i < kItems; ++i) {
    if (!cache.contains(i)) gone.insert(i);
  }
  return gone;
}

std::set<int> range(int first, int last) {
  std::set<int> keys;
  for (int i = first; i < last; ++i) keys.insert(i);
  return keys;
}

TEST(EvictionTest, LeastRecentlyStoredRemovesOldestWrites) {
  TempDir dir;
  auto gone = evicted_by(EvictionPolicy::LeastRecentlyStored, dir, [](auto& cache) {
    for (int i = 0; i < 10; ++i) cache.get(i);  // reads do not matter
  });
  EXPECT_EQ(gone, range(0, 10));
}

TEST(EvictionTest, LeastRecentlyUsedRemovesLongestUnread) {
  TempDir dir;
  auto gone = evicted_by(EvictionPolicy::LeastRecentlyUsed, dir, [](auto& cache) {
    for (int i = 0; i < 10; ++i) cache.get(i);
    for (int i = 20; i < 30; ++i) cache.get(i);
  });
  EXPECT_EQ(gone, range(10, 20));
}

TEST(EvictionTest, LeastFrequentlyUsedRemovesLeastRead) {
  TempDir dir;
  auto gone = evicted_by(EvictionPolicy::LeastFrequentlyUsed, dir, [](auto& cache) {
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 10; ++i) cache.get(i);
    }
    for (int i = 20; i < 30; ++i) cache.get(i);
  });
  EXPECT_EQ(gone, range(10, 20));
}

TEST(EvictionTest, NoneNeverEvicts) {
  TempDir dir;
  auto gone = evicted_by(EvictionPolicy::None, dir, [](auto&) {});
  EXPECT_TRUE(gone.empty());
}

TEST(EvictionTest, CullRemovesExpiredItemsFirst) {
  TempDir dir;
  Cache<int, int> cache(dir.path(), {.cull_limit = 0});
  cache.set(1, 1, {.expire = std::chrono::milliseconds(1)});
  cache.set(2, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(cache.cull(), 1);
  EXPECT_EQ(cache.size(), 1);
  EXPECT_TRUE(cache.contains(2));
}

TEST(EvictionTest, WritesCullExpiredItems) {
  TempDir dir;
  Cache<int, int> cache(dir.path());  // cull_limit 10
  for (int i = 0; i < 5; ++i) cache.set(i, i, {.expire = std::chrono::milliseconds(1)});
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  cache.set(100, 100);
  EXPECT_EQ(cache.size(), 1);
}

// Inside one transaction culling remembers when the next item expires;
// items that expire while the transaction goes on are still culled, also
// those written with an expiry in the same transaction.
TEST(EvictionTest, WritesInOneTransactionCullItemsExpiringMeanwhile) {
  TempDir dir;
  Cache<int, int> cache(dir.path());  // cull_limit 10
  cache.set(0, 0, {.expire = std::chrono::seconds(30)});
  cache.set(1, 1, {.expire = std::chrono::milliseconds(500)});
  auto transaction = cache.transact();
  cache.set(2, 2);  // culls nothing yet: the first expiry is item 1's
  cache.set(3, 3, {.expire = std::chrono::milliseconds(1)});  // earlier still
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  cache.set(4, 4);  // item 3 has expired
  EXPECT_EQ(cache.size(), 4);
  EXPECT_TRUE(cache.contains(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  cache.set(5, 5);             // item 1 has expired
  EXPECT_EQ(cache.size(), 4);  // 0, 2, 4, 5
  transaction.commit();
  EXPECT_FALSE(cache.contains(1));
  EXPECT_FALSE(cache.contains(3));
}

// Inside one transaction the stored size is read once; the value files
// written after it still count toward the size limit.
TEST(EvictionTest, SizeLimitHoldsForFileValuesInOneTransaction) {
  TempDir dir;
  constexpr std::int64_t kLimit = 1 << 20;
  Cache<int, std::string> cache(dir.path(), {.size_limit = kLimit});
  const std::string value(100000, 'x');
  auto transaction = cache.transact();
  for (int i = 0; i < 100; ++i) {  // 10 MB
    cache.set(i, value);
    ASSERT_LE(cache.volume(), 2 * kLimit) << "after item " << i;
  }
  transaction.commit();
  EXPECT_TRUE(cache.check().empty());
}

TEST(EvictionTest, SizeLimitKeepsVolumeBoundedWithFileValues) {
  TempDir dir;
  constexpr std::int64_t kLimit = 1 << 20;
  Cache<int, std::string> cache(dir.path(), {.size_limit = kLimit});
  const std::string value(100000, 'x');
  for (int i = 0; i < 200; ++i) {  // 20 MB
    cache.set(i, value);
    ASSERT_LE(cache.volume(), 2 * kLimit) << "after item " << i;
  }
  EXPECT_TRUE(cache.contains(199));
  EXPECT_FALSE(cache.contains(0));
  EXPECT_TRUE(cache.check().empty());
}

TEST(EvictionTest, SizeLimitKeepsVolumeBoundedWithInlineValues) {
  TempDir dir;
  constexpr std::int64_t kLimit = 1 << 20;
  Cache<int, std::string> cache(dir.path(), {.size_limit = kLimit});
  const std::string value(1000, 'y');
  for (int i = 0; i < 20000; ++i) cache.set(i, value);  // 20 MB
  EXPECT_LE(cache.volume(), 2 * kLimit);
  EXPECT_TRUE(cache.contains(19999));
}

}  // namespace
}  // namespace diskcache
