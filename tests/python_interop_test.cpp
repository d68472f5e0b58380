// Interoperability with Python diskcache 5.x (SPEC section 7): one side
// writes a directory, the other reads it. The Python side is Debian's
// python3-diskcache running the scripts in tests/python/, which check what
// they read themselves and report by exit status; the data tables below
// mirror tests/python/interop.py.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
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
using namespace std::string_literals;
using testing::TempDir;
using Clock = std::chrono::system_clock;

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// interop.py RAW_ITEMS: every raw kind as key and value, with edge values.
std::vector<std::pair<Value, Value>> raw_items() {
  Bytes every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<std::byte>(i));
  return {
      {0, 0},
      {-1, -42},
      {kInt64Max, kInt64Min},
      {kInt64Min, kInt64Max},
      {1.5, -0.25},
      {2.0, 1.0},
      {-1e300, 1e-300},
      {3.141592653589793, std::numeric_limits<double>::infinity()},
      {"", ""},
      {"ascii", "value"},
      {"héllo wörld ✓ 日本語 🎉", "ünïcödé ✓ 🎉"},
      {"nul\0inside"s, "text\0with\0nuls"s},
      {Bytes{}, Bytes{}},
      {to_bytes("\0"s), to_bytes("\0\0\x01\0"s)},
      {to_bytes("\xff\xfe binary key"), every_byte},
      {"int", 12345678901234},
      {7, "seven"},
      {to_bytes("float"), 2.5},
      {"bytes", to_bytes("\0\x01\x02"s)},
  };
}

// interop.py BIG_TEXT (102,000 characters, 120,000 bytes) and BIG_BYTES.
std::string big_text() {
  std::string text;
  for (int i = 0; i < 6000; ++i) text += "0123456789abcdé✓\n";
  return text;
}
Bytes big_bytes() {
  Bytes bytes(100'000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i % 256);
  return bytes;
}

double unix_seconds(Clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

class PythonInteropTest : public ::testing::Test {
 protected:
  // Runs `tests/python/<script> <command> <dir_> <args...>`; returns its exit
  // status (0: every check in the script passed; its message is in the log).
  int python(const std::string& script, const std::string& command,
             const std::vector<std::string>& args = {}) {
    std::string line = command + " " + quoted(dir_.path().string());
    for (const std::string& arg : args) line += " " + quoted(arg);
    return testing::run_python(script, line);
  }

  // The value files (*.val) anywhere under the cache directory.
  std::vector<std::filesystem::path> value_files() const {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".val") files.push_back(entry.path());
    }
    return files;
  }

  TempDir dir_;

 private:
  static std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? "'\\''" : std::string(1, c);
    return out + "'";
  }
};

// --- 1. Raw keys and values ------------------------------------------------

TEST_F(PythonInteropTest, PythonReadsCppRawTypes) {
  {
    Cache<> cache(dir_.path());
    for (const auto& [key, value] : raw_items()) ASSERT_TRUE(cache.set(key, value));
  }
  EXPECT_EQ(python("raw_types.py", "check"), 0);
}

TEST_F(PythonInteropTest, CppReadsPythonRawTypes) {
  ASSERT_EQ(python("raw_types.py", "write"), 0);
  Cache<> cache(dir_.path());
  const auto items = raw_items();
  EXPECT_EQ(cache.size(), static_cast<std::int64_t>(items.size()));
  for (const auto& [key, value] : items) {
    // Value equality compares the kind too: 7 (int) is not 7.0 (float).
    EXPECT_EQ(cache.get(key), value) << "key " << key.repr();
  }
}

TEST_F(PythonInteropTest, CppReadsPythonRawTypesAsTypedValues) {
  ASSERT_EQ(python("raw_types.py", "write"), 0);
  EXPECT_EQ((Cache<std::int64_t, std::int64_t>(dir_.path()).at(kInt64Max)), kInt64Min);
  EXPECT_EQ((Cache<double, double>(dir_.path()).at(1.5)), -0.25);
  EXPECT_TRUE(std::isinf(Cache<double, double>(dir_.path()).at(3.141592653589793)));
  EXPECT_EQ((Cache<std::string, std::string>(dir_.path()).at("nul\0inside"s)), "text\0with\0nuls"s);
  EXPECT_EQ((Cache<Bytes, Bytes>(dir_.path()).at(to_bytes("\0"s))), to_bytes("\0\0\x01\0"s));
}

// --- 2. Values in value files ---------------------------------------------

