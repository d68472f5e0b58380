// SQLite stores a NaN REAL as NULL. set(k, NaN) returned true and stored
// NULL: Cache<> read None back, Cache<std::string, double> threw on get, and
// `diskcache set DIR v nan` printed None although docs/cli.md promised a
// REAL. A NaN key became a NULL key that no lookup matches, so every set of
// it added another unreachable row; a NaN expire was stored as NULL, which
// means "never expires". Python diskcache 5.4 does all of this too. Now every
// NaN that would be stored is refused (SerializationError for a key, value
// or tag, Error for an expire), and the tool refuses `nan` with status 2.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "diskcache/cache.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(NanStoredAsNull, ValueIsRefusedAndThePreviousOneKept) {
  TempDir dir;
  Cache<std::string, double> cache(dir.path());
  cache.set("k", 1.5);
  try {
    cache.set("k", kNaN);
    FAIL() << "set of NaN returned";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("key 'k'"), std::string::npos) << error.what();
    EXPECT_EQ(error.key(), "'k'");
  }
  EXPECT_EQ(cache.get("k"), 1.5);
  EXPECT_THROW(cache.add("new", kNaN), SerializationError);
  EXPECT_FALSE(cache.contains("new"));

  Cache<> values(dir.path());
  EXPECT_THROW(values.set("v", Value(kNaN)), SerializationError);
  EXPECT_FALSE(values.contains("v"));
  EXPECT_EQ(values.set("inf", Value(std::numeric_limits<double>::infinity())), true);
}

TEST(NanStoredAsNull, KeyIsRefusedAndAddsNoRow) {
  TempDir dir;
  Cache<double, int> cache(dir.path());
  for (int i = 0; i < 3; ++i) EXPECT_THROW(cache.set(kNaN, i), SerializationError);
  EXPECT_EQ(cache.size(), 0);
  EXPECT_THROW(cache.get(kNaN), SerializationError);
}

TEST(NanStoredAsNull, TagIsRefused) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  EXPECT_THROW(cache.set("k", 1, {.tag = Value(kNaN)}), SerializationError);
  EXPECT_FALSE(cache.contains("k"));
}

TEST(NanStoredAsNull, ExpireIsRefusedNotNeverExpiring) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  const std::chrono::duration<double> nan_seconds(kNaN);
  EXPECT_THROW(cache.set("k", 1, {.expire = nan_seconds}), Error);
  EXPECT_FALSE(cache.contains("k"));
  cache.set("k", 1, {.expire = std::chrono::hours(1)});
  EXPECT_THROW(cache.touch("k", nan_seconds), Error);
  ASSERT_TRUE(cache.get_entry("k")->expire_time.has_value());
  Cache<int, int> queue(dir.path() / "queue");
  EXPECT_THROW(queue.push(1, std::nullopt, Side::Back, {.expire = nan_seconds}), Error);
  EXPECT_THROW(queue.push(1, std::nullopt, Side::Back, {.tag = Value(kNaN)}), SerializationError);
  EXPECT_EQ(queue.size(), 0);
}

#ifdef DISKCACHE_TEST_TOOL
TEST(NanStoredAsNull, ToolRefusesNanWithUsageStatus) {
  TempDir dir;
  const std::string cache = (dir.path() / "c").string();
  auto tool = [](const std::vector<std::string>& arguments) {
    return testing::run_program(DISKCACHE_TEST_TOOL, arguments);
  };
  const testing::ToolResult value = tool({"set", cache, "v", "nan", "--create"});
  EXPECT_EQ(value.status, 2) << value.err;
  EXPECT_NE(value.err.find("nan"), std::string::npos) << value.err;
  EXPECT_EQ(tool({"set", cache, "nan", "1", "--create"}).status, 2);
  EXPECT_EQ(tool({"set", cache, "e", "1", "--expire", "nan", "--create"}).status, 2);
  // Refused before anything is opened: not even the cache was created.
  EXPECT_FALSE(std::filesystem::exists(cache));
  const testing::ToolResult text = tool({"set", cache, "t", "'nan'", "--create"});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(tool({"get", cache, "t"}).out, "'nan'\n");
}
#endif

}  // namespace
}  // namespace diskcache
