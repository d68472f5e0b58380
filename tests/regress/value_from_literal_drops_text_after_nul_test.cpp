// Value's text constructor took a `const char*`, so a string literal reached
// it measured by strlen(): cache.set("k", "a\0b") stored the text 'a' and
// dropped the rest without a word, as to_bytes did before it. A literal now
// keeps every character it holds; a char pointer or a writable buffer is
// still a C string, which ends at its NUL by definition.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

TEST(ValueFromLiteralDropsTextAfterNul, ALiteralKeepsItsNulsAndTheTextAfterThem) {
  EXPECT_EQ(Value("a\0b").as<std::string>(), std::string("a\0b", 3));
  EXPECT_EQ(Value("ab\0").as<std::string>(), std::string("ab\0", 3));
  EXPECT_EQ(Value("").as<std::string>(), "");
  EXPECT_EQ(Value("a\0b").repr(), "'a\\x00b'");
}

TEST(ValueFromLiteralDropsTextAfterNul, AConstantArrayWithoutTerminatorKeepsItsLastCharacter) {
  const char unterminated[3] = {'a', '\0', 'c'};
  EXPECT_EQ(Value(unterminated).as<std::string>(), std::string("a\0c", 3));
}

TEST(ValueFromLiteralDropsTextAfterNul, APointerAndABufferAreCStrings) {
  const char* pointer = "ab\0cd";
  EXPECT_EQ(Value(pointer).as<std::string>(), "ab");
  char buffer[16] = {};
  std::strcpy(buffer, "job-7");
  EXPECT_EQ(Value(buffer).as<std::string>(), "job-7");
  char full[3] = {'x', 'y', 'z'};  // no NUL: the whole buffer, never beyond it
  EXPECT_EQ(Value(full).as<std::string>(), "xyz");
}

TEST(ValueFromLiteralDropsTextAfterNul, ANullPointerIsAnErrorNotACrash) {
  const char* missing = nullptr;
  EXPECT_THROW(Value{missing}, Error);
}

TEST(ValueFromLiteralDropsTextAfterNul, TheCacheStoresAndReturnsEveryCharacter) {
  testing::TempDir dir;
  Cache<> cache(dir.path());
  cache.set("k", "a\0b");
  EXPECT_EQ(cache.at("k"), Value(std::string("a\0b", 3)));
  cache.set("a\0b", 1);
  EXPECT_FALSE(cache.contains("a"));
  EXPECT_EQ(cache.at(std::string("a\0b", 3)), Value(1));
}

}  // namespace
}  // namespace diskcache
