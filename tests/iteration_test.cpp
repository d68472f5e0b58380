// Iteration over a cache: keys() and items() in insertion order, iterkeys()
// in key order (SPEC section 2). Lazy ranges, read a page at a time, that
// hold no read transaction between pages and stay correct while another
// process writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <ostream>
#include <ranges>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {

// Failure messages show Values as Python would (7, 2.5, 'text', b'\x00').
void PrintTo(const Value& value, std::ostream* out) { *out << value.repr(); }

namespace {

using namespace std::chrono_literals;
using testing::collect;
using testing::TempDir;

std::vector<std::string> numbered(const std::string& prefix, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%06d", i);
    names.push_back(prefix + digits);
  }
  return names;
}

class IterationTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

using StringCache = Cache<std::string, std::string>;
using KeyRange = decltype(std::declval<StringCache&>().keys());
using ItemRange = decltype(std::declval<StringCache&>().items());
static_assert(std::input_iterator<std::ranges::iterator_t<KeyRange>>);
static_assert(std::ranges::input_range<KeyRange>);
static_assert(std::ranges::input_range<ItemRange>);
static_assert(
    std::same_as<std::ranges::range_value_t<ItemRange>, std::pair<std::string, std::string>>);

TEST_F(IterationTest, EmptyCacheHasNothingToVisit) {
  StringCache cache(dir_.path());
  auto keys = cache.keys();
  EXPECT_EQ(keys.begin(), keys.end());
  EXPECT_TRUE(collect(cache.items()).empty());
  EXPECT_TRUE(collect(cache.iterkeys()).empty());
  EXPECT_TRUE(collect(cache.iterkeys(/*reverse=*/true)).empty());
}

TEST_F(IterationTest, KeysAndItemsFollowInsertionOrder) {
  StringCache cache(dir_.path());
  for (const char* key : {"c", "a", "d", "b", "e"}) cache.set(key, std::string("old ") + key);
  cache.set("a", "new a");  // replacing keeps the key's place
  cache.erase("d");
  cache.set("d", "d again");  // stored again: now the newest
  const std::vector<std::string> expected_keys{"c", "a", "b", "e", "d"};
  EXPECT_EQ(collect(cache.keys()), expected_keys);
  const std::vector<std::pair<std::string, std::string>> expected_items{
      {"c", "old c"}, {"a", "new a"}, {"b", "old b"}, {"e", "old e"}, {"d", "d again"}};
  EXPECT_EQ(collect(cache.items()), expected_items);
}

