// What Python diskcache users reach for, as this library spells it: the
// entry forms of pop, pull, peek and peekitem, empty(), get_many, set_many
// and delete_many on Cache, FanoutCache and Index, FanoutCache's named
// options and maintenance retry, Index(directory, mapping) and update.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <future>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/fanout_cache.hpp"
#include "diskcache/index.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// --- Entry forms -------------------------------------------------------------

TEST(EntryFormsTest, PopEntryReturnsTheExpiryAndTagAndRemovesTheItem) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  const auto before = std::chrono::system_clock::now();
  cache.set("k", 7, {.expire = 1h, .tag = "web"});
  const std::optional<Entry<int>> entry = cache.pop_entry("k");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, 7);
  EXPECT_EQ(entry->tag, Value("web"));
  ASSERT_TRUE(entry->expire_time);
  EXPECT_GT(*entry->expire_time, before + 59min);
  EXPECT_LT(*entry->expire_time, before + 61min);
  EXPECT_FALSE(cache.contains("k"));
  EXPECT_FALSE(cache.pop_entry("k"));
}

TEST(EntryFormsTest, PullAndPeekEntriesCarryKeyExpiryAndTag) {
  TempDir dir;
  Cache<> cache(dir.path());
  const Value first = cache.push("a", {}, Side::Back, {.tag = "t1"});
  cache.push("b");
  const auto peeked = cache.peek_entry({}, Side::Back);
  ASSERT_TRUE(peeked);
  EXPECT_EQ(peeked->second.value, Value("b"));
  EXPECT_FALSE(peeked->second.tag);
  EXPECT_FALSE(peeked->second.expire_time);
  const auto pulled = cache.pull_entry();
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled->first, first);
  EXPECT_EQ(pulled->second.value, Value("a"));
  EXPECT_EQ(pulled->second.tag, Value("t1"));
  EXPECT_EQ(cache.size(), 1);
}

TEST(EntryFormsTest, PeekitemEntryReadsTheLastOrFirstItem) {
  TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  cache.set("one", "1", {.tag = "x"});
  cache.set("two", "2", {.expire = 1h});
  const auto last = cache.peekitem_entry();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->first, "two");
  EXPECT_TRUE(last->second.expire_time);
  const auto first = cache.peekitem_entry(/*last=*/false);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->first, "one");
  EXPECT_EQ(first->second.tag, Value("x"));
  EXPECT_EQ(cache.size(), 2);
}

// --- empty() -----------------------------------------------------------------

TEST(EmptyTest, CacheAndFanoutCacheSayWhetherTheyHoldItems) {
  TempDir dir;
  Cache<> cache(dir / "cache");
  FanoutCache<> fanout(dir / "fanout", {.shards = 3});
  EXPECT_TRUE(cache.empty());
  EXPECT_TRUE(fanout.empty());
  cache.set("k", 1);
  fanout.set("k", 1);
  EXPECT_FALSE(cache.empty());
  EXPECT_FALSE(fanout.empty());
  cache.clear();
  fanout.clear();
  EXPECT_TRUE(cache.empty());
  EXPECT_TRUE(fanout.empty());
}

// --- get_many, set_many, delete_many -------------------------------------------

std::map<std::string, std::int64_t> numbered(int count) {
  std::map<std::string, std::int64_t> items;
  for (int i = 0; i < count; ++i) items.emplace("key-" + std::to_string(i), i);
  return items;
}

TEST(BulkTest, CacheStoresReadsAndRemovesManyItems) {
  TempDir dir;
  Cache<std::string, std::int64_t> cache(dir.path());
  EXPECT_EQ(cache.set_many(numbered(2500), {.tag = "bulk"}), 2500u);
  EXPECT_EQ(cache.size(), 2500);
  EXPECT_EQ(cache.get_entry("key-1999")->tag, Value("bulk"));

  const std::vector<std::string> wanted{"key-7", "missing", "key-2499", "key-7"};
  const std::vector<std::optional<std::int64_t>> values = cache.get_many(wanted);
  EXPECT_EQ(values, (std::vector<std::optional<std::int64_t>>{7, std::nullopt, 2499, 7}));
  EXPECT_EQ(cache.get_many({"key-1", "nope"}),
            (std::vector<std::optional<std::int64_t>>{1, std::nullopt}));

  EXPECT_EQ(cache.delete_many({"key-1", "key-2", "missing"}), 2u);
  std::vector<std::string> rest;
  for (int i = 3; i < 2500; ++i) rest.push_back("key-" + std::to_string(i));
  rest.push_back("key-0");
  EXPECT_EQ(cache.delete_many(rest), 2498u);
  EXPECT_TRUE(cache.empty());
}

TEST(BulkTest, ALaterPairReplacesAnEarlierOneWithTheSameKey) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  cache.set_many({{"a", 1}, {"b", 2}, {"a", 3}});
  EXPECT_EQ(cache.at("a"), 3);
  EXPECT_EQ(cache.size(), 2);
}

