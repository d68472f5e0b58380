// `diskcache load` parsed each line with RapidJSON's recursive parser, so a
// line of about 134,000 '[' (130 KB) exhausted the stack and the tool died
// of SIGSEGV. It now parses iteratively (kParseIterativeFlag), so nesting
// costs heap, not stack, and such a line is a bad line like any other:
// status 2 (usage/input error) naming the line, every line before it stored.
//
// The parsed line could still crash it: read_cell read {"encoded": X} by
// calling itself on X, so a key of a million nested {"encoded": ...}
// (12 MB) recursed off the stack, and `get --key-json`, which reads its KEY
// the same way, took ten thousand of them as one encoded key. write_cell
// never nests them, so read_cell now reads one level and refuses another
// inside it, without recursion.
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
// `levels` {"encoded": ...} around the key "k".
std::string nested_encoded(std::size_t levels) {
  std::string json;
  for (std::size_t i = 0; i < levels; ++i) json += "{\"encoded\":";
  return json + "\"k\"" + std::string(levels, '}');
}

TEST(LoadDeeplyNestedJson, NestedEncodedKeysAreABadLineNotACrash) {
  TempDir dir;
  const std::string input =
      "{\"key\": \"first\", \"value\": 1}\n{\"key\": " + nested_encoded(1000000) +
      ", \"value\": 2}\n";
  const testing::ToolResult result = load(dir.path().string(), input);
  EXPECT_EQ(result.status, kUsage) << result.err.substr(0, 200);
  EXPECT_NE(result.err.find("line 2: key: expected null, a number"), std::string::npos)
      << result.err.substr(0, 200);
  Cache<> cache(dir.path());
  EXPECT_EQ(cache.get("first"), Value(1));
}

TEST(LoadDeeplyNestedJson, NestedEncodedKeyJsonIsRefused) {
  TempDir dir;
  { Cache<> cache(dir.path()); }
  // Two levels, and ten thousand: about as many as one argument holds
  // (128 KiB on Linux).
  for (const std::size_t levels : {std::size_t{2}, std::size_t{10000}}) {
    const std::string key = nested_encoded(levels);
    const testing::ToolResult result =
        testing::run_program(DISKCACHE_TEST_TOOL, {"get", dir.path().string(), "--key-json", key});
    EXPECT_EQ(result.status, kUsage) << levels;
    EXPECT_EQ(result.err.rfind("diskcache: malformed JSON key " + key + ": expected null", 0), 0u)
        << result.err.substr(0, 200);
  }
}
#else
TEST(LoadDeeplyNestedJson, NeedsTheTool) { GTEST_SKIP() << "built without the diskcache tool"; }
#endif

}  // namespace
}  // namespace diskcache
