// The queue on a cache: Cache::push, pull and peek (SPEC section 2), with
// Python's keys, across processes and with Python itself on one directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {

// Failure messages show Values as Python would (7, 2.5, 'text', b'\x00').
void PrintTo(const Value& value, std::ostream* out) { *out << value.repr(); }

namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using Item = std::pair<Value, Value>;

constexpr std::int64_t kFirstKey = 500000000000000;

// The big values of tests/python/queue.py, stored in value files.
Bytes big_bytes() {
  Bytes bytes;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<std::byte>(i));
  }
  return bytes;
}
std::string big_text() {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "✓é";
  return text;
}

class QueueTest : public ::testing::Test {
 protected:
  int value_files() const {
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".val") ++files;
    }
    return files;
  }

  // Runs `tests/python/queue.py <command> <dir_>`; 0 when its checks pass.
  int python(const std::string& command) {
    return testing::run_python("queue.py", command + " '" + dir_.path().string() + "'");
  }

  TempDir dir_;
};

TEST_F(QueueTest, KeysAreThoseOfPython) {
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.push("first value"), Value(kFirstKey));
  EXPECT_EQ(cache.get(kFirstKey), Value("first value"));
  EXPECT_EQ(cache.push("second value"), Value(kFirstKey + 1));
  EXPECT_EQ(cache.push("third value", {}, Side::Front), Value(kFirstKey - 1));
  EXPECT_EQ(cache.push(1234, "userids"), Value("userids-500000000000000"));
  EXPECT_EQ(cache.push(1, "jobs"), Value("jobs-500000000000000"));
  EXPECT_EQ(cache.push(2, "jobs", Side::Front), Value("jobs-499999999999999"));
  EXPECT_EQ(cache.get("jobs-499999999999999"), Value(2));
}

TEST_F(QueueTest, TypedCachesReturnTypedKeys) {
  Cache<std::int64_t, std::string> numbered(dir_.path());
  const std::int64_t key = numbered.push("a");
  EXPECT_EQ(key, kFirstKey);
  EXPECT_EQ(numbered.pull(), std::make_pair(key, std::string("a")));

  Cache<std::string, int> named(dir_.path());
  EXPECT_EQ(named.push(5, "jobs"), "jobs-500000000000000");
  EXPECT_EQ(named.peek("jobs"), std::make_pair(std::string("jobs-500000000000000"), 5));
}

TEST_F(QueueTest, PushOfAKeyTypeKCannotHoldThrowsAndStoresNothing) {
  Cache<std::string, int> named(dir_.path());
  EXPECT_THROW(named.push(1), SerializationError);  // integer keys
  Cache<std::int64_t, int> numbered(dir_.path());
  EXPECT_THROW(numbered.push(1, "jobs"), SerializationError);  // text keys
  EXPECT_EQ(named.size(), 0);
}

TEST_F(QueueTest, BackPushesWithFrontPullsAreFirstInFirstOut) {
  Cache<std::int64_t, int> cache(dir_.path());
  for (int i = 0; i < 5; ++i) cache.push(i);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(cache.pull()->second, i);
  EXPECT_EQ(cache.pull(), std::nullopt);

  for (int i = 0; i < 5; ++i) cache.push(i, {}, Side::Front);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(cache.pull({}, Side::Back)->second, i);
  EXPECT_EQ(cache.pull({}, Side::Back), std::nullopt);
}

TEST_F(QueueTest, PullsFromTheSideOfThePushesAreLastInFirstOut) {
  Cache<std::int64_t, int> cache(dir_.path());
  for (int i = 0; i < 5; ++i) cache.push(i);
  for (int i = 4; i >= 0; --i) EXPECT_EQ(cache.pull({}, Side::Back)->second, i);

  for (int i = 0; i < 5; ++i) cache.push(i, {}, Side::Front);
  for (int i = 4; i >= 0; --i) EXPECT_EQ(cache.pull()->second, i);
  EXPECT_EQ(cache.size(), 0);
}

TEST_F(QueueTest, PrefixesAreIndependentQueues) {
  Cache<> cache(dir_.path());
  cache.set("a", "plain text key");
  cache.set("ab-500000000000000", "another prefix's key");
  cache.push("int-1");
  cache.push("a-1", "a");
  cache.push("b-1", "b");
  cache.push("a-2", "a");
  EXPECT_EQ(cache.pull("a"), Item("a-500000000000000", "a-1"));
  EXPECT_EQ(cache.pull("a"), Item("a-500000000000001", "a-2"));
  EXPECT_EQ(cache.pull("a"), std::nullopt);
  EXPECT_EQ(cache.pull("b", Side::Back), Item("b-500000000000000", "b-1"));
  EXPECT_EQ(cache.pull("b"), std::nullopt);
  EXPECT_EQ(cache.pull(), Item(kFirstKey, "int-1"));
  EXPECT_EQ(cache.pull(), std::nullopt);
  EXPECT_EQ(cache.size(), 2);  // the plain keys stay
}