TEST(BulkTest, AFailingItemRollsBackItsChunkAndKeepsTheChunksBefore) {
  TempDir dir;
  Cache<std::string, double> cache(dir.path());
  std::vector<std::pair<std::string, double>> items;
  for (int i = 0; i < 1500; ++i) items.emplace_back("k" + std::to_string(i), i);
  items[1200].second = std::nan("");  // refused: SQLite would store NULL
  EXPECT_THROW(cache.set_many(items), SerializationError);
  EXPECT_EQ(cache.size(), 1000);  // the first chunk committed, the second rolled back
  EXPECT_TRUE(cache.contains("k999"));
  EXPECT_FALSE(cache.contains("k1000"));
  EXPECT_FALSE(cache.contains("k1199"));
}

TEST(BulkTest, InsideATransactionTheWholeCallIsAtomic) {
  TempDir dir;
  Cache<std::string, double> cache(dir.path());
  std::vector<std::pair<std::string, double>> items;
  for (int i = 0; i < 1500; ++i) items.emplace_back("k" + std::to_string(i), i);
  items[1200].second = std::nan("");
  try {
    auto transaction = cache.transact();
    cache.set_many(items);
  } catch (const SerializationError&) {
  }
  EXPECT_TRUE(cache.empty());
}

// Holds the write lock of `cache`'s directory on another thread for its
// lifetime.
class WriterOnAnotherThread {
 public:
  template <class Container>
  explicit WriterOnAnotherThread(Container& cache) {
    std::promise<void> taken;
    std::future<void> taken_future = taken.get_future();
    thread_ = std::thread([&cache, taken = std::move(taken), this]() mutable {
      auto transaction = cache.transact();
      taken.set_value();
      release_.get_future().wait();
    });
    taken_future.wait();
  }
  WriterOnAnotherThread(const WriterOnAnotherThread&) = delete;
  WriterOnAnotherThread& operator=(const WriterOnAnotherThread&) = delete;
  ~WriterOnAnotherThread() {
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> release_;
  std::thread thread_;
};

TEST(BulkTest, GetManyTakesTheLockOnlyWhereReadsWrite) {
  TempDir dir;
  Cache<std::string, int> plain(dir / "plain", {.timeout = 100ms});
  Cache<std::string, int> counted(dir / "counted", {.statistics = true, .timeout = 100ms});
  plain.set_many({{"a", 1}, {"b", 2}});
  counted.set_many({{"a", 1}});
  {
    WriterOnAnotherThread writer(plain);
    EXPECT_EQ(plain.get_many({"a", "b"}), (std::vector<std::optional<int>>{1, 2}));
  }
  {
    WriterOnAnotherThread writer(counted);  // a counted read writes: it waits, then gives up
    EXPECT_THROW(counted.get_many({"a"}), Timeout);
  }
  EXPECT_EQ(counted.get_many({"a"}), (std::vector<std::optional<int>>{1}));
}

TEST(BulkTest, FanoutCacheKeepsTheKeysOrderAcrossShards) {
  TempDir dir;
  FanoutCache<std::string, std::int64_t> cache(dir.path(), {.shards = 4});
  EXPECT_EQ(cache.set_many(numbered(300)), 300u);
  std::vector<std::string> wanted;
  std::vector<std::optional<std::int64_t>> expected;
  for (int i = 299; i >= 0; i -= 7) {
    wanted.push_back("key-" + std::to_string(i));
    expected.emplace_back(i);
    wanted.push_back("absent-" + std::to_string(i));
    expected.emplace_back(std::nullopt);
  }
  EXPECT_EQ(cache.get_many(wanted), expected);
  for (FanoutCache<std::string, std::int64_t>::shard_type& shard : cache.shards()) {
    EXPECT_GT(shard.size(), 0);  // spread over every shard
  }
  EXPECT_EQ(cache.delete_many(wanted), 43u);
  EXPECT_EQ(cache.size(), 300 - 43);
}

TEST(BulkTest, IndexStoresReadsAndRemovesManyItems) {
  TempDir dir;
  Index<std::string, std::int64_t> index(dir.path());
  EXPECT_EQ(index.set_many(numbered(10)), 10u);
  EXPECT_EQ(index.get_many({"key-3", "x"}),
            (std::vector<std::optional<std::int64_t>>{3, std::nullopt}));
  EXPECT_EQ(index.delete_many({"key-3", "key-4"}), 2u);
  EXPECT_EQ(index.size(), 8);
}

// --- FanoutCache options and maintenance retry ---------------------------------

TEST(FanoutOptionsTest, NamedOptionsChooseShardsTimeoutAndSettings) {
  TempDir dir;
  FanoutCache<> cache(dir.path(),
                      {.shards = 3, .timeout = 50ms, .settings = {.size_limit = 3 << 20}});
  EXPECT_EQ(cache.shard_count(), 3u);
  EXPECT_EQ(cache.settings().size_limit, 3 << 20);
  EXPECT_EQ(cache.shards().front().settings().size_limit, 1 << 20);
  EXPECT_EQ(cache.settings().timeout.value(), 50ms);
}

TEST(FanoutOptionsTest, MaintenanceWithoutRetryStillFinishesEveryShard) {
  TempDir dir;
  FanoutCache<std::string, int> cache(dir.path(), {.shards = 4});
  for (int i = 0; i < 40; ++i)
    cache.set("k" + std::to_string(i), i, {.tag = i % 2 ? "odd" : "even"});
  EXPECT_EQ(cache.evict("odd", /*retry=*/false), 20);
  EXPECT_EQ(cache.expire(/*retry=*/false), 0);
  EXPECT_EQ(cache.cull(/*retry=*/false), 0);
  EXPECT_EQ(cache.clear(/*retry=*/false), 20);
  EXPECT_TRUE(cache.empty());
}

// --- expire(now), for key in cache, reversed(cache) ---------------------------------

TEST(ExpireNowTest, ExpiringAsOfALaterTimeRemovesWhatWillHaveExpiredBy) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  cache.set("minute", 1, {.expire = 1min});
  cache.set("hour", 2, {.expire = 1h});
  cache.set("never", 3);
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(cache.expire(now), 0);
  EXPECT_EQ(cache.expire(now + 2min), 1);
  EXPECT_FALSE(cache.contains("minute"));
  EXPECT_EQ(cache.expire(now + 24h, /*retry=*/true), 1);
  EXPECT_EQ(cache.size(), 1);
  EXPECT_EQ(cache.at("never"), 3);
}

