// A cache.db cut short by one byte opened without complaint: SQLite reads a
// last page cut short as if the missing bytes were zeros, so
// `PRAGMA integrity_check` said ok, check() in C++ and Python found
// nothing, and a value stored in the last page read back with its last
// byte turned to NUL. A cache.db whose size is not a whole number of pages
// is now refused at open with CorruptionError, and check() reports it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

// Inline values (below Settings::disk_min_file_size) filling a few pages;
// the last one set lies at the end of cache.db.
void fill(Cache<std::string, std::string>& cache) {
  for (int i = 0; i < 20; ++i) cache.set("key-" + std::to_string(i), std::string(1000, 'v'));
}

void cut_one_byte(const std::filesystem::path& directory) {
  const std::filesystem::path database = directory / "cache.db";
  std::filesystem::resize_file(database, std::filesystem::file_size(database) - 1);
}

TEST(TruncatedDatabaseTest, OpeningADatabaseCutByOneByteThrowsCorruptionError) {
  TempDir dir;
  {
    Cache<std::string, std::string> cache(dir.path());
    fill(cache);
  }  // closed: checkpointed, the WAL is gone
  ASSERT_FALSE(std::filesystem::exists(dir / "cache.db-wal"));
  cut_one_byte(dir.path());

  try {
    Cache<std::string, std::string> cache(dir.path());
    for (int i = 0; i < 20; ++i) {
      const std::string key = "key-" + std::to_string(i);
      EXPECT_EQ(cache.get(key), std::string(1000, 'v')) << key;
    }
    ADD_FAILURE() << "a cache.db cut short opened";
  } catch (const CorruptionError& error) {
    EXPECT_NE(std::string(error.what()).find("not a whole number of"), std::string::npos)
        << error.what();
    EXPECT_EQ(error.directory(), dir.path());
  }
}

TEST(TruncatedDatabaseTest, CheckReportsADatabaseCutWhileOpenAndRepairsNothing) {
  TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  fill(cache);
  cut_one_byte(dir.path());
  const auto size = std::filesystem::file_size(dir / "cache.db");

  for (bool fix : {false, true}) {
    const std::vector<std::string> problems = cache.check(fix);
    bool reported = false;
    for (const std::string& problem : problems) {
      reported = reported || problem.find("not a whole number of") != std::string::npos;
    }
    EXPECT_TRUE(reported) << "check(" << fix << ") found " << problems.size() << " problems";
  }
  EXPECT_EQ(std::filesystem::file_size(dir / "cache.db"), size);
}

}  // namespace
}  // namespace diskcache