TEST_F(QueueTest, QueueRangeIsPythons) {
  Cache<> cache(dir_.path());
  // The bounds are exclusive, and prefixed queues never see integer keys.
  cache.set(0, "zero");
  cache.set(999999999999999, "max");
  EXPECT_EQ(cache.pull("x"), std::nullopt);
  EXPECT_EQ(cache.pull(), std::nullopt);
  EXPECT_EQ(cache.push("first"), Value(kFirstKey));
  // As in Python, a plain integer key inside the range is part of the queue.
  cache.set(7, "seven");
  EXPECT_EQ(cache.pull(), Item(7, "seven"));
}

TEST_F(QueueTest, KeyInPrefixRangeWithoutNumberStopsPush) {
  Cache<> cache(dir_.path());
  cache.set("jobs-5x", "not a queue key");
  try {
    cache.push("job", "jobs");
    FAIL() << "push must refuse to number after 'jobs-5x'";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'jobs-5x'"), std::string::npos) << error.what();
    EXPECT_EQ(error.directory(), dir_.path());
  }
  EXPECT_EQ(cache.size(), 1);
}

TEST_F(QueueTest, PeekDoesNotRemove) {
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.peek(), std::nullopt);
  cache.push("a");
  cache.push("b");
  EXPECT_EQ(cache.peek(), Item(kFirstKey, "a"));
  EXPECT_EQ(cache.peek(), Item(kFirstKey, "a"));
  EXPECT_EQ(cache.peek({}, Side::Back), Item(kFirstKey + 1, "b"));
  EXPECT_EQ(cache.size(), 2);
}

TEST_F(QueueTest, ExpiredItemsAreSkippedAndRemoved) {
  Cache<> cache(dir_.path());
  // Long enough that no push culls an item pushed before it.
  cache.push(Value(big_text()), {}, Side::Back, {.expire = 300ms});  // in a value file
  cache.push("old", {}, Side::Back, {.expire = 300ms});
  cache.push("new");
  cache.push("stale", {}, Side::Back, {.expire = 300ms});
  EXPECT_EQ(value_files(), 1);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(cache.size(), 4);
  EXPECT_EQ(cache.peek(), Item(kFirstKey + 2, "new"));
  EXPECT_EQ(cache.size(), 2);  // peek removed the two expired items in front
  EXPECT_EQ(value_files(), 0);
  EXPECT_EQ(cache.pull({}, Side::Back), Item(kFirstKey + 2, "new"));
  EXPECT_EQ(cache.size(), 0);
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(QueueTest, PushStoresExpiryAndTagAndCullsLikeSet) {
  Cache<> cache(dir_.path());
  cache.set("short-1", 1, {.expire = 10ms});
  cache.set("short-2", 2, {.expire = 10ms});
  std::this_thread::sleep_for(40ms);
  const auto before = std::chrono::system_clock::now();
  const Value key = cache.push("job", "jobs", Side::Back, {.expire = 1h, .tag = "batch"});
  EXPECT_EQ(cache.size(), 1);  // the expired items were culled
  const auto entry = cache.get_entry(key);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->tag, Value("batch"));
  ASSERT_TRUE(entry->expire_time);
  EXPECT_GE(*entry->expire_time, before + 59min);
  EXPECT_EQ(cache.evict("batch"), 1);
}

TEST_F(QueueTest, LargeValuesTravelThroughTheQueueInFiles) {
  Cache<std::int64_t, Bytes> cache(dir_.path());
  cache.push(big_bytes());
  EXPECT_EQ(value_files(), 1);
  EXPECT_EQ(cache.peek()->second, big_bytes());
  EXPECT_EQ(value_files(), 1);
  EXPECT_EQ(cache.pull()->second, big_bytes());
  EXPECT_EQ(value_files(), 0);
}

TEST_F(QueueTest, PullOfUndecodableValueThrowsAndKeepsTheItem) {
  Cache<> mixed(dir_.path());
  mixed.push(42, "jobs");
  Cache<std::string, std::string> strings(dir_.path());
  try {
    strings.pull("jobs");
    FAIL() << "an integer value cannot be pulled as a string";
  } catch (const SerializationError& error) {
    EXPECT_EQ(error.key(), "'jobs-500000000000000'");
    EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
  }
  EXPECT_EQ(mixed.size(), 1);
  EXPECT_EQ(mixed.pull("jobs"), Item("jobs-500000000000000", 42));

  // A value in a file keeps its file too.
  mixed.push(big_text(), "files");
  Cache<std::string, Bytes> bytes(dir_.path());
  EXPECT_THROW(bytes.pull("files"), SerializationError);
  EXPECT_EQ(value_files(), 1);
  EXPECT_EQ(mixed.pull("files"), Item("files-500000000000000", big_text()));
  EXPECT_EQ(value_files(), 0);
}