TEST_F(PythonInteropTest, PythonReadsAndDeletesCppFileValues) {
  {
    Cache<> cache(dir_.path());
    cache.set("big-text", big_text());
    cache.set("big-bytes", big_bytes());
  }
  ASSERT_EQ(value_files().size(), 2u);
  EXPECT_EQ(python("file_values.py", "check-and-delete"), 0);
  EXPECT_EQ(value_files().size(), 0u);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.size(), 0);
  EXPECT_FALSE(cache.contains("big-text"));
}

TEST_F(PythonInteropTest, CppReadsAndDeletesPythonFileValues) {
  ASSERT_EQ(python("file_values.py", "write"), 0);
  ASSERT_EQ(value_files().size(), 2u);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.get("big-text"), Value(big_text()));
  EXPECT_EQ(cache.get("big-bytes"), Value(big_bytes()));
  EXPECT_TRUE(cache.erase("big-text"));
  EXPECT_EQ(value_files().size(), 1u);
  EXPECT_EQ(cache.pop("big-bytes"), Value(big_bytes()));
  EXPECT_EQ(value_files().size(), 0u);
  EXPECT_EQ(cache.size(), 0);
}

// --- 3. Expiry and tags -----------------------------------------------------

TEST_F(PythonInteropTest, PythonReadsCppExpiryTimesAndTags) {
  const double now = unix_seconds(Clock::now());
  {
    Cache<> cache(dir_.path());
    cache.set("session", "token", {.expire = 1h, .tag = "web"});
    cache.set("short", to_bytes("x"), {.expire = 60s, .tag = to_bytes("\0tag"s)});
    cache.set("forever", 1, {.tag = 7});
    cache.set("plain", "p");
  }
  EXPECT_EQ(python("expiry_tags.py", "check", {std::to_string(now)}), 0);
}

TEST_F(PythonInteropTest, CppReadsPythonExpiryTimesAndTags) {
  const Clock::time_point before = Clock::now();
  ASSERT_EQ(python("expiry_tags.py", "write"), 0);
  const Clock::time_point after = Clock::now();
  Cache<> cache(dir_.path());

  auto session = cache.get_entry("session");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->value, Value("token"));
  EXPECT_EQ(session->tag, Value("web"));
  ASSERT_TRUE(session->expire_time);
  EXPECT_GE(*session->expire_time, before + 1h - 1s);
  EXPECT_LE(*session->expire_time, after + 1h + 1s);

  auto short_lived = cache.get_entry("short");
  ASSERT_TRUE(short_lived);
  EXPECT_EQ(short_lived->value, Value(to_bytes("x")));
  EXPECT_EQ(short_lived->tag, Value(to_bytes("\0tag"s)));
  ASSERT_TRUE(short_lived->expire_time);
  EXPECT_GE(*short_lived->expire_time, before + 60s - 1s);
  EXPECT_LE(*short_lived->expire_time, after + 60s + 1s);

  auto forever = cache.get_entry("forever");
  ASSERT_TRUE(forever);
  EXPECT_EQ(forever->value, Value(1));
  EXPECT_EQ(forever->tag, Value(7));
  EXPECT_EQ(forever->expire_time, std::nullopt);

  auto plain = cache.get_entry("plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->tag, std::nullopt);
  EXPECT_EQ(plain->expire_time, std::nullopt);
}

TEST_F(PythonInteropTest, PythonEvictsCppTaggedItems) {
  {
    Cache<> cache(dir_.path());
    cache.set("red-1", 1, {.tag = "red"});
    cache.set("red-2", big_bytes(), {.tag = "red"});
    cache.set("blue", 2, {.tag = "blue"});
    cache.set("untagged", 3);
  }
  ASSERT_EQ(value_files().size(), 1u);
  EXPECT_EQ(python("expiry_tags.py", "evict", {"red", "2"}), 0);
  Cache<> cache(dir_.path());
  EXPECT_FALSE(cache.contains("red-1"));
  EXPECT_FALSE(cache.contains("red-2"));
  EXPECT_EQ(cache.get("blue"), Value(2));
  EXPECT_EQ(cache.get("untagged"), Value(3));
  EXPECT_EQ(value_files().size(), 0u);
}

