// `diskcache load` parsed each line with RapidJSON's recursive parser, so a
// line of about 134,000 '[' (130 KB) exhausted the stack and the tool died
// of SIGSEGV. It now parses iteratively (kParseIterativeFlag), so nesting
// costs heap, not stack, and such a line is a bad line like any other:
// status 2 (usage/input error) naming the line, every line before it stored.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

#ifdef DISKCACHE_TEST_TOOL
constexpr int kUsage = 2;

testing::ToolResult load(const std::string& directory, const std::string& input) {
  return testing::run_program(DISKCACHE_TEST_TOOL, {"load", directory, "--create"}, input);
}

TEST(LoadDeeplyNestedJson, UnclosedBracketsAreABadLineNotACrash) {
  TempDir dir;
  const testing::ToolResult result = load(dir.path().string(), std::string(134000, '[') + "\n");
  EXPECT_EQ(result.status, kUsage) << result.err;
  EXPECT_NE(result.err.find("line 1"), std::string::npos) << result.err;
}

TEST(LoadDeeplyNestedJson, BalancedDeepValueIsRefusedNamingItsLine) {
  TempDir dir;
  constexpr std::size_t kDepth = 200000;
  const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  const std::string input =
      "{\"key\": \"first\", \"value\": 1}\n{\"key\": \"k\", \"value\": " + deep +
      "}\n{\"key\": \"after\", \"value\": 2}\n";
  const testing::ToolResult result = load(dir.path().string(), input);
  EXPECT_EQ(result.status, kUsage) << result.err;
  EXPECT_NE(result.err.find("line 2"), std::string::npos) << result.err;
  Cache<> cache(dir.path());
  EXPECT_EQ(cache.get("first"), Value(1));
  EXPECT_FALSE(cache.contains("k"));
  EXPECT_FALSE(cache.contains("after"));
}

TEST(LoadDeeplyNestedJson, RefusedValuesAreBadLinesToo) {
  TempDir dir;
  for (const std::string& line : {std::string(R"({"key": "n", "value": {"float": "nan"}})"),
                                  std::string(R"({"key": "s", "value": "\udc80"})")}) {
    const testing::ToolResult result = load(dir.path().string(), line + "\n");
    EXPECT_EQ(result.status, kUsage) << line << ": " << result.err;
    EXPECT_NE(result.err.find("line 1"), std::string::npos) << result.err;
  }
}
#else
TEST(LoadDeeplyNestedJson, NeedsTheTool) { GTEST_SKIP() << "built without the diskcache tool"; }
#endif

}  // namespace
}  // namespace diskcache
