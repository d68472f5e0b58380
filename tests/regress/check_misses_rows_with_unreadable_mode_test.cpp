// A row whose mode no reader understands (an unknown mode, mode 1 "raw"
// naming a value file, mode 2 or 3 "file" without one) made get() throw
// CorruptionError, but check() did not report it, so check(fix) could not
// clean it: the key stayed unreadable for ever. Now check() reports each
// such row, and check(fix) removes it (and the value file it names) and
// says so. A mode of 2^32 + 1 was read as mode 1: the cast to Mode kept
// only the low 32 bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

// A value-file name of the library's scheme that no row uses yet.
constexpr const char* kPlantedFile = "0a/0b/0c0d0e0f1011121314151617181a.val";

int mentioning(const std::vector<std::string>& problems, const std::string& part) {
  return static_cast<int>(std::count_if(problems.begin(), problems.end(), [&](const auto& p) {
    return p.find(part) != std::string::npos;
  }));
}

class CheckUnreadableModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Cache<> cache(dir_.path());
    cache.set("unknown", 1);
    cache.set("wrapping", 5);
    cache.set("raw_with_file", 2);
    cache.set("file_without_file", 3);
    cache.set("fine", "kept");
    // A raw row naming a real file of the right size: only its mode is wrong.
    std::filesystem::create_directories(dir_.path() / "0a" / "0b");
    std::ofstream(dir_.path() / kPlantedFile) << "xy";
    testing::SqliteProbe db(dir_.path());
    db.row("UPDATE Cache SET mode = 9 WHERE key = 'unknown'");
    db.row("UPDATE Cache SET mode = 4294967297 WHERE key = 'wrapping'");  // 2^32 + 1
    db.row(std::string("UPDATE Cache SET filename = '") + kPlantedFile +
           "', size = 2 WHERE key = 'raw_with_file'");
    db.row("UPDATE Cache SET mode = 2, value = NULL WHERE key = 'file_without_file'");
  }

  TempDir dir_;
};

TEST_F(CheckUnreadableModeTest, CheckReportsEveryRowGetRefuses) {
  Cache<> cache(dir_.path());
  for (const char* key : {"unknown", "wrapping", "raw_with_file", "file_without_file"}) {
    EXPECT_THROW(cache.get(key), CorruptionError) << key;
  }
  const std::vector<std::string> problems = cache.check();
  EXPECT_EQ(mentioning(problems, "unknown value mode 9"), 1) << ::testing::PrintToString(problems);
  EXPECT_EQ(mentioning(problems, "unknown value mode 4294967297"), 1);
  EXPECT_EQ(mentioning(problems, "mode 1 (raw) with a value file"), 1);
  EXPECT_EQ(mentioning(problems, "mode 2 without a value file"), 1);
  EXPECT_EQ(mentioning(problems, "removed"), 0);
  EXPECT_EQ(cache.size(), 5);
}

TEST_F(CheckUnreadableModeTest, FixRemovesThemAndTheirFilesAndSaysSo) {
  Cache<> cache(dir_.path());
  const std::vector<std::string> problems = cache.check(/*fix=*/true);
  EXPECT_EQ(mentioning(problems, "removed"), 4) << ::testing::PrintToString(problems);
  EXPECT_EQ(cache.size(), 1);
  for (const char* key : {"unknown", "wrapping", "raw_with_file", "file_without_file"}) {
    EXPECT_FALSE(cache.get(key).has_value()) << key;
  }
  EXPECT_EQ(cache.get("fine"), Value("kept"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / kPlantedFile));
  EXPECT_TRUE(cache.check().empty()) << ::testing::PrintToString(cache.check());
}

}  // namespace
}  // namespace diskcache
