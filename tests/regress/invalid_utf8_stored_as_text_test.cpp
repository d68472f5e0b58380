// Strings that are not valid UTF-8 (stray bytes, overlong forms, encoded
// surrogates such as the '\udc80' a command line can carry) were stored as
// TEXT. Python's sqlite3 decodes every TEXT it reads as UTF-8, so from then
// on Python could not read the item nor iterate the cache. Now such text is
// refused wherever it would become TEXT (keys, values, tags, queue
// prefixes), with a SerializationError naming the key, and the tool refuses
// it with status 2.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/detail/utf8.hpp"
#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

bool valid(const std::string& text) { return detail::invalid_utf8_offset(text) == text.size(); }

TEST(InvalidUtf8StoredAsText, ValidatorFollowsTheUnicodeTable) {
  for (const std::string& text : std::vector<std::string>{
           "", "plain ascii text longer than eight bytes", "\x7f", "\xc2\x80", "\xdf\xbf",
           "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
           "\xf4\x8f\xbf\xbf", "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e",
           std::string(1, '\0')}) {
    EXPECT_TRUE(valid(text)) << ::testing::PrintToString(text);
  }
  for (const std::string& text : std::vector<std::string>{
           "\x80", "\xff", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xb2\x80",
           "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xc3",
           "\xe2\x28\xa1", std::string(20, 'a') + "\xff", "abcdefg\xc3"}) {
    EXPECT_FALSE(valid(text)) << ::testing::PrintToString(text);
  }
  EXPECT_EQ(detail::invalid_utf8_offset(std::string(20, 'a') + "\xed\xb2\x80"), 20u);
}

TEST(InvalidUtf8StoredAsText, KeysValuesAndTagsAreRefused) {
  TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  try {
    cache.set("k", "caf\xe9");
    FAIL() << "text that is not UTF-8 was stored";
  } catch (const SerializationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("key 'k'"), std::string::npos) << message;
    EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
  }
  EXPECT_THROW(cache.set("\xed\xb2\x80", "v"), SerializationError);
  EXPECT_THROW(cache.set("t", "v", {.tag = Value(std::string("\xc0\xaf"))}), SerializationError);
  // Long enough for a value file (mode 3, text read back as UTF-8 too).
  EXPECT_THROW(cache.set("big", std::string(100000, 'x') + "\xff"), SerializationError);
  Cache<> values(dir.path());
  EXPECT_THROW(values.set("v", Value(std::string("\xf4\x90\x80\x80"))), SerializationError);
  EXPECT_THROW(values.push(Value(1), std::string("jobs\xff")), SerializationError);
  EXPECT_EQ(cache.size(), 0);
  EXPECT_TRUE(cache.set("ok", "h\xc3\xa9llo"));
  EXPECT_EQ(cache.get("ok"), "h\xc3\xa9llo");
}

TEST(InvalidUtf8StoredAsText, PythonCanStillIterateTheCache) {
  TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  cache.set("ok", "fine");
  EXPECT_THROW(cache.set("bad", "\xff\xfe"), SerializationError);
  const std::string command = std::string(DISKCACHE_TEST_PYTHON) +
                              " -c 'import sys, diskcache; c = diskcache.Cache(sys.argv[1]); "
                              "sys.exit(0 if [(k, c[k]) for k in c] == [(\"ok\", \"fine\")] "
                              "else 1)' " +
                              testing::shell_quoted(dir.path().string());
  EXPECT_EQ(std::system(command.c_str()), 0);
}

#ifdef DISKCACHE_TEST_TOOL
TEST(InvalidUtf8StoredAsText, ToolRefusesItWithUsageStatus) {
  TempDir dir;
  const std::string cache = (dir.path() / "c").string();
  auto tool = [](const std::vector<std::string>& arguments) {
    return testing::run_program(DISKCACHE_TEST_TOOL, arguments);
  };
  const testing::ToolResult surrogate = tool({"set", cache, "k", "'\\udc80'", "--create"});
  EXPECT_EQ(surrogate.status, 2) << surrogate.err;
  EXPECT_NE(surrogate.err.find("surrogate"), std::string::npos) << surrogate.err;
  const testing::ToolResult bare = tool({"set", cache, "caf\xe9", "v", "--create"});
  EXPECT_EQ(bare.status, 2) << bare.err;
  EXPECT_NE(bare.err.find("UTF-8"), std::string::npos) << bare.err;
  EXPECT_EQ(tool({"set", cache, "k", "v", "--tag", "\xff", "--create"}).status, 2);
  // Refused before anything is opened: not even the cache was created.
  EXPECT_FALSE(std::filesystem::exists(cache));
  EXPECT_EQ(tool({"set", cache, "k", "'\\u00e9'", "--create"}).status, 0);
  EXPECT_EQ(tool({"get", cache, "k"}).out, "'\xc3\xa9'\n");
}
#endif

}  // namespace
}  // namespace diskcache
