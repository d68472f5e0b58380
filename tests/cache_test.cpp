// Cache<K, V, Disk>: the typed API of SPEC section 2 (foundation subset).
#include "diskcache/cache.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class CacheTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(CacheTest, SetThenGetReturnsTheValue) {
  Cache<std::string, std::string> cache(dir_.path());
  EXPECT_TRUE(cache.set("a", "alpha"));
  EXPECT_EQ(cache.get("a"), "alpha");
  EXPECT_EQ(cache.get("missing"), std::nullopt);
}

TEST_F(CacheTest, ValuesPersistAcrossReopen) {
  {
    Cache<std::string, std::int64_t> cache(dir_.path());
    cache.set("answer", 42);
  }
  Cache<std::string, std::int64_t> reopened(dir_.path());
  EXPECT_EQ(reopened.at("answer"), 42);
}

TEST_F(CacheTest, MixedTypesInDefaultCache) {
  Cache<> cache(dir_.path());
  cache["username"] = "alice";
  cache.set("score", 99);
  cache.set(7, 2.5);
  cache.set(to_bytes("k"), to_bytes("\x00\x01"));
  EXPECT_EQ(cache.get("score")->as<std::int64_t>(), 99);
  EXPECT_EQ(cache.at("username").as<std::string>(), "alice");
  EXPECT_EQ(cache.at(7).as<double>(), 2.5);
  EXPECT_EQ(cache.at(to_bytes("k")).as<Bytes>(), to_bytes("\x00\x01"));
  Value username = cache["username"];
  EXPECT_EQ(username, Value("alice"));
  EXPECT_EQ(cache["score"].as<std::int64_t>(), 99);
  EXPECT_THROW(cache["score"].as<std::string>(), SerializationError);
  EXPECT_THROW(cache["ghost"].as<std::int64_t>(), KeyError);
  // The string "7" and the integer 7 are different keys.
  EXPECT_FALSE(cache.contains("7"));
  EXPECT_TRUE(cache.contains(7));
}

TEST_F(CacheTest, AtThrowsKeyErrorNamingKeyAndDirectory) {
  Cache<std::string, int> cache(dir_.path());
  try {
    cache.at("ghost");
    FAIL() << "at() of a missing key must throw";
  } catch (const KeyError& error) {
    EXPECT_NE(std::string(error.what()).find("'ghost'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
    EXPECT_EQ(error.directory(), dir_.path());
  }
}

TEST_F(CacheTest, ExpiredItemReadsAsMissing) {
  Cache<std::string, int> cache(dir_.path());
  cache.set("short", 1, {.expire = 50ms});
  cache.set("long", 2, {.expire = 1h});
  EXPECT_TRUE(cache.contains("short"));
  std::this_thread::sleep_for(120ms);
  EXPECT_FALSE(cache.contains("short"));
  EXPECT_EQ(cache.get("short"), std::nullopt);
  EXPECT_EQ(cache.get("long"), 2);
  // Still counted until culled, as in Python.
  EXPECT_EQ(cache.size(), 2);
  EXPECT_EQ(cache.expire(), 1);
  EXPECT_EQ(cache.size(), 1);
}

TEST_F(CacheTest, AddStoresOnlyWhenAbsentOrExpired) {
  Cache<std::string, int> cache(dir_.path());
  EXPECT_TRUE(cache.add("k", 1));
  EXPECT_FALSE(cache.add("k", 2));
  EXPECT_EQ(cache.at("k"), 1);
  cache.set("e", 1, {.expire = 10ms});
  std::this_thread::sleep_for(30ms);
  EXPECT_TRUE(cache.add("e", 5));
  EXPECT_EQ(cache.at("e"), 5);
}

TEST_F(CacheTest, GetEntryReturnsExpiryAndTag) {
  Cache<std::string, int> cache(dir_.path());
  const auto before = std::chrono::system_clock::now();
  cache.set("k", 3, {.expire = 60s, .tag = "red"});
  auto entry = cache.get_entry("k");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, 3);
  EXPECT_EQ(entry->tag, Value("red"));
  ASSERT_TRUE(entry->expire_time);
  EXPECT_GE(*entry->expire_time, before + 59s);
  EXPECT_LE(*entry->expire_time, std::chrono::system_clock::now() + 61s);
  cache.set("plain", 4);
  EXPECT_EQ(cache.get_entry("plain")->expire_time, std::nullopt);
  EXPECT_EQ(cache.get_entry("plain")->tag, std::nullopt);
}

TEST_F(CacheTest, EraseAndPop) {
  Cache<std::string, std::string> cache(dir_.path());
  cache.set("a", "1");
  cache.set("b", "2");
  EXPECT_TRUE(cache.erase("a"));
  EXPECT_FALSE(cache.erase("a"));
  EXPECT_EQ(cache.pop("b"), "2");
  EXPECT_EQ(cache.pop("b"), std::nullopt);
  EXPECT_EQ(cache.size(), 0);
}

TEST_F(CacheTest, PopOfUndecodableValueKeepsTheItem) {
  Cache<> mixed(dir_.path());
  mixed.set("n", 42);
  Cache<std::string, std::string> strings(dir_.path());
  EXPECT_THROW(strings.pop("n"), SerializationError);
  EXPECT_EQ(mixed.get("n"), Value(42));
}

TEST_F(CacheTest, IncrAndDecr) {
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.incr("views"), 1);
  EXPECT_EQ(cache.incr("views", 10), 11);
  EXPECT_EQ(cache.decr("views", 3), 8);
  EXPECT_EQ(cache.at("views").as<std::int64_t>(), 8);
  EXPECT_EQ(cache.incr("fresh", 5, 100), 105);
  EXPECT_THROW(cache.incr("nothing", 1, std::nullopt), KeyError);
  cache.set("text", "x");
  EXPECT_THROW(cache.incr("text"), SerializationError);
  cache.set("big", INT64_MAX);
  EXPECT_THROW(cache.incr("big"), SerializationError);
  EXPECT_EQ(cache.at("big").as<std::int64_t>(), INT64_MAX);
}

