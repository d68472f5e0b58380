// check() judged a file "cache.db"-related by its own name only, where
// Python's check skips every path that contains "cache.db". So check(fix)
// took the value files of the dead letters (cache.db-dead-letters/ab/cd/
// <name>.val, a cache directory inside the queue's) for orphans and deleted
// them, losing dead letters that Python's check(fix=True) keeps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

TEST(CheckFixDeletesFilesUnderCacheDbDirectories, TheyAreLeftAlone) {
  testing::TempDir dir;
  Cache<> cache(dir.path());
  const std::filesystem::path inside = dir.path() / "cache.db-dead-letters" / "ab" / "cd";
  std::filesystem::create_directories(inside);
  const std::filesystem::path file = inside / "0123456789abcdef0123456789ab.val";
  std::ofstream(file) << "a dead letter's value";
  // Old enough to be an orphan if it were one.
  std::filesystem::last_write_time(
      file, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  EXPECT_EQ(cache.check(/*fix=*/true), std::vector<std::string>{});
  EXPECT_TRUE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace diskcache
