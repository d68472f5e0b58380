// to_bytes took a std::string_view, so a string literal reached it as a
// `const char*` measured by strlen(): to_bytes("\x00\x01\xff") gave an
// empty Bytes, and cache.set(key, to_bytes("\x00\x01\xff")) stored b''
// without a word. A literal now keeps all its bytes; a bare pointer does
// not compile (compile_fail/to_bytes_from_pointer.cpp).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

Bytes bytes_of(std::initializer_list<unsigned> values) {
  Bytes bytes;
  for (const unsigned value : values) bytes.push_back(static_cast<std::byte>(value));
  return bytes;
}

TEST(ToBytesDropsBytesAfterNul, ALiteralKeepsItsNulsAndTheBytesAfterThem) {
  EXPECT_EQ(to_bytes("\x00\x01\xff"), bytes_of({0x00, 0x01, 0xff}));
  EXPECT_EQ(to_bytes("ab\0"), bytes_of({'a', 'b', 0x00}));
  EXPECT_EQ(to_bytes(""), Bytes{});
}

TEST(ToBytesDropsBytesAfterNul, AnArrayWithoutTerminatorKeepsItsLastByte) {
  const char unterminated[3] = {'a', '\0', 'c'};
  EXPECT_EQ(to_bytes(unterminated), bytes_of({'a', 0x00, 'c'}));
}

TEST(ToBytesDropsBytesAfterNul, SizedTextKeepsEveryByte) {
  const std::string text("\x00\x01\xff", 3);
  EXPECT_EQ(to_bytes(text), bytes_of({0x00, 0x01, 0xff}));
  EXPECT_EQ(to_bytes(std::string_view(text.data(), 2)), bytes_of({0x00, 0x01}));
}

TEST(ToBytesDropsBytesAfterNul, TheCacheStoresAndReturnsEveryByte) {
  testing::TempDir dir;
  Cache<> cache(dir.path());
  cache.set("k", to_bytes("\x00\x01\xff"));
  EXPECT_EQ(cache.at("k"), Value(bytes_of({0x00, 0x01, 0xff})));
  EXPECT_EQ(cache.at("k").repr(), "b'\\x00\\x01\\xff'");
}

}  // namespace
}  // namespace diskcache