TEST_F(IterationTest, IterkeysFollowsKeyOrderBothWays) {
  Cache<std::int64_t, int> cache(dir_.path());
  for (std::int64_t key : {4, 1, 3, 0, 2}) cache.set(key, 0);
  EXPECT_EQ(collect(cache.iterkeys()), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(collect(cache.iterkeys(true)), (std::vector<std::int64_t>{4, 3, 2, 1, 0}));
}

// SQLite's order of the key column, which Python's iterkeys() shows too:
// numbers by value (integers and doubles together), then text compared
// bytewise (so UTF-8 sorts by code point), then bytes bytewise, a prefix
// before its extensions.
TEST_F(IterationTest, MixedRawKeysSortAsSqliteOrdersThem) {
  const double infinity = std::numeric_limits<double>::infinity();
  const std::vector<Value> sorted{-infinity,
                                  std::numeric_limits<std::int64_t>::min(),
                                  -1.5,
                                  -1,
                                  0,
                                  0.5,
                                  2,
                                  2.25,
                                  std::numeric_limits<std::int64_t>::max(),
                                  1e300,
                                  infinity,
                                  "",
                                  "A",
                                  "Z",
                                  "a",
                                  "ab",
                                  "b",
                                  "é",
                                  "✓",
                                  Bytes{},
                                  to_bytes(std::string(1, '\0')),
                                  to_bytes(std::string(2, '\0')),
                                  to_bytes("A"),
                                  to_bytes("\xff")};
  Cache<> cache(dir_.path());
  std::vector<Value> shuffled = sorted;
  std::reverse(shuffled.begin(), shuffled.end());
  std::rotate(shuffled.begin(), shuffled.begin() + 7, shuffled.end());
  for (const Value& key : shuffled) cache.set(key, 1);

  EXPECT_EQ(collect(cache.iterkeys()), sorted);
  std::vector<Value> descending(sorted.rbegin(), sorted.rend());
  EXPECT_EQ(collect(cache.iterkeys(true)), descending);
  EXPECT_EQ(collect(cache.keys()), shuffled);
}

// The Store's scans, which the typed ranges are built on: raw key bounds in
// both directions, and keys only unless values are asked for.
TEST_F(IterationTest, StoreScanHonoursKeyBoundsInBothDirections) {
  Store store(dir_.path());
  for (std::int64_t key = 0; key < 350; ++key) {
    store.set(Cell::integer(key), Cell::text("value " + std::to_string(key)));
  }
  store.set(Cell::text("a string"), Cell::integer(1));  // sorts after every number
  const auto scan = [&](ScanOptions options) {
    std::vector<Value> keys;
    Store::Cursor cursor = store.scan(std::move(options));
    while (cursor.next()) {
      keys.push_back(cursor.key().to_value());
      if (cursor.key().to_value() == Value(120)) {
        EXPECT_EQ(cursor.item().value.bytes(), "value 120");
      }
    }
    return keys;
  };
  const auto numbers = [](std::int64_t first, std::int64_t last, std::int64_t step) {
    std::vector<Value> keys;
    for (std::int64_t key = first; key != last + step; key += step) keys.emplace_back(key);
    return keys;
  };
  const ScanOrder key_order = ScanOrder::Key;
  EXPECT_EQ(scan({.order = key_order, .from = Cell::integer(5), .to = Cell::integer(300)}),
            numbers(5, 299, 1));
  EXPECT_EQ(
      scan(
          {.order = key_order, .reverse = true, .from = Cell::real(4.5), .to = Cell::integer(300)}),
      numbers(299, 5, -1));
  // Without an upper bound the text key, which sorts after all numbers, is in.
  std::vector<Value> from_240 = numbers(349, 240, -1);
  from_240.insert(from_240.begin(), "a string");
  EXPECT_EQ(scan({.order = key_order, .reverse = true, .from = Cell::integer(240)}), from_240);
  EXPECT_EQ(scan({.order = key_order, .values = false, .to = Cell::integer(3)}), numbers(0, 2, 1));
  EXPECT_THROW(store.scan({.order = ScanOrder::Insertion, .from = Cell::integer(1)}), Error);
  EXPECT_THROW(store.scan({.order = key_order, .to = Cell::null()}), SerializationError);
}

TEST_F(IterationTest, ManyPagesVisitEveryItemOnceInOrder) {
  // 1,050 items: ten full pages of 100 and a short one.
  StringCache cache(dir_.path());
  std::vector<std::string> keys = numbered("key-", 1050);
  std::vector<std::string> inserted = keys;
  std::rotate(inserted.begin(), inserted.begin() + 500, inserted.end());
  {
    auto transaction = cache.transact();
    for (const std::string& key : inserted) cache.set(key, "value of " + key);
  }
  EXPECT_EQ(collect(cache.keys()), inserted);
  EXPECT_EQ(collect(cache.iterkeys()), keys);
  std::vector<std::string> descending(keys.rbegin(), keys.rend());
  EXPECT_EQ(collect(cache.iterkeys(true)), descending);
  std::size_t visited = 0;
  for (const auto& [key, value] : cache.items()) {
    EXPECT_EQ(key, inserted[visited]);
    EXPECT_EQ(value, "value of " + key);
    ++visited;
  }
  EXPECT_EQ(visited, inserted.size());
}

TEST_F(IterationTest, ErasingVisitedItemsWhileIteratingVisitsEachKeyOnce) {
  StringCache cache(dir_.path());
  const std::vector<std::string> keys = numbered("key-", 250);
  for (const std::string& key : keys) cache.set(key, "value");
  for (auto pass : {"keys", "iterkeys"}) {
    SCOPED_TRACE(pass);
    std::vector<std::string> visited;
    auto range = std::string(pass) == "keys" ? cache.keys() : cache.iterkeys();
    for (const std::string& key : range) {
      visited.push_back(key);
      if (visited.size() % 2 == 1) cache.erase(key);  // on this thread's connection
    }
    EXPECT_EQ(visited.size(), std::string(pass) == "keys" ? 250U : 125U);
  }
  EXPECT_EQ(cache.size(), 62);
}

TEST_F(IterationTest, ExpiredItemsAreSkipped) {
  StringCache cache(dir_.path());
  cache.set("kept-1", "1");
  cache.set("gone-1", "x", {.expire = 50ms});
  cache.set("kept-2", "2");
  cache.set("gone-2", "x", {.expire = 50ms});
  cache.set("kept-3", "3", {.expire = 1h});
  std::this_thread::sleep_for(100ms);
  const std::vector<std::string> kept{"kept-1", "kept-2", "kept-3"};
  EXPECT_EQ(collect(cache.keys()), kept);
  EXPECT_EQ(collect(cache.iterkeys()), kept);
  EXPECT_EQ(collect(cache.items()).size(), 3U);
  EXPECT_EQ(cache.size(), 5);  // skipped, not removed: size() counts them as Python's len
}

TEST_F(IterationTest, RangesAreInputRangesThatRestartOnBegin) {
  StringCache cache(dir_.path());
  for (const char* key : {"x", "y", "z"}) cache.set(key, key);
  auto keys = cache.keys();
  // Legacy iterator pairs work, as for any input iterator.
  const std::vector<std::string> copied(keys.begin(), keys.end());
  EXPECT_EQ(copied, (std::vector<std::string>{"x", "y", "z"}));
  // A second begin() is a new pass; *it++ yields the element before the step.
  auto it = keys.begin();
  EXPECT_EQ(*it++, "x");
  EXPECT_EQ(*it, "y");
  EXPECT_EQ(it->size(), 1U);
  ++it;
  EXPECT_NE(it, keys.end());
  ++it;
  EXPECT_EQ(it, keys.end());
  // Views compose with the range.
  auto items = cache.items();
  std::vector<std::string> values;
  for (const auto& value : items | std::views::values) values.push_back(value);
  EXPECT_EQ(values, copied);
}

TEST_F(IterationTest, RangeOutlivesTheCacheObject) {
  std::optional<KeyRange> keys;
  {
    StringCache cache(dir_.path());
    cache.set("only", "1");
    keys.emplace(cache.keys());
  }
  EXPECT_EQ(collect(*keys), std::vector<std::string>{"only"});
}

TEST_F(IterationTest, IterationInsideATransactionSeesItsWrites) {
  StringCache cache(dir_.path());
  cache.set("before", "1");
  auto transaction = cache.transact();
  cache.set("inside", "2");
  EXPECT_EQ(collect(cache.keys()), (std::vector<std::string>{"before", "inside"}));
}

TEST_F(IterationTest, UndecodableItemsAreSkippedAndReported) {
  Cache<> mixed(dir_.path());
  mixed.set("text", 1);
  mixed.set(42, 2);
  mixed.set("more", Tuple{1, 2});
  mixed.set("last", "value");
  StringCache strings(dir_.path());
  std::vector<std::string> reported;
  auto keys = strings.keys().on_undecodable([&](const Cell& key, const SerializationError& error) {
    reported.push_back(key.repr());
    EXPECT_EQ(error.key(), "42");
    EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos)
        << error.what();
  });
  EXPECT_EQ(testing::collect(keys), (std::vector<std::string>{"text", "more", "last"}));
  EXPECT_EQ(keys.skipped(), 1);
  EXPECT_EQ(reported, std::vector<std::string>{"42"});
  // items() also skips an item whose value cannot be decoded.
  auto items = strings.items();
  EXPECT_EQ(testing::collect(items).size(), 1U);  // ("last", "value")
  EXPECT_EQ(items.skipped(), 3);
  auto ordered = strings.iterkeys();
  EXPECT_EQ(testing::collect(ordered).size(), 3U);
  EXPECT_EQ(ordered.skipped(), 1);
}

