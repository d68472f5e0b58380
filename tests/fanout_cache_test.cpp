// FanoutCache: keys sharded as Python shards them, the Cache API fanned out,
// Python's timeout semantics, transactions, sub-containers, memoize, and
// several writer processes.
#include "diskcache/fanout_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace diskcache {

void PrintTo(const Value& value, std::ostream* out) { *out << value.repr(); }

namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// tests/python/fanout.py ITEMS: every raw key kind, and enough string keys
// to reach every shard.
std::vector<std::pair<Value, Value>> fanout_items() {
  std::vector<std::pair<Value, Value>> items = {
      {0, "zero"},
      {1, 1},
      {-1, -1.5},
      {kInt64Max, "max"},
      {kInt64Min, "min"},
      {std::int64_t{0xFFFFFFFF}, to_bytes(std::string("\0\x01", 2))},
      {1.5, "one and a half"},
      {-2.25, 7},
      {"", "empty"},
      {"abc", 38600999},
      {"héllo ✓", "unicode"},
      {Bytes{}, Bytes{}},
      {to_bytes(std::string("\0\xff", 2)), "bytes key"},
  };
  for (int number = 0; number < 200; ++number) {
    items.emplace_back("key-" + std::to_string(number), number);
  }
  return items;
}

int python_fanout(const std::string& command, const TempDir& dir, std::size_t shards) {
  return testing::run_python("fanout.py",
                             command + " '" + dir.path().string() + "' " + std::to_string(shards));
}

// Runs `hold(release)` on another thread, which must take a lock and then
// wait for `release`; returns once the lock is taken. The destructor
// releases and joins.
class LockHolder {
 public:
  template <class Hold>
  explicit LockHolder(Hold hold) {
    std::promise<void> taken;
    std::future<void> taken_future = taken.get_future();
    thread_ = std::thread([this, hold, taken = std::move(taken)]() mutable {
      hold([&] { taken.set_value(); }, release_.get_future());
    });
    taken_future.get();
  }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;
  ~LockHolder() {
    release();
    thread_.join();
  }
  void release() {
    if (!released_.exchange(true)) release_.set_value();
  }

 private:
  std::promise<void> release_;
  std::atomic<bool> released_{false};
  std::thread thread_;
};

// ---------------------------------------------------------------------------
// Sharding

// Reference values from Python: diskcache.core.Disk(dir).hash(key).
TEST(FanoutCacheTest, PortableHashEqualsPythonsDiskHash) {
  using detail::portable_hash;
  EXPECT_EQ(portable_hash(Cell::text("abc")), 38600999u);
  EXPECT_EQ(portable_hash(Cell::text("")), 1u);
  EXPECT_EQ(portable_hash(Cell::text("héllo ✓")), 483722573u);
  EXPECT_EQ(portable_hash(Cell::blob(std::string("\0\xff", 2))), 16843008u);
  EXPECT_EQ(portable_hash(Cell::integer(0)), 0u);
  EXPECT_EQ(portable_hash(Cell::integer(1)), 1u);
  EXPECT_EQ(portable_hash(Cell::integer(-1)), 4294967294u);
  EXPECT_EQ(portable_hash(Cell::integer(kInt64Max)), 2147483647u);
  EXPECT_EQ(portable_hash(Cell::integer(kInt64Min)), 2147483647u);
  EXPECT_EQ(portable_hash(Cell::integer(0xFFFFFFFF)), 0u);
  EXPECT_EQ(portable_hash(Cell::real(1.5)), 147325240u);
  EXPECT_EQ(portable_hash(Cell::real(2.0)), 34078785u);
}

TEST(FanoutCacheTest, KeysLiveInTheShardPythonChooses) {
  TempDir dir;
  FanoutCache<> cache(dir.path());
  EXPECT_EQ(cache.shard_count(), 8u);
  ASSERT_TRUE(cache.set("abc", 1));  // hash 38600999 % 8 == 7
  ASSERT_TRUE(cache.set(-1, 2));     // hash 4294967294 % 8 == 6
  EXPECT_EQ(Cache<>(dir / "007").at("abc"), Value(1));
  EXPECT_EQ(Cache<>(dir / "006").at(-1), Value(2));
  EXPECT_EQ(Cache<>(dir / "000").size(), 0);
  EXPECT_EQ(cache.shard("abc").directory(), dir / "007");
}

TEST(FanoutCacheTest, NoShardsIsAnError) {
  TempDir dir;
  EXPECT_THROW(FanoutCache<>(dir.path(), 0), Error);
}

