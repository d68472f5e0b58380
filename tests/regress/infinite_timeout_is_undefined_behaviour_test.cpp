// The tool's number options refused NaN but let infinity and huge numbers
// through: `diskcache --timeout inf` (or 1e300) reached the conversion of
// the seconds to whole milliseconds, and `watch --interval inf` the
// conversion inside sleep_for, both undefined for a value no integer holds
// (on x86 the timeout came out negative and the command failed with status
// 8, naming a setting the user never gave). An integer option given "1.5"
// got CLI11's "Could not convert" instead of the tool's own message. Now
// each is refused with status 2, saying what to type instead.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

#ifdef DISKCACHE_TEST_TOOL
constexpr int kUsage = 2;

// The tool under timeout(1), so that a sleep it never ends fails the test
// instead of hanging it.
testing::ToolResult bounded(const std::vector<std::string>& arguments) {
  std::vector<std::string> all{"10", DISKCACHE_TEST_TOOL};
  all.insert(all.end(), arguments.begin(), arguments.end());
  return testing::run_program("timeout", all);
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST(InfiniteTimeoutIsUndefinedBehaviour, TimeoutsNoMillisecondCountHoldsAreRefused) {
  testing::TempDir dir;
  const std::string path = dir.path().string();
  Cache<>(dir.path()).set("k", 1);
  const std::string wanted =
      "give the seconds to wait for a locked database, more than 0 and at most 1000000000 (about "
      "31 years)";
  for (const char* seconds : {"inf", "-inf", "infinity", "1e300", "1e400", "1000000001"}) {
    const testing::ToolResult result = bounded({"--timeout", seconds, "get", path, "k"});
    EXPECT_EQ(result.status, kUsage) << seconds << ": " << result.err;
    EXPECT_EQ(result.out, "") << seconds;
    EXPECT_EQ(first_line(result.err),
              "diskcache: --timeout: " + std::string(seconds) + " is out of range: " + wanted)
        << seconds;
  }
  EXPECT_EQ(bounded({"--timeout", "1000000000", "get", path, "k"}).out, "1\n");
}

TEST(InfiniteTimeoutIsUndefinedBehaviour, AnIntervalSleepForCannotHoldIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.path().string();
  Cache<>(dir.path()).set("k", 1);
  for (const char* seconds : {"inf", "1e300"}) {
    const testing::ToolResult result =
        bounded({"watch", path, "--interval", seconds, "--count", "2"});
    EXPECT_EQ(result.status, kUsage) << seconds << ": " << result.err;
    EXPECT_EQ(result.out, "") << seconds;
    EXPECT_EQ(first_line(result.err),
              "diskcache: --interval: " + std::string(seconds) +
                  " is out of range: give the seconds between lines, more than 0 and at most "
                  "1000000000 (about 31 years)")
        << seconds;
  }
}

TEST(InfiniteTimeoutIsUndefinedBehaviour, AFractionForACountIsRefusedByTheTool) {
  testing::TempDir dir;
  const std::string path = dir.path().string();
  Cache<>(dir.path()).set("k", 1);
  const testing::ToolResult count = bounded({"watch", path, "--count", "1.5"});
  EXPECT_EQ(count.status, kUsage) << count.err;
  EXPECT_EQ(first_line(count.err),
            "diskcache: --count: 1.5 is not a whole number: give the number of lines to print, 0 "
            "or more");
  const testing::ToolResult limit = bounded({"keys", path, "--limit", "1.5"});
  EXPECT_EQ(limit.status, kUsage) << limit.err;
  EXPECT_EQ(first_line(limit.err),
            "diskcache: --limit: 1.5 is not a whole number: give the number of keys to print, 0 "
            "or more");
  const testing::ToolResult huge = bounded({"keys", path, "--limit", "99999999999999999999"});
  EXPECT_EQ(huge.status, kUsage) << huge.err;
  EXPECT_EQ(first_line(huge.err),
            "diskcache: --limit: 99999999999999999999 is out of range: give the number of keys "
            "to print, 0 or more");
}
#else
TEST(InfiniteTimeoutIsUndefinedBehaviour, NeedsTheTool) {
  GTEST_SKIP() << "built without the diskcache tool";
}
#endif

}  // namespace
}  // namespace diskcache