TEST_F(IterationTest, AHandlerThatThrowsEndsThePass) {
  Cache<> mixed(dir_.path());
  mixed.set("text", 1);
  mixed.set(42, 2);
  mixed.set("after", 3);
  StringCache strings(dir_.path());
  auto keys = strings.keys().on_undecodable(
      [](const Cell&, const SerializationError& error) { throw error; });
  auto it = keys.begin();
  EXPECT_EQ(*it, "text");
  EXPECT_THROW(++it, SerializationError);
  EXPECT_EQ(it, keys.end());
}

// The value of an item is read when the item is visited, so a writer that
// replaces a value (removing its old file) or removes an item after the
// page was read is seen as it is then.
TEST_F(IterationTest, ItemsReadValuesWhenVisited) {
  StringCache cache(dir_.path(), Settings{.disk_min_file_size = 16});
  const std::vector<std::string> keys = numbered("file-", 50);
  for (const std::string& key : keys) cache.set(key, "first value of " + key);
  std::map<std::string, std::string> seen;
  bool changed = false;
  for (const auto& [key, value] : cache.items()) {
    seen[key] = value;
    if (!changed) {
      // Another thread: its own connection, as another process would be.
      std::thread([&] {
        StringCache writer(dir_.path());
        writer.set("file-000010", "second value, in a new file");
        writer.erase("file-000020");
      }).join();
      changed = true;
    }
  }
  EXPECT_EQ(seen.size(), 49U);
  EXPECT_EQ(seen["file-000010"], "second value, in a new file");
  EXPECT_FALSE(seen.contains("file-000020"));
  EXPECT_EQ(seen["file-000030"], "first value of file-000030");
  EXPECT_TRUE(cache.check().empty());
}

