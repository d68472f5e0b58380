// Several processes on one cache directory: atomic counters, whole values
// only, fork safety.
#include <gtest/gtest.h>

#include <chrono>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::run_children;
using testing::run_in_child;
using testing::TempDir;

TEST(MultiprocessTest, IncrFromFourProcessesIsExact) {
  TempDir dir;
  { Cache<> cache(dir.path()); }
  auto statuses = run_children(4, [&](int) {
    Cache<> cache(dir.path());
    for (int i = 0; i < 2000; ++i) cache.incr("counter", 1, 0, /*retry=*/true);
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(4, 0));
  Cache<> cache(dir.path());
  EXPECT_EQ(cache.at("counter").as<std::int64_t>(), 8000);
}

TEST(MultiprocessTest, ChildUsesCacheInheritedAcrossFork) {
  TempDir dir;
  Cache<std::string, int> cache(dir.path());
  cache.set("before", 1);  // the parent's connection exists now
  const int status = run_in_child([&] {
    if (cache.at("before") != 1) return 1;
    cache.set("child", 2);
    return 0;
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(cache.at("child"), 2);  // the parent's connection still works
  cache.set("after", 3);
  EXPECT_EQ(cache.at("after"), 3);
  EXPECT_TRUE(cache.check().empty());
}

// A value that can be checked whole: `length` copies of `fill`.
std::string pattern(char fill, std::size_t length) { return std::string(length, fill); }

bool is_whole(const std::string& value) {
  if (value.empty()) return false;
  const bool known_length = value.size() == 100 || value.size() == 50000;
  return known_length && value.find_first_not_of(value[0]) == std::string::npos;
}

TEST(MultiprocessTest, ConcurrentSetAndGetSeeOnlyWholeValues) {
  TempDir dir;
  {
    Cache<std::string, std::string> cache(dir.path());
    cache.set("shared", pattern('a', 100));
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  auto statuses = run_children(4, [&](int index) {
    Cache<std::string, std::string> cache(dir.path());
    int round = 0;
    while (std::chrono::steady_clock::now() < until) {
      if (index < 2) {
        // Writers alternate inline and file-sized values.
        const char fill = static_cast<char>('a' + (index * 10 + round % 10));
        cache.set("shared", pattern(fill, round % 2 ? 50000 : 100), {.retry = true});
      } else {
        std::optional<std::string> value = cache.get("shared", {.retry = true});
        if (!value || !is_whole(*value)) return 1;
      }
      ++round;
    }
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(4, 0));
  Cache<std::string, std::string> cache(dir.path());
  EXPECT_TRUE(is_whole(cache.at("shared")));
  EXPECT_TRUE(cache.check().empty());
}

TEST(MultiprocessTest, AddSucceedsInExactlyOneProcess) {
  TempDir dir;
  { Cache<> cache(dir.path()); }
  auto statuses = run_children(4, [&](int index) {
    Cache<> cache(dir.path());
    return cache.add("winner", index, {.retry = true}) ? 10 : 0;
  });
  int winners = 0;
  for (int status : statuses) winners += status == 10;
  EXPECT_EQ(winners, 1);
}

}  // namespace
}  // namespace diskcache