TEST_F(CacheTest, TouchChangesExpiry) {
  Cache<std::string, int> cache(dir_.path());
  cache.set("k", 1, {.expire = 30ms});
  EXPECT_TRUE(cache.touch("k", std::nullopt));
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(cache.get("k"), 1);
  EXPECT_TRUE(cache.touch("k", 10ms));
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(cache.touch("k", 1h));
  EXPECT_FALSE(cache.touch("never-set", 1h));
}

TEST_F(CacheTest, PeekitemFollowsInsertionOrder) {
  Cache<std::string, int> cache(dir_.path());
  EXPECT_EQ(cache.peekitem(), std::nullopt);
  cache.set("a", 0);
  cache.set("b", 1);
  cache.set("c", 2);
  EXPECT_EQ(cache.peekitem(), std::make_pair(std::string("c"), 2));
  EXPECT_EQ(cache.peekitem(false), std::make_pair(std::string("a"), 0));
}

TEST_F(CacheTest, LargeValuesLiveInFilesAndAreRemovedWithTheirItem) {
  Cache<std::string, std::string> cache(dir_.path());
  const std::string big(100000, 'x');
  cache.set("big", big);
  EXPECT_EQ(cache.at("big"), big);
  auto count_value_files = [&] {
    int files = 0;
    for (auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".val") ++files;
    }
    return files;
  };
  EXPECT_EQ(count_value_files(), 1);
  EXPECT_GE(cache.volume(), 100000);
  cache.set("big", std::string(50000, 'y'));  // replaced: old file removed
  EXPECT_EQ(count_value_files(), 1);
  cache.erase("big");
  EXPECT_EQ(count_value_files(), 0);
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(CacheTest, TagsAndEvict) {
  Cache<int, int> cache(dir_.path(), {.tag_index = true});
  for (int i = 0; i < 250; ++i) cache.set(i, i, {.tag = i % 2 ? "odd" : "even"});
  EXPECT_EQ(cache.evict("odd"), 125);
  EXPECT_EQ(cache.size(), 125);
  EXPECT_FALSE(cache.contains(1));
  EXPECT_TRUE(cache.contains(2));
  EXPECT_TRUE(cache.settings().tag_index);
  cache.drop_tag_index();
  EXPECT_FALSE(cache.settings().tag_index);
}

TEST_F(CacheTest, ClearRemovesEverything) {
  Cache<int, std::string> cache(dir_.path());
  for (int i = 0; i < 300; ++i) cache.set(i, i % 50 ? "small" : std::string(40000, 'b'));
  EXPECT_EQ(cache.clear(), 300);
  EXPECT_EQ(cache.size(), 0);
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(CacheTest, StatisticsCountHitsAndMisses) {
  Cache<std::string, int> cache(dir_.path());
  cache.stats(true);
  cache.set("a", 1);
  cache.get("a");
  cache.get("a");
  cache.get("b");
  EXPECT_EQ(cache.stats(), (Stats{2, 1}));
  EXPECT_EQ(cache.stats(true, true), (Stats{2, 1}));
  EXPECT_EQ(cache.stats(false), (Stats{0, 0}));
  cache.get("a");
  EXPECT_EQ(cache.stats(false), (Stats{0, 0}));
}

TEST_F(CacheTest, SettingsPersistAndReopenKeepsThemUnlessOverridden) {
  {
    Cache<> cache(dir_.path(),
                  {.size_limit = 12345, .eviction_policy = EvictionPolicy::LeastRecentlyUsed});
  }
  {
    Cache<> cache(dir_.path());
    EXPECT_EQ(cache.settings().size_limit, 12345);
    EXPECT_EQ(cache.settings().eviction_policy, EvictionPolicy::LeastRecentlyUsed);
  }
  Cache<> cache(dir_.path(), {.cull_limit = 3});
  EXPECT_EQ(cache.settings().size_limit, 12345);
  EXPECT_EQ(cache.settings().cull_limit, 3);
  cache.reset({.size_limit = 999});
  Cache<> again(dir_.path());
  EXPECT_EQ(again.settings().size_limit, 999);
}

TEST_F(CacheTest, InvalidSettingIsATypedError) {
  EXPECT_THROW(Cache<>(dir_.path(), {.size_limit = -1}), Error);
  EXPECT_THROW(Cache<>(dir_.path(), {.sqlite_journal_mode = "wal; DROP TABLE Cache"}), Error);
}

TEST_F(CacheTest, EmptyPathMakesATemporaryDirectory) {
  Cache<> cache;
  EXPECT_TRUE(std::filesystem::is_directory(cache.directory()));
  cache.set("k", 1);
  EXPECT_TRUE(std::filesystem::exists(cache.directory() / "cache.db"));
  std::filesystem::remove_all(cache.directory());
}

TEST_F(CacheTest, ThreadsShareOneCache) {
  Cache<int, int> cache(dir_.path());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 200; ++i) {
        cache.set(t * 1000 + i, i);
        cache.incr(-1, 1, 0, /*retry=*/true);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache.size(), 801);
  EXPECT_EQ(cache.at(-1), 800);
  EXPECT_EQ(cache.at(3199), 199);
}

TEST_F(CacheTest, CloseThenUseReopens) {
  Cache<std::string, int> cache(dir_.path());
  cache.set("a", 1);
  cache.close();
  EXPECT_EQ(cache.at("a"), 1);
}

}  // namespace
}  // namespace diskcache