// RELIABILITY.md, checkpoint starvation: between pages the iteration holds
// no read snapshot, so a checkpoint can copy the WAL back and empty it.
TEST_F(IterationTest, NoReadTransactionIsHeldBetweenPages) {
  Cache<std::int64_t, std::string> cache(dir_.path());
  for (std::int64_t i = 0; i < 250; ++i) cache.set(i, "value");
  testing::SqliteProbe probe(dir_.path());
  const auto wal_size = [&] { return std::filesystem::file_size(dir_ / "cache.db-wal"); };

  for (auto* range_kind : {"keys", "items"}) {
    SCOPED_TRACE(range_kind);
    std::int64_t visited = 0;
    const auto check_between_pages = [&](std::int64_t written) {
      // A write through another connection after the page was read: a
      // snapshot kept from before it would stop the checkpoint.
      std::thread([&] { Cache<std::int64_t, std::string>(dir_.path()).set(written, "w"); }).join();
      EXPECT_TRUE(probe.checkpoint_truncate()) << "after " << visited << " items";
      EXPECT_EQ(wal_size(), 0U);
    };
    const auto visit = [&](std::int64_t key) {
      EXPECT_EQ(key, visited);
      if (visited == 0 || visited == 150) check_between_pages(1000 + visited);
      ++visited;
    };
    if (std::string(range_kind) == "keys") {
      for (std::int64_t key : cache.keys()) visit(key);
    } else {
      for (const auto& item : cache.items()) visit(item.first);
    }
    // Keys stored after the iteration began are not visited.
    EXPECT_EQ(visited, 250);
    for (std::int64_t written : {1000, 1150}) ASSERT_TRUE(cache.erase(written));
  }
}

// A writer process changes the cache between the pages of each pass:
// new keys, new values for existing keys (some in files), keys removed and
// stored again. Every key present for the whole pass is visited exactly
// once, no key twice, each value is one the writer stored for that key,
// and key order stays ordered.
TEST_F(IterationTest, ConcurrentWriterProcessNeverMakesAnItemSeenTwiceOrMissed) {
  constexpr int kStable = 1000;
  constexpr int kTransient = 50;
  const Settings settings{.disk_min_file_size = 64};
  StringCache cache(dir_.path(), settings);
  const std::vector<std::string> stable = numbered("stable-", kStable);
  const std::vector<std::string> transient = numbered("transient-", kTransient);
  const auto value_of = [](const std::string& key, int version) {
    std::string value = key + "|" + std::to_string(version);
    if (version % 3 == 1) value.resize(200, '.');  // a value file
    return value;
  };
  {
    auto transaction = cache.transact();
    for (const std::string& key : stable) cache.set(key, value_of(key, 0));
    for (const std::string& key : transient) cache.set(key, value_of(key, 0));
  }

  int commands[2];
  int replies[2];
  ASSERT_EQ(::pipe(commands), 0);
  ASSERT_EQ(::pipe(replies), 0);
  const pid_t writer = testing::spawn_child([&] {
    ::close(commands[1]);
    ::close(replies[0]);
    StringCache cache(dir_.path());
    char command = 0;
    int version = 1;
    while (::read(commands[0], &command, 1) == 1 && command == 'g') {
      for (int i = 0; i < 5; ++i, ++version) {
        cache.set("new-" + std::to_string(version), value_of("new", version));
        const std::string& key = stable[(version * 7) % kStable];
        cache.set(key, value_of(key, version));
        const std::string& gone = transient[version % kTransient];
        cache.erase(gone);
        cache.set(gone, value_of(gone, version));
      }
      if (::write(replies[1], "d", 1) != 1) return 1;
    }
    return 0;
  });
  ::close(commands[0]);
  ::close(replies[1]);
  // Lets the writer make five rounds of changes, and waits for them.
  const auto let_writer_run = [&] {
    char reply = 0;
    ASSERT_EQ(::write(commands[1], "g", 1), 1);
    ASSERT_EQ(::read(replies[0], &reply, 1), 1);
  };

  const auto check_pass = [&](const std::map<std::string, int>& visits) {
    for (const std::string& key : stable) EXPECT_EQ(visits.at(key), 1) << key;
    for (const auto& [key, count] : visits) EXPECT_EQ(count, 1) << key;
  };
  {
    std::map<std::string, int> visits;
    for (const std::string& key : cache.keys()) {
      if (++visits[key] == 1 && visits.size() % 50 == 0) let_writer_run();
    }
    check_pass(visits);
  }
  {
    std::map<std::string, int> visits;
    for (const auto& [key, value] : cache.items()) {
      // new-N keys carry "new|N"; every other value starts with its key.
      const std::string owner = key.starts_with("new-") ? "new" : key;
      EXPECT_TRUE(value.starts_with(owner + "|")) << key << " = " << value;
      if (++visits[key] == 1 && visits.size() % 50 == 0) let_writer_run();
    }
    check_pass(visits);
  }
  {
    std::map<std::string, int> visits;
    std::string last;
    for (const std::string& key : cache.iterkeys()) {
      EXPECT_LT(last, key);
      last = key;
      if (++visits[key] == 1 && visits.size() % 50 == 0) let_writer_run();
    }
    check_pass(visits);
  }
  ASSERT_EQ(::write(commands[1], "q", 1), 1);
  ::close(commands[1]);
  ::close(replies[0]);
  EXPECT_EQ(testing::wait_child(writer), 0);
  EXPECT_TRUE(cache.check().empty());
}