TEST_F(PythonInteropTest, CppEvictsPythonTaggedItems) {
  ASSERT_EQ(python("expiry_tags.py", "write-tagged"), 0);
  ASSERT_EQ(value_files().size(), 1u);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.evict("red"), 2);
  EXPECT_FALSE(cache.contains("red-1"));
  EXPECT_FALSE(cache.contains("red-2"));
  EXPECT_EQ(cache.get("blue"), Value(2));
  EXPECT_EQ(cache.get("untagged"), Value(3));
  EXPECT_EQ(cache.size(), 2);
  EXPECT_EQ(value_files().size(), 0u);
  EXPECT_EQ(python("expiry_tags.py", "evict", {"blue", "1"}), 0);
}

// --- 4. Settings, len and incr ----------------------------------------------

TEST_F(PythonInteropTest, PythonSeesCppSettings) {
  {
    Cache<> cache(dir_.path(), {.size_limit = 12'345'678,
                                .cull_limit = 3,
                                .eviction_policy = EvictionPolicy::LeastFrequentlyUsed,
                                .statistics = true,
                                .tag_index = true,
                                .disk_min_file_size = 1000});
  }
  EXPECT_EQ(python("settings.py", "expect",
                   {"size_limit=12345678", "cull_limit=3", "eviction_policy=least-frequently-used",
                    "statistics=1", "tag_index=1", "disk_min_file_size=1000"}),
            0);
  // Python rewrote every setting it read; C++ still reads the same ones.
  Cache<> cache(dir_.path());
  const Settings settings = cache.settings();
  EXPECT_EQ(settings.size_limit, 12'345'678);
  EXPECT_EQ(settings.cull_limit, 3);
  EXPECT_EQ(settings.eviction_policy.value(), EvictionPolicy::LeastFrequentlyUsed);
  EXPECT_EQ(settings.statistics, true);
  EXPECT_EQ(settings.tag_index, true);
  EXPECT_EQ(settings.disk_min_file_size, 1000);
}

TEST_F(PythonInteropTest, EvictionPolicyNamesMatchPython) {
  Cache<> cache(dir_.path());
  for (const auto& [policy, name] :
       {std::pair{EvictionPolicy::LeastRecentlyStored, "least-recently-stored"},
        std::pair{EvictionPolicy::LeastRecentlyUsed, "least-recently-used"},
        std::pair{EvictionPolicy::LeastFrequentlyUsed, "least-frequently-used"},
        std::pair{EvictionPolicy::None, "none"}}) {
    cache.reset({.eviction_policy = policy});
    EXPECT_EQ(python("settings.py", "expect", {"eviction_policy="s + name}), 0) << name;
  }
}

TEST_F(PythonInteropTest, CppSeesPythonSettings) {
  // size_limit is above the volume of a small cache, so nothing below is
  // evicted.
  ASSERT_EQ(python("settings.py", "create",
                   {"size_limit=1234567", "cull_limit=4", "eviction_policy=least-recently-used",
                    "disk_min_file_size=2048"}),
            0);
  Cache<> cache(dir_.path());
  const Settings settings = cache.settings();
  EXPECT_EQ(settings.size_limit, 1234567);
  EXPECT_EQ(settings.cull_limit, 4);
  EXPECT_EQ(settings.eviction_policy.value(), EvictionPolicy::LeastRecentlyUsed);
  EXPECT_EQ(settings.disk_min_file_size, 2048);
  // The stored disk_min_file_size applies to C++ writes.
  cache.set("over", Bytes(3000));
  cache.set("under", Bytes(1000));
  EXPECT_EQ(value_files().size(), 1u);
  EXPECT_EQ(python("settings.py", "expect",
                   {"size_limit=1234567", "eviction_policy=least-recently-used"}),
            0);
}

TEST_F(PythonInteropTest, LenAndIncrAgreeAcrossLanguages) {
  Cache<> cache(dir_.path());
  cache.set("a", 1);
  cache.set("b", "two");
  cache.set("c", 3.0);
  EXPECT_EQ(cache.incr("hits", 5), 5);
  ASSERT_EQ(cache.size(), 4);
  EXPECT_EQ(python("incr.py", "run", {"4", "hits", "7", "12"}), 0);
  EXPECT_EQ(cache.incr("hits"), 13);
  EXPECT_EQ(cache.decr("hits", 20), -7);
  EXPECT_EQ(python("incr.py", "run", {"4", "hits", "-1", "-8"}), 0);
  // A key Python's incr creates is a raw int for C++.
  EXPECT_EQ(python("incr.py", "run", {"4", "fresh", "2", "2"}), 0);
  EXPECT_EQ(cache.size(), 5);
  EXPECT_EQ(cache.get("fresh"), Value(2));
  EXPECT_EQ(cache.incr("fresh", kInt64Max - 2), kInt64Max);
  EXPECT_EQ(python("incr.py", "run", {"5", "fresh", "0", std::to_string(kInt64Max)}), 0);
}