TEST(ExpireNowTest, AFanoutCacheExpiresAsOfALaterTimeInEveryShard) {
  TempDir dir;
  FanoutCache<int, int> cache(dir.path(), FanoutOptions{.shards = 4});
  for (int key = 0; key < 40; ++key) {
    cache.set(key, key, {.expire = key % 2 == 0 ? std::chrono::duration<double>(1min) : 1h});
  }
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(cache.expire(now), 0);
  EXPECT_EQ(cache.expire(now + 2min), 20);
  EXPECT_EQ(cache.size(), 20);
  EXPECT_FALSE(cache.contains(0));
  EXPECT_EQ(cache.expire(now + 24h, /*retry=*/false), 20);
  EXPECT_TRUE(cache.empty());
}

TEST(IterateTest, ACacheAndAnIndexAreRangesOfTheirKeys) {
  TempDir dir;
  Cache<std::string, int> cache(dir / "cache");
  for (const char* key : {"b", "a", "c"}) cache.set(key, 1);
  std::vector<std::string> keys;
  for (const std::string& key : cache) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(testing::collect(cache.keys(/*reverse=*/true)),
            (std::vector<std::string>{"c", "a", "b"}));
  std::vector<std::pair<std::string, int>> newest_first;
  for (const auto& item : cache.items(/*reverse=*/true)) newest_first.push_back(item);
  EXPECT_EQ(newest_first.front().first, "c");

  Index<std::string, int> index(dir / "index", std::map<std::string, int>{{"x", 1}, {"y", 2}});
  std::vector<std::string> index_keys;
  for (const std::string& key : index) index_keys.push_back(key);
  EXPECT_EQ(index_keys, (std::vector<std::string>{"x", "y"}));
  static_assert(std::input_iterator<Cache<std::string, int>::iterator>);
}

// --- Index(directory, mapping) and update ----------------------------------------

TEST(IndexMappingTest, ConstructingFromAMappingStoresItInOrder) {
  TempDir dir;
  const std::vector<std::pair<std::string, int>> pairs{{"b", 2}, {"a", 1}, {"c", 3}};
  Index<std::string, int> index(dir.path(), pairs);
  EXPECT_EQ(testing::collect(index.keys()), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(index.cache().settings().eviction_policy, EvictionPolicy::None);
}

TEST(IndexMappingTest, UpdateReplacesAndAdds) {
  TempDir dir;
  Index<std::string, int> index(dir.path(), std::map<std::string, int>{{"a", 1}, {"b", 2}});
  index.update({{"b", 20}, {"c", 30}});
  index.update(std::map<std::string, int>{{"d", 40}});
  EXPECT_EQ(index.at("a"), 1);
  EXPECT_EQ(index.at("b"), 20);
  EXPECT_EQ(index.at("c"), 30);
  EXPECT_EQ(index.at("d"), 40);
  EXPECT_EQ(testing::collect(index.keys()), (std::vector<std::string>{"a", "b", "c", "d"}));
}

}  // namespace
}  // namespace diskcache