TEST(FanoutCacheTest, EmptyPathMakesATemporaryDirectory) {
  FanoutCache<std::string, int> cache;
  ASSERT_TRUE(cache.set("k", 1));
  EXPECT_TRUE(std::filesystem::exists(cache.directory() / "000" / "cache.db"));
  EXPECT_EQ(cache.at("k"), 1);
  std::filesystem::remove_all(cache.directory());
}

// ---------------------------------------------------------------------------
// The Cache API, fanned out

TEST(FanoutCacheTest, PerKeyCallsWorkAcrossShards) {
  TempDir dir;
  FanoutCache<std::string, std::int64_t> cache(dir.path(), 4);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(cache.set("k" + std::to_string(i), i));
  for (int i = 0; i < 40; ++i) EXPECT_EQ(cache.at("k" + std::to_string(i)), i);
  for (std::size_t number = 0; number < 4; ++number) {
    EXPECT_GT(Cache<>(dir / ("00" + std::to_string(number))).size(), 0);
  }
  EXPECT_EQ(cache.size(), 40);

  EXPECT_FALSE(cache.add("k1", 100));
  EXPECT_TRUE(cache.add("new", 5));
  EXPECT_TRUE(cache.contains("new"));
  EXPECT_EQ(cache.get("missing"), std::nullopt);
  EXPECT_EQ(cache.incr("counter"), 1);
  EXPECT_EQ(cache.incr("counter", 10), 11);
  EXPECT_EQ(cache.decr("counter", 2), 9);
  EXPECT_THROW(cache.incr("absent", 1, std::nullopt), KeyError);
  EXPECT_EQ(cache.pop("k2"), 2);
  EXPECT_EQ(cache.pop("k2"), std::nullopt);
  EXPECT_TRUE(cache.erase("k3"));
  EXPECT_FALSE(cache.erase("k3"));
  EXPECT_THROW(cache.at("k3"), KeyError);

  cache["assigned"] = 42;
  EXPECT_EQ(static_cast<std::int64_t>(cache["assigned"]), 42);

  ASSERT_TRUE(cache.set("tagged", 1, {.expire = 1h, .tag = "t"}));
  std::optional<Entry<std::int64_t>> entry = cache.get_entry("tagged");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->tag, Value("t"));
  EXPECT_TRUE(entry->expire_time);
  EXPECT_TRUE(cache.touch("tagged"));
  EXPECT_FALSE(cache.get_entry("tagged")->expire_time);
  EXPECT_TRUE(cache.check().empty());
}