// --- 5. Pickled Python values -----------------------------------------------
// Read into Values by the pickle codec; pickle_interop_test.cpp has the rest.

TEST_F(PythonInteropTest, PythonPickledValuesReadAsValues) {
  ASSERT_EQ(python("pickled.py", "write"), 0);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.get("tuple"), Value(Tuple{1, "two", 3.0}));
  EXPECT_EQ(cache.get("dict"), Value(Dict{{"a", List{1, 2}}}));
  List big;
  for (int i = 0; i < 20'000; ++i) big.push_back(i);
  EXPECT_EQ(cache.get("big-list"), Value(big));  // read from its value file
  EXPECT_EQ(cache.get("plain"), Value("still readable"));
  EXPECT_TRUE(cache.set("after", 1));
  EXPECT_EQ(cache.size(), 5);
  // Removing a pickle from C++ removes its value file too.
  ASSERT_EQ(value_files().size(), 1u);
  EXPECT_TRUE(cache.erase("big-list"));
  EXPECT_EQ(value_files().size(), 0u);
}

TEST_F(PythonInteropTest, PickleReadAsAnotherTypeNamesTheKey) {
  ASSERT_EQ(python("pickled.py", "write"), 0);
  Cache<std::string, std::string> cache(dir_.path());
  try {
    cache.get("tuple");
    FAIL() << "get of a pickle as std::string must throw";
  } catch (const SerializationError& error) {
    // SPEC 8: messages name the key where known; get() knows it.
    const std::string message = error.what();
    EXPECT_NE(message.find("'tuple'"), std::string::npos) << message;
    EXPECT_NE(message.find("pickle"), std::string::npos) << message;
    EXPECT_NE(message.find(dir_.path().string()), std::string::npos) << message;
    EXPECT_EQ(error.key(), "'tuple'");
  }
  EXPECT_TRUE(cache.contains("tuple"));
}

TEST_F(PythonInteropTest, PythonTupleKeyIsReadAndFound) {
  // A tuple key is pickled with raw = 0: Cache<> reads it as a Tuple and
  // finds the item again by it.
  ASSERT_EQ(python("pickled.py", "write-key"), 0);
  Cache<> cache(dir_.path());
  const auto item = cache.peekitem();
  ASSERT_TRUE(item);
  EXPECT_EQ(item->first, Value(Tuple{1, "two"}));
  EXPECT_EQ(cache.get(Tuple{1, "two"}), Value("value of a tuple key"));
  EXPECT_TRUE(cache.set(Tuple{1, "two"}, "replaced from C++"));
  EXPECT_EQ(cache.size(), 1);
}

// --- 6. check() on the other side's directory --------------------------------

TEST_F(PythonInteropTest, PythonCheckAcceptsCppDirectory) {
  {
    Cache<> cache(dir_.path());
    for (int i = 0; i < 5; ++i) {
      cache.set("text-" + std::to_string(i), big_text());
      cache.set("bytes-" + std::to_string(i), big_bytes());
      cache.set(i, "small " + std::to_string(i));
    }
    cache.erase("text-0");
    cache.pop("bytes-1");
    cache.set("text-2", "now small");
    cache.set("bytes-3", Bytes(50'000));
    cache.set("tagged", big_text(), {.tag = "drop"});
    EXPECT_EQ(cache.evict("drop"), 1);
    cache.set("expiring", big_bytes(), {.expire = 1ms});
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(cache.expire(), 1);
    EXPECT_EQ(cache.size(), 13);
    EXPECT_EQ(cache.check(), std::vector<std::string>{});
  }
  EXPECT_EQ(value_files().size(), 7u);
  EXPECT_EQ(python("check.py", "clean"), 0);
}

TEST_F(PythonInteropTest, CppCheckAcceptsPythonDirectory) {
  ASSERT_EQ(python("check.py", "populate"), 0);
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.size(), 13);
  EXPECT_EQ(cache.check(), std::vector<std::string>{});
  EXPECT_EQ(cache.get("text-1"), Value(big_text()));
  EXPECT_EQ(cache.get("text-2"), Value("now small"));
}

}  // namespace
}  // namespace diskcache