// Four processes pull from one queue until it is empty: every item is
// delivered exactly once, and each process sees its items in queue order.
TEST_F(QueueTest, ConcurrentPullsDeliverEachItemExactlyOnce) {
  constexpr int kItems = 2000;
  constexpr int kConsumers = 4;
  Cache<std::int64_t, std::int64_t> cache(dir_.path());
  for (std::int64_t i = 0; i < kItems; ++i) ASSERT_EQ(cache.push(i), kFirstKey + i);

  std::array<int, kConsumers> readers{};
  std::array<pid_t, kConsumers> children{};
  for (int c = 0; c < kConsumers; ++c) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    children[c] = testing::spawn_child([&cache, fd = fds[1]] {
      // Each pulled item goes to the parent as two int64 (key, value).
      while (auto item = cache.pull({}, Side::Front, /*retry=*/true)) {
        const std::array<std::int64_t, 2> record{item->first, item->second};
        if (::write(fd, record.data(), sizeof record) != sizeof record) return 1;
      }
      return 0;
    });
    ::close(fds[1]);
    readers[c] = fds[0];
  }

  std::map<std::int64_t, int> deliveries;  // value -> times delivered
  for (int c = 0; c < kConsumers; ++c) {
    std::array<std::int64_t, 2> record{};
    std::int64_t last_key = 0;
    // A pipe write of 16 bytes is atomic, so records arrive whole.
    while (::read(readers[c], record.data(), sizeof record) == sizeof record) {
      EXPECT_EQ(record[0], kFirstKey + record[1]);
      EXPECT_GT(record[0], last_key) << "consumer " << c << " got an item out of order";
      last_key = record[0];
      ++deliveries[record[1]];
    }
    ::close(readers[c]);
    EXPECT_EQ(testing::wait_child(children[c]), 0) << "consumer " << c;
  }
  for (std::int64_t i = 0; i < kItems; ++i) {
    EXPECT_EQ(deliveries[i], 1) << "item " << i;
  }
  EXPECT_EQ(deliveries.size(), static_cast<std::size_t>(kItems));
  EXPECT_EQ(cache.size(), 0);
}

// --- Python diskcache on the same directory --------------------------------

// C++ pushes what tests/python/queue.py CPP_PUSHES lists; Python pulls it.
TEST_F(QueueTest, PythonPullsWhatCppPushed) {
  {
    Cache<> cache(dir_.path());
    EXPECT_EQ(cache.push("first"), Value(kFirstKey));
    EXPECT_EQ(cache.push("second"), Value(kFirstKey + 1));
    EXPECT_EQ(cache.push("zeroth", {}, Side::Front), Value(kFirstKey - 1));
    EXPECT_EQ(cache.push(Value(big_bytes())), Value(kFirstKey + 2));
    EXPECT_EQ(cache.push(7, "jobs"), Value("jobs-500000000000000"));
    EXPECT_EQ(cache.push(2.5, "jobs"), Value("jobs-500000000000001"));
    EXPECT_EQ(cache.push("urgent", "jobs", Side::Front), Value("jobs-499999999999999"));
  }
  EXPECT_EQ(python("pull-cpp"), 0);
}

// Python pushes PYTHON_PUSHES of tests/python/queue.py; C++ pulls them in
// queue order with Python's keys, and continues Python's numbering.
TEST_F(QueueTest, CppPullsWhatPythonPushed) {
  ASSERT_EQ(python("push"), 0);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.pull(), Item(kFirstKey - 2, big_text()));
  EXPECT_EQ(cache.pull(), Item(kFirstKey - 1, -3));
  EXPECT_EQ(cache.pull(), Item(kFirstKey, "a"));
  EXPECT_EQ(cache.pull(), Item(kFirstKey + 1, to_bytes("b")));
  EXPECT_EQ(cache.pull(), std::nullopt);

  EXPECT_EQ(cache.pull("jobs", Side::Back), Item("jobs-500000000000001", to_bytes("z")));
  EXPECT_EQ(cache.push("y", "jobs"), Value("jobs-500000000000001"));
  EXPECT_EQ(cache.pull("jobs"), Item("jobs-499999999999999", 1.25));
  EXPECT_EQ(cache.pull("jobs"), Item("jobs-500000000000000", "x"));
  EXPECT_EQ(cache.pull("jobs"), Item("jobs-500000000000001", "y"));
  EXPECT_EQ(cache.size(), 0);
  EXPECT_EQ(value_files(), 0);
}

}  // namespace
}  // namespace diskcache
