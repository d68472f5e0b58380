// While a Python process held `with cache.transact():`, a C++ process could
// not even open the cache to read it: `diskcache --timeout 1 get DIR k`
// exited 6 with "database is locked" and the Cache constructor threw
// Timeout, because opening wrote the Settings rows and so waited for the
// write lock. Opening an existing cache now writes only settings that
// differ, so opening and reading never wait for a writer (Python's own
// Cache() does wait: it writes its settings on every open). And `diskcache
// stats` waited past its --timeout until the writer finished: reading the
// hit counters took the write lock and retried for ever. Without a reset,
// stats() now only reads.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "python_writer.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class OpenWaitsForAPythonWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    Cache<> cache(dir_.path());
    cache.set("k", "before");
    writer_.emplace(dir_.path());
  }
  void TearDown() override {
    if (writer_) {
      EXPECT_EQ(writer_->release(), 0);
    }
  }

  TempDir dir_;
  std::optional<testing::PythonWriter> writer_;
};

TEST_F(OpenWaitsForAPythonWriter, TheConstructorOpensAndReadsWithoutWaiting) {
  try {
    Cache<> cache(dir_.path(), {.timeout = 200ms});
    EXPECT_EQ(cache.at("k"), Value("before"));
    EXPECT_FALSE(cache.contains("during"));  // not committed yet
  } catch (const Timeout& error) {
    ADD_FAILURE() << "opening waited for Python's write lock: " << error.what();
  }
}

TEST_F(OpenWaitsForAPythonWriter, OpeningWithADifferentSettingWaitsAndSaysSo) {
  EXPECT_THROW((Cache<>(dir_.path(), {.size_limit = 12345, .timeout = 200ms})), Timeout);
}

TEST_F(OpenWaitsForAPythonWriter, ReadingTheStatisticsDoesNotWait) {
  try {
    Cache<> cache(dir_.path(), {.timeout = 200ms});
    const Stats stats = cache.stats(/*enable=*/false);  // statistics are off already
    EXPECT_EQ(stats.hits, 0);
  } catch (const Timeout& error) {
    ADD_FAILURE() << "stats() waited for Python's write lock: " << error.what();
  }
}

#ifdef DISKCACHE_TEST_TOOL
// The tool under coreutils' `timeout 20`: a tool that waits for the lock
// until Python gives up is killed (status 124) instead of passing late.
testing::ToolResult tool_within_20_seconds(const std::vector<std::string>& arguments) {
  std::vector<std::string> all{"20", DISKCACHE_TEST_TOOL, "--timeout", "1"};
  all.insert(all.end(), arguments.begin(), arguments.end());
  return testing::run_program("timeout", all);
}

TEST_F(OpenWaitsForAPythonWriter, TheToolReadsWithoutWaiting) {
  const testing::ToolResult got = tool_within_20_seconds({"get", dir_.path().string(), "k"});
  EXPECT_EQ(got.status, 0) << got.err;
  EXPECT_EQ(got.out, "'before'\n");
  const testing::ToolResult stats = tool_within_20_seconds({"stats", dir_.path().string()});
  EXPECT_EQ(stats.status, 0) << stats.err;
  EXPECT_NE(stats.out.find("items: 1\n"), std::string::npos) << stats.out;
}
#endif

}  // namespace
}  // namespace diskcache