TEST(FanoutCacheTest, StreamsGoToTheKeysShard) {
  TempDir dir;
  FanoutCache<std::string, Bytes> cache(dir.path());
  std::istringstream in(std::string(100'000, 'x'));
  ASSERT_TRUE(cache.set_stream("video", in));
  std::optional<std::ifstream> file = cache.read("video");
  ASSERT_TRUE(file);
  std::stringstream contents;
  contents << file->rdbuf();
  EXPECT_EQ(contents.str(), std::string(100'000, 'x'));
  EXPECT_FALSE(cache.read("missing").has_value());
  EXPECT_TRUE(cache.shard("video").contains("video"));
  std::istringstream other("other");
  EXPECT_FALSE(cache.add_stream("video", other));
  EXPECT_EQ(cache.get("video")->size(), 100'000u);
}

TEST(FanoutCacheTest, RemovalsAddUpOverShards) {
  TempDir dir;
  // No culling on writes, so expire() finds every expired item.
  FanoutCache<std::string, int> cache(dir.path(), 8, 10ms, {.cull_limit = 0});
  for (int i = 0; i < 30; ++i) {
    cache.set("old" + std::to_string(i), i, {.expire = 1ms});
    cache.set("tag" + std::to_string(i), i, {.tag = "batch"});
    cache.set("keep" + std::to_string(i), i);
  }
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(cache.expire(), 30);
  EXPECT_EQ(cache.evict("batch"), 30);
  EXPECT_EQ(cache.cull(), 0);
  EXPECT_EQ(cache.size(), 30);
  EXPECT_GT(cache.volume(), 0);
  EXPECT_EQ(cache.clear(), 30);
  EXPECT_EQ(cache.size(), 0);
}

TEST(FanoutCacheTest, StatsAddUpOverShards) {
  TempDir dir;
  FanoutCache<std::string, int> cache(dir.path(), 8, 10ms, {.statistics = true});
  for (int i = 0; i < 16; ++i) cache.set("k" + std::to_string(i), i);
  for (int i = 0; i < 16; ++i) cache.get("k" + std::to_string(i));
  for (int i = 0; i < 5; ++i) cache.get("missing" + std::to_string(i));
  EXPECT_EQ(cache.stats(), (Stats{16, 5}));
  cache.stats(true, /*reset=*/true);
  EXPECT_EQ(cache.stats(), (Stats{0, 0}));
}

TEST(FanoutCacheTest, SizeLimitIsSplitBetweenShards) {
  TempDir dir;
  {
    FanoutCache<> cache(dir.path(), 4, 10ms, {.size_limit = 4'000'000, .cull_limit = 3});
    EXPECT_EQ(cache.settings().size_limit, 4'000'000);
    EXPECT_EQ(cache.settings().cull_limit, 3);
    EXPECT_EQ(cache.settings().timeout, 10ms);
  }
  EXPECT_EQ(Cache<>(dir / "002").settings().size_limit, 1'000'000);
  FanoutCache<> reopened(dir.path(), 4);  // keeps the stored limits
  EXPECT_EQ(reopened.settings().size_limit, 4'000'000);
  reopened.reset({.size_limit = 8'000'000, .timeout = 50ms});
  EXPECT_EQ(Cache<>(dir / "003").settings().size_limit, 2'000'000);
  EXPECT_EQ(reopened.settings().timeout, 50ms);

  TempDir fresh;
  FanoutCache<> by_default(fresh.path());
  EXPECT_EQ(Cache<>(fresh / "000").settings().size_limit, (1LL << 30) / 8);
  EXPECT_EQ(by_default.settings().size_limit, 1LL << 30);
}

TEST(FanoutCacheTest, CreatesAndDropsTheTagIndexOnEveryShard) {
  TempDir dir;
  FanoutCache<> cache(dir.path(), 3);
  cache.create_tag_index();
  EXPECT_TRUE(Cache<>(dir / "001").settings().tag_index);
  cache.drop_tag_index();
  EXPECT_FALSE(Cache<>(dir / "002").settings().tag_index);
}

// ---------------------------------------------------------------------------
// Timeouts: Python's retry=False path

class FanoutTimeoutTest : public ::testing::Test {
 protected:
  FanoutTimeoutTest() : cache_(dir_.path(), 8, 10ms, {.statistics = true}) {
    cache_.set("busy", 1);
    cache_.set("stream", 2);
  }

  // Holds the write lock of the shard of "busy" on another thread until
  // release(), and `linger` longer.
  LockHolder hold_shard(std::chrono::milliseconds linger = 0ms) {
    return LockHolder([this, linger](auto taken, std::future<void> release) {
      auto transaction = cache_.transact("busy");
      taken();
      release.wait();
      std::this_thread::sleep_for(linger);
    });
  }

  TempDir dir_;
  FanoutCache<std::string, std::int64_t> cache_;
};

TEST_F(FanoutTimeoutTest, WritesReturnFalseAndReadsMissWhileTheShardIsLocked) {
  LockHolder holder = hold_shard();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(cache_.set("busy", 2));
  EXPECT_FALSE(cache_.add("busy", 2));
  EXPECT_EQ(cache_.incr("busy"), std::nullopt);
  EXPECT_FALSE(cache_.erase("busy"));
  EXPECT_EQ(cache_.pop("busy"), std::nullopt);
  EXPECT_FALSE(cache_.touch("busy", 1h));
  EXPECT_EQ(cache_.get("busy"), std::nullopt);  // statistics: a read takes the lock
  EXPECT_EQ(cache_.get_entry("busy"), std::nullopt);
  // Well under the 60 s a Cache waits by default.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  // The shard itself throws, as a Cache does.
  EXPECT_THROW(cache_.shard("busy").set("busy", 3), Timeout);

  holder.release();
  EXPECT_EQ(cache_.at("busy"), 1);  // nothing above changed it
}

TEST_F(FanoutTimeoutTest, RetryWaitsForTheLock) {
  LockHolder holder = hold_shard(100ms);
  holder.release();  // the lock is still held for 100 ms
  EXPECT_TRUE(cache_.set("busy", 5, {.retry = true}));
  EXPECT_EQ(cache_.incr("busy", 1, 0, /*retry=*/true), 6);
  EXPECT_EQ(cache_.get("busy", {.retry = true}), 6);
}

TEST_F(FanoutTimeoutTest, MaintenanceCallsFinishDespiteALockedShard) {
  LockHolder holder = hold_shard(100ms);
  holder.release();
  EXPECT_EQ(cache_.clear(), 2);
  EXPECT_TRUE(cache_.check().empty());
}

TEST_F(FanoutTimeoutTest, MaintenanceWithoutRetryStillFinishesTheLockedShard) {
  LockHolder holder = hold_shard(100ms);
  holder.release();  // still held for 100 ms: tries of 10 ms each time out meanwhile
  EXPECT_EQ(cache_.clear(/*retry=*/false), 2);
  EXPECT_TRUE(cache_.empty());
}

TEST_F(FanoutTimeoutTest, BulkCallsLeaveALockedShardsKeysAndCountOnlyWhatTheyDid) {
  std::vector<std::pair<std::string, std::int64_t>> items;
  std::vector<std::string> keys;
  std::int64_t in_busy_shard = 0;
  for (std::int64_t i = 0; i < 40; ++i) {
    keys.push_back("k" + std::to_string(i));
    items.emplace_back(keys.back(), i);
    if (&cache_.shard(keys.back()) == &cache_.shard("busy")) ++in_busy_shard;
  }
  ASSERT_GT(in_busy_shard, 0);
  const auto elsewhere = static_cast<std::size_t>(40 - in_busy_shard);
  {
    LockHolder holder = hold_shard();
    EXPECT_EQ(cache_.set_many(items), elsewhere);
    const std::vector<std::optional<std::int64_t>> values = cache_.get_many(keys);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const bool busy = &cache_.shard(keys[i]) == &cache_.shard("busy");
      // statistics are on, so reads take the lock: the busy shard's keys miss
      EXPECT_EQ(values[i], busy ? std::nullopt : std::optional<std::int64_t>(i)) << keys[i];
    }
    EXPECT_EQ(cache_.delete_many(keys), elsewhere);
  }
  for (const std::string& key : keys) EXPECT_FALSE(cache_.contains(key)) << key;
  EXPECT_EQ(cache_.at("busy"), 1);
}

// ---------------------------------------------------------------------------
// Transactions

TEST(FanoutCacheTest, TransactHoldsEveryShard) {
  TempDir dir;
  FanoutCache<std::string, int> cache(dir.path(), 4);
  {
    LockHolder holder([&](auto taken, std::future<void> release) {
      auto transaction = cache.transact();
      cache.set("a", 1);
      cache.set("b", 2);
      taken();
      release.wait();
    });
    // Another thread can write no shard meanwhile.
    for (int i = 0; i < 8; ++i) EXPECT_FALSE(cache.set("k" + std::to_string(i), i));
    EXPECT_FALSE(cache.contains("a"));  // not committed yet
  }
  EXPECT_EQ(cache.at("a"), 1);
  EXPECT_EQ(cache.at("b"), 2);
}

TEST(FanoutCacheTest, TransactRollsBackEveryShardOnException) {
  TempDir dir;
  FanoutCache<std::string, int> cache(dir.path());
  try {
    auto transaction = cache.transact();
    for (int i = 0; i < 16; ++i) cache.set("k" + std::to_string(i), i);
    throw std::runtime_error("abandon");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(cache.size(), 0);
  {
    auto transaction = cache.transact();
    for (int i = 0; i < 16; ++i) cache.set("k" + std::to_string(i), i);
    transaction.rollback();
    EXPECT_FALSE(transaction.active());
  }
  EXPECT_EQ(cache.size(), 0);
  {
    auto transaction = cache.transact();
    for (int i = 0; i < 16; ++i) cache.set("k" + std::to_string(i), i);
  }
  EXPECT_EQ(cache.size(), 16);
}

TEST(FanoutCacheTest, TransactOnAKeyLocksOnlyItsShard) {
  TempDir dir;
  FanoutCache<std::string, int> cache(dir.path());
  LockHolder holder([&](auto taken, std::future<void> release) {
    auto transaction = cache.transact("abc");  // shard 7
    cache.set("abc", cache.get("abc").value_or(0) + 1);
    taken();
    release.wait();
  });
  EXPECT_FALSE(cache.set("abc", 5));
  EXPECT_TRUE(cache.set("key-1", 5));  // shard 0
  EXPECT_NE(&cache.shard("key-1"), &cache.shard("abc"));
  holder.release();
}

// ---------------------------------------------------------------------------
// Sub-containers and memoize

TEST(FanoutCacheTest, SubContainersLiveWherePythonPutsThem) {
  TempDir dir;
  FanoutCache<std::string, std::string> cache(dir.path());
  auto users = cache.cache("users");
  users.set("alice", "admin");
  EXPECT_EQ(users.directory(), dir / "cache" / "users");
  EXPECT_EQ((Cache<std::string, std::string>(dir / "cache" / "users").at("alice")), "admin");

  auto scores = cache.cache<std::string, double>("games/chess");
  scores.set("bob", 1500.5);
  EXPECT_EQ(scores.directory(), dir / "cache" / "games" / "chess");

  auto jobs = cache.deque("jobs");
  jobs.push_back("first");
  EXPECT_EQ(jobs.directory(), dir / "deque" / "jobs");
  EXPECT_EQ(Deque<std::string>(dir / "deque" / "jobs").pop_front(), "first");

  auto accounts = cache.index<std::int64_t, std::string>("accounts");
  accounts.set(7, "carol");
  EXPECT_EQ(accounts.directory(), dir / "index" / "accounts");
  EXPECT_EQ((Index<std::int64_t, std::string>(dir / "index" / "accounts").at(7)), "carol");
  EXPECT_EQ(accounts.cache().settings().eviction_policy, EvictionPolicy::None);
  EXPECT_EQ(cache.size(), 0);  // none of it is in the shards
}

TEST(FanoutCacheTest, KeysAndItemsWalkEveryShard) {
  TempDir dir;
  FanoutCache<std::int64_t, std::int64_t> cache(dir.path(), 4);
  std::set<std::int64_t> stored;
  for (std::int64_t key = 0; key < 300; ++key) {
    ASSERT_TRUE(cache.set(key, key * key));
    stored.insert(key);
  }
  auto key_range = cache.keys();
  std::vector<std::int64_t> keys(key_range.begin(), key_range.end());
  EXPECT_EQ(keys.size(), stored.size());  // each key once
  EXPECT_EQ(std::set<std::int64_t>(keys.begin(), keys.end()), stored);
  std::size_t items = 0;
  for (const auto& [key, value] : cache.items()) {
    EXPECT_EQ(value, key * key);
    ++items;
  }
  EXPECT_EQ(items, stored.size());
  // Shard after shard, each in insertion order.
  std::vector<std::int64_t> expected;
  for (std::size_t shard = 0; shard < 4; ++shard) {
    for (std::int64_t key = 0; key < 300; ++key) {
      if (&cache.shard(key) == &cache.shards()[shard]) expected.push_back(key);
    }
  }
  EXPECT_EQ(keys, expected);
  FanoutCache<std::int64_t, std::int64_t> empty(dir.path() / "empty", 3);
  EXPECT_TRUE(empty.keys().begin() == empty.keys().end());
}

TEST(FanoutCacheTest, KeysSkipWhatTheirTypeCannotHoldInEveryShardAndReportIt) {
  TempDir dir;
  FanoutCache<> mixed(dir.path(), 4);
  for (std::int64_t key = 0; key < 20; ++key) {
    ASSERT_TRUE(mixed.set(key, key));                        // not a std::string key
    ASSERT_TRUE(mixed.set("k" + std::to_string(key), key));  // a std::string key
  }
  FanoutCache<std::string, std::int64_t> strings(dir.path(), 4);
  std::vector<std::string> reported;
  auto keys = strings.keys();
  keys.on_undecodable(
      [&](const Cell& key, const SerializationError&) { reported.push_back(key.repr()); });
  EXPECT_EQ(testing::collect(keys).size(), 20u);
  EXPECT_EQ(keys.skipped(), 20);
  EXPECT_EQ(reported.size(), 20u);
  std::set<std::int64_t> shards_with_skips;
  for (std::int64_t key = 0; key < 20; ++key) {
    shards_with_skips.insert(&mixed.shard(key) - &mixed.shards()[0]);
  }
  EXPECT_GT(shards_with_skips.size(), 1u);  // skipped in more than one shard, all counted
}

TEST(FanoutCacheTest, SubContainerNamesMayNotLeaveTheDirectory) {
  TempDir dir;
  FanoutCache<> cache(dir.path());
  for (const std::string name : {"", "/etc", "../escape", "a/../../b", "a/./b", "a/"}) {
    try {
      cache.cache(name);
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("'" + name + "'"), std::string::npos);
      EXPECT_EQ(error.key(), name);
    }
  }
  EXPECT_THROW(cache.deque("../jobs"), Error);
  EXPECT_THROW(cache.index("../users"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path().parent_path() / "escape"));
}

TEST(FanoutCacheTest, MemoizeSpreadsResultsOverShards) {
  TempDir dir;
  FanoutCache<> cache(dir.path(), 4);
  int calls = 0;
  auto square = cache.memoize("square", [&](std::int64_t x) {
    ++calls;
    return x * x;
  });
  for (std::int64_t x = 0; x < 40; ++x) EXPECT_EQ(square(x), x * x);
  for (std::int64_t x = 0; x < 40; ++x) EXPECT_EQ(square(x), x * x);
  EXPECT_EQ(calls, 40);
  EXPECT_EQ(cache.size(), 40);
  int shards_used = 0;
  for (int number = 0; number < 4; ++number) {
    shards_used += Cache<>(dir / ("00" + std::to_string(number))).size() > 0;
  }
  EXPECT_GT(shards_used, 1);
  EXPECT_TRUE(square.contains(3));
  EXPECT_TRUE(square.forget(3));
  EXPECT_FALSE(square.contains(3));
}

// ---------------------------------------------------------------------------
// Processes

// Four processes write distinct keys and increment shared counters, each
// repeating a write that timed out. Every acknowledged write must be there.
TEST(FanoutCacheTest, FourWriterProcessesLoseNothing) {
  TempDir dir;
  constexpr int kWriters = 4;
  constexpr int kWrites = 320;  // a multiple of kCounters
  constexpr int kCounters = 8;
  { FanoutCache<> cache(dir.path()); }
  std::vector<pid_t> children;
  for (int writer = 0; writer < kWriters; ++writer) {
    children.push_back(testing::spawn_child([&, writer] {
      FanoutCache<std::string, std::int64_t> cache(dir.path());
      for (int n = 0; n < kWrites; ++n) {
        const std::string key = "w" + std::to_string(writer) + "-" + std::to_string(n);
        while (!cache.set(key, n)) {
        }
        const std::string counter = "counter-" + std::to_string(n % kCounters);
        while (!cache.incr(counter)) {
        }
      }
      return 0;
    }));
  }
  for (pid_t child : children) EXPECT_EQ(testing::wait_child(child), 0);

  FanoutCache<std::string, std::int64_t> cache(dir.path());
  for (int writer = 0; writer < kWriters; ++writer) {
    for (int n = 0; n < kWrites; ++n) {
      EXPECT_EQ(cache.get("w" + std::to_string(writer) + "-" + std::to_string(n)), n);
    }
  }
  for (int counter = 0; counter < kCounters; ++counter) {
    EXPECT_EQ(cache.get("counter-" + std::to_string(counter)), kWriters * kWrites / kCounters);
  }
  EXPECT_EQ(cache.size(), kWriters * kWrites + kCounters);
  EXPECT_TRUE(cache.check().empty());
}

// ---------------------------------------------------------------------------
// Python

TEST(FanoutCacheTest, PythonFindsEveryKeyCppWrote) {
  TempDir dir;
  {
    FanoutCache<> cache(dir.path());
    for (const auto& [key, value] : fanout_items()) ASSERT_TRUE(cache.set(key, value));
  }
  EXPECT_EQ(python_fanout("check", dir, 8), 0);
}

TEST(FanoutCacheTest, CppFindsEveryKeyPythonWrote) {
  TempDir dir;
  ASSERT_EQ(python_fanout("write", dir, 8), 0);
  FanoutCache<> cache(dir.path());
  for (const auto& [key, value] : fanout_items()) EXPECT_EQ(cache.get(key), value);
  EXPECT_EQ(cache.size(), static_cast<std::int64_t>(fanout_items().size()));
}

// Python stores each shard's size_limit as 2**30 / shards, here a fraction.
TEST(FanoutCacheTest, OtherShardCountsAgreeWithPython) {
  TempDir from_python;
  ASSERT_EQ(python_fanout("write", from_python, 3), 0);
  FanoutCache<> cache(from_python.path(), 3);
  for (const auto& [key, value] : fanout_items()) EXPECT_EQ(cache.get(key), value);
  EXPECT_EQ(Cache<>(from_python / "001").settings().size_limit, (1LL << 30) / 3);

  TempDir from_cpp;
  {
    FanoutCache<> writer(from_cpp.path(), 3);
    for (const auto& [key, value] : fanout_items()) ASSERT_TRUE(writer.set(key, value));
  }
  EXPECT_EQ(python_fanout("check", from_cpp, 3), 0);
}

}  // namespace
}  // namespace diskcache
