// `diskcache deque pop DIR` took any directory for a queue: a queue's front
// is its smallest integer key, so on an ordinary cache it removed and
// printed the item under the cache's smallest integer key (a user id, a
// date), without a word, and `deque push` added queue keys beside the
// cache's own. The deque commands now refuse a directory that holds
// anything but a queue (status 3, naming a key that shows it and the item
// pop would have removed) unless given --force.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/index.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

#ifdef DISKCACHE_TEST_TOOL
constexpr int kOk = 0;
constexpr int kNotACache = 3;

TEST(DequePopDeletesCacheKeys, AnOrdinaryCacheIsRefusedAndKeepsItsItems) {
  TempDir dir;
  const std::string path = dir.path().string();
  {
    Cache<> cache(dir.path());
    cache.set(7, "seven");
    cache.set(8, "eight");
    cache.set("name", "alice");
  }
  const std::string refusal =
      "diskcache: " + path +
      " is not a deque: it holds the key 7, which no deque push makes; deque pop would remove "
      "the item under 7 as the queue's front. Use get and delete on a cache, or --force to use "
      "it as a queue\n";
  for (const std::vector<std::string>& command : {std::vector<std::string>{"pop", path},
                                                  {"pop", path, "--back"},
                                                  {"peek", path},
                                                  {"len", path},
                                                  {"push", path, "job"}}) {
    const testing::ToolResult result = testing::run_deque(command);
    EXPECT_EQ(result.status, kNotACache) << command[0];
    EXPECT_EQ(result.out, "") << command[0];
    EXPECT_EQ(result.err, refusal) << command[0];
  }
  Cache<> cache(dir.path());
  EXPECT_EQ(cache.size(), 3);
  EXPECT_EQ(cache.get(7), Value("seven"));
}

TEST(DequePopDeletesCacheKeys, AnIndexOfDatesIsNotAQueue) {
  TempDir dir;
  Index<std::int64_t, std::string>(dir.path()).set(20240105, "launch");
  const testing::ToolResult result = testing::run_deque({"pop", dir.path().string()});
  EXPECT_EQ(result.status, kNotACache);
  EXPECT_NE(result.err.find("it holds the key 20240105, which no deque push makes"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE((Index<std::int64_t, std::string>(dir.path()).contains(20240105)));
}

TEST(DequePopDeletesCacheKeys, ForceUsesTheCacheAsAQueue) {
  TempDir dir;
  {
    Cache<> cache(dir.path());
    cache.set(7, "seven");
    cache.set("name", "alice");
  }
  const testing::ToolResult popped = testing::run_deque({"pop", dir.path().string(), "--force"});
  EXPECT_EQ(popped.status, kOk) << popped.err;
  EXPECT_EQ(popped.out, "'seven'\n");
  EXPECT_FALSE(Cache<>(dir.path()).contains(7));
}

TEST(DequePopDeletesCacheKeys, AQueueOnACacheOrADequeIsStillAQueue) {
  TempDir dir;
  {
    Cache<> cache(dir.path());
    cache.push("first");
    cache.push("second", {}, Side::Front);
  }
  EXPECT_EQ(testing::run_deque({"pop", dir.path().string()}).out, "'second'\n");
  TempDir made;
  Deque<std::string>(made.path()).push_back("job");
  EXPECT_EQ(testing::run_deque({"pop", made.path().string()}).out, "'job'\n");
}
#else
TEST(DequePopDeletesCacheKeys, NeedsTheTool) { GTEST_SKIP() << "built without the diskcache tool"; }
#endif

}  // namespace
}  // namespace diskcache