// Anonymous resident memory (heap), from /proc/self/status, in bytes.
std::int64_t anonymous_rss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("RssAnon:")) return std::stoll(line.substr(8)) * 1024;
  }
  return -1;
}

// 100,000 items of 200-byte keys and 300-byte values (50 MB; the keys alone
// 20 MB): a child process walks keys(), items() and iterkeys() and reports
// how much its heap grew past the first 1,000 items. Holding the keys would
// take more than the bound. The page cache is set small, and memory mapping
// off, so that SQLite's own caching stays below the bound too.
TEST_F(IterationTest, IteratingOneHundredThousandItemsKeepsMemoryFlat) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine";
#endif
  constexpr int kItems = 100'000;
  constexpr std::int64_t kBound = 8 << 20;
  const Settings settings{.sqlite_cache_size = 256, .sqlite_mmap_size = 0};
  {
    StringCache cache(dir_.path(), settings);
    auto transaction = cache.transact();
    for (const std::string& key : numbered("key-", kItems)) {
      cache.set(key + std::string(190, 'k'), std::string(300, 'v'));
    }
  }
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = testing::spawn_child([&] {
    StringCache cache(dir_.path());
    std::array<std::int64_t, 3> growth{};
    const auto measure = [&](auto&& range, std::int64_t& grown) {
      std::int64_t visited = 0;
      std::int64_t baseline = 0;
      for (auto&& element : range) {
        static_cast<void>(element);
        if (++visited == 1000) baseline = anonymous_rss();
        if (visited > 1000 && visited % 5000 == 0) {
          grown = std::max(grown, anonymous_rss() - baseline);
        }
      }
      return visited;
    };
    if (measure(cache.keys(), growth[0]) != kItems) return 2;
    if (measure(cache.items(), growth[1]) != kItems) return 3;
    if (measure(cache.iterkeys(), growth[2]) != kItems) return 4;
    return ::write(pipe_fds[1], growth.data(), sizeof growth) == sizeof growth ? 0 : 5;
  });
  ::close(pipe_fds[1]);
  std::array<std::int64_t, 3> growth{};
  const bool reported = ::read(pipe_fds[0], growth.data(), sizeof growth) == sizeof growth;
  ::close(pipe_fds[0]);
  ASSERT_EQ(testing::wait_child(child), 0);
  ASSERT_TRUE(reported);
  const char* names[] = {"keys()", "items()", "iterkeys()"};
  for (int i = 0; i < 3; ++i) {
    std::printf("%s: heap grew by %lld bytes over %d items\n", names[i],
                static_cast<long long>(growth[i]), kItems);
    EXPECT_LT(growth[i], kBound) << names[i];
  }
}

}  // namespace
}  // namespace diskcache
