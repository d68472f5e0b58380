// diskcache::Value: construction from C++ types, access, comparison, repr.
#include "diskcache/value.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "diskcache/cell.hpp"

namespace diskcache {
namespace {

TEST(ValueTest, EachConstructorPicksItsKind) {
  EXPECT_EQ(Value().kind(), Value::Kind::Null);
  EXPECT_EQ(Value(nullptr).kind(), Value::Kind::Null);
  EXPECT_EQ(Value(7).kind(), Value::Kind::Integer);
  EXPECT_EQ(Value(std::uint16_t{7}).kind(), Value::Kind::Integer);
  EXPECT_EQ(Value(true).as<std::int64_t>(), 1);
  EXPECT_EQ(Value(2.5).kind(), Value::Kind::Real);
  EXPECT_EQ(Value(2.5f).as<double>(), 2.5);
  EXPECT_EQ(Value("text").kind(), Value::Kind::Text);
  EXPECT_EQ(Value(std::string_view("view")).as<std::string>(), "view");
  EXPECT_EQ(Value(to_bytes("ab")).kind(), Value::Kind::Blob);
  const std::vector<unsigned char> raw = {1, 2, 3};
  EXPECT_EQ(Value(raw).as<std::vector<unsigned char>>(), raw);
}

TEST(ValueTest, WrongKindIsASerializationErrorNamingBoth) {
  try {
    Value("text").as<std::int64_t>();
    FAIL();
  } catch (const SerializationError& error) {
    EXPECT_STREQ(error.what(), "Value holds text, not integer");
  }
}

TEST(ValueTest, UnsignedAboveInt64MaxIsRefused) {
  EXPECT_THROW(Value(std::numeric_limits<std::uint64_t>::max()), SerializationError);
  EXPECT_EQ(Value(std::uint64_t{INT64_MAX}).as<std::int64_t>(), INT64_MAX);
}

TEST(ValueTest, EqualityNeedsSameKindAndContents) {
  EXPECT_EQ(Value(1), Value(1));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_NE(Value("a"), Value(to_bytes("a")));
}

TEST(ValueTest, ReprQuotesAndEscapes) {
  EXPECT_EQ(Value().repr(), "None");
  EXPECT_EQ(Value(-3).repr(), "-3");
  EXPECT_EQ(Value("it's").repr(), "'it\\'s'");
  EXPECT_EQ(Value(to_bytes(std::string("\x00\x7f", 2))).repr(), "b'\\x00\\x7f'");
  EXPECT_EQ(Value(std::string(100, 'x')).repr(), "'" + std::string(40, 'x') + "...'");
}

TEST(ValueTest, CellReprShowsRawCellsAsValuesAndEncodedOnesBySize) {
  EXPECT_EQ(Cell::text("k").repr(), "'k'");
  EXPECT_EQ(Cell::integer(42).repr(), "42");
  EXPECT_EQ(Cell::blob(std::string(12, 'x'), /*raw=*/false).repr(), "<12-byte encoded key>");
}

}  // namespace
}  // namespace diskcache
