// diskcache::Value: construction from C++ types, access, comparison, repr.
#include "diskcache/value.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "diskcache/cell.hpp"
#include "diskcache/detail/utf8.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::string_literals;

TEST(ValueTest, EachConstructorPicksItsKind) {
  EXPECT_EQ(Value().kind(), Value::Kind::Null);
  EXPECT_EQ(Value(nullptr).kind(), Value::Kind::Null);
  EXPECT_EQ(Value(7).kind(), Value::Kind::Integer);
  EXPECT_EQ(Value(std::uint16_t{7}).kind(), Value::Kind::Integer);
  EXPECT_EQ(Value(true).as<std::int64_t>(), 1);
  EXPECT_EQ(Value(true).kind(), Value::Kind::Bool);
  EXPECT_EQ(Value(BigInt::from_string("-9223372036854775809")).kind(), Value::Kind::BigInt);
  EXPECT_EQ(Value(BigInt::from_string("-9223372036854775808")).kind(), Value::Kind::Integer);
  EXPECT_EQ(Value(ByteArray(to_bytes("a"))).kind(), Value::Kind::ByteArray);
  EXPECT_EQ(Value(List{1, "a"}).kind(), Value::Kind::List);
  EXPECT_EQ(Value(Tuple{}).kind(), Value::Kind::Tuple);
  EXPECT_EQ(Value(Dict{{"a", 1}}).kind(), Value::Kind::Dict);
  EXPECT_EQ(Value(Set{1}).kind(), Value::Kind::Set);
  EXPECT_EQ(Value(FrozenSet{1}).kind(), Value::Kind::FrozenSet);
  EXPECT_EQ(Value(PickledObject("m.C", to_bytes("."))).kind(), Value::Kind::Object);
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

TEST(ValueTest, EveryIntegerTypeReadsWhatFitsAndRefusesWhatDoesNot) {
  EXPECT_EQ(Value(42).as<int>(), 42);
  EXPECT_EQ(Value(-7).as<short>(), -7);
  EXPECT_EQ(Value(255).as<std::uint8_t>(), 255);
  EXPECT_EQ(Value(-128).as<std::int8_t>(), -128);
  EXPECT_EQ(Value(true).as<unsigned>(), 1u);
  EXPECT_EQ(Value(INT64_MAX).as<long long>(), INT64_MAX);
  EXPECT_EQ(Value(INT64_MAX).as<std::uint64_t>(), std::uint64_t{INT64_MAX});
  // Beyond int64 a Value holds a BigInt; uint64 still reads it.
  const Value top(BigInt::from_string("18446744073709551615"));
  ASSERT_EQ(top.kind(), Value::Kind::BigInt);
  EXPECT_EQ(top.as<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());

  EXPECT_THROW(Value(3'000'000'000LL).as<int>(), SerializationError);
  EXPECT_THROW(Value(256).as<std::uint8_t>(), SerializationError);
  EXPECT_THROW(Value(-1).as<unsigned>(), SerializationError);
  EXPECT_THROW(Value(-1).as<std::uint64_t>(), SerializationError);
  EXPECT_THROW(top.as<long long>(), SerializationError);
  EXPECT_THROW(Value(BigInt::from_string("18446744073709551616")).as<std::uint64_t>(),
               SerializationError);
  EXPECT_THROW(Value(BigInt::from_string("-18446744073709551615")).as<std::uint64_t>(),
               SerializationError);
  EXPECT_THROW(Value(1.0).as<int>(), SerializationError);  // a float is not an int
}

TEST(ValueTest, AnIntegerOutOfRangeNamesTheNumberAndTheType) {
  try {
    Value(3'000'000'000LL).as<int>();
    FAIL();
  } catch (const SerializationError& error) {
    EXPECT_STREQ(error.what(),
                 "Value holds 3000000000, which does not fit in a signed 32-bit integer");
  }
  try {
    Value(-1).as<std::uint16_t>();
    FAIL();
  } catch (const SerializationError& error) {
    EXPECT_STREQ(error.what(), "Value holds -1, which does not fit in an unsigned 16-bit integer");
  }
  try {
    Value("3").as<int>();
    FAIL();
  } catch (const SerializationError& error) {
    EXPECT_STREQ(error.what(), "Value holds text, not integer");
  }
}

TEST(ValueTest, FloatReadsARealItCanHold) {
  EXPECT_EQ(Value(1.5).as<float>(), 1.5f);
  EXPECT_EQ(Value(1.5).as<long double>(), 1.5L);
  EXPECT_TRUE(std::isinf(Value(std::numeric_limits<double>::infinity()).as<float>()));
  EXPECT_TRUE(std::isnan(Value(std::nan("")).as<float>()));
  EXPECT_THROW(Value(1e300).as<float>(), SerializationError);
  EXPECT_THROW(Value(-1e300).as<float>(), SerializationError);
  EXPECT_THROW(Value(1).as<float>(), SerializationError);
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
  EXPECT_EQ(Value("it's").repr(), "\"it's\"");  // Python's choice of quotes
  EXPECT_EQ(Value("it's \"so\"").repr(), "'it\\'s \"so\"'");
  EXPECT_EQ(Value(to_bytes(std::string("\x00\x7f", 2))).repr(), "b'\\x00\\x7f'");
  EXPECT_EQ(Value(std::string(100, 'x')).repr(), "'" + std::string(100, 'x') + "'");
  EXPECT_EQ(Value(std::string(100, 'x')).short_repr(), "'" + std::string(40, 'x') + "...'");
}

TEST(ValueTest, ReprIsPythons) {
  EXPECT_EQ(Value(true).repr(), "True");
  EXPECT_EQ(Value(false).repr(), "False");
  EXPECT_EQ(Value(0.1).repr(), "0.1");
  EXPECT_EQ(Value(1e16).repr(), "1e+16");
  EXPECT_EQ(Value(1e15).repr(), "1000000000000000.0");
  EXPECT_EQ(Value(1e-5).repr(), "1e-05");
  EXPECT_EQ(Value(-0.0).repr(), "-0.0");
  EXPECT_EQ(Value(std::numeric_limits<double>::quiet_NaN()).repr(), "nan");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()).repr(), "-inf");
  EXPECT_EQ(Value("\t\n\r\x01\x7f\\").repr(), "'\\t\\n\\r\\x01\\x7f\\\\'");
  EXPECT_EQ(Value("\u00e9\u20ac\U0001F600").repr(), "'\u00e9\u20ac\U0001F600'");
  EXPECT_EQ(Value("\u00a0\u200b\U000E0001").repr(), "'\\xa0\\u200b\\U000e0001'");
  EXPECT_EQ(Value(ByteArray(to_bytes("it's"))).repr(), "bytearray(b\"it\\'s\")");
  EXPECT_EQ(Value(to_bytes("it's")).repr(), "b\"it's\"");
  EXPECT_EQ(Value(Tuple{}).repr(), "()");
  EXPECT_EQ(Value(Tuple{1}).repr(), "(1,)");
  EXPECT_EQ(Value(Tuple{1, "a"}).repr(), "(1, 'a')");
  EXPECT_EQ(Value(List{}).repr(), "[]");
  EXPECT_EQ(Value(List{nullptr, List{}}).repr(), "[None, []]");
  EXPECT_EQ(Value(Dict{}).repr(), "{}");
  EXPECT_EQ(Value(Dict{{"a", 1}, {Tuple{2}, 2.5}}).repr(), "{'a': 1, (2,): 2.5}");
  EXPECT_EQ(Value(Set{}).repr(), "set()");
  EXPECT_EQ(Value(Set{2, 1}).repr(), "{2, 1}");
  EXPECT_EQ(Value(FrozenSet{}).repr(), "frozenset()");
  EXPECT_EQ(Value(FrozenSet{1, 2}).repr(), "frozenset({1, 2})");
  EXPECT_EQ(Value(BigInt::from_string("-123456789012345678901234567890")).repr(),
            "-123456789012345678901234567890");
  EXPECT_EQ(Value(PickledObject("datetime.date", {})).repr(), "<pickled datetime.date>");
  std::ostringstream out;
  out << Value(Tuple{1, "x"});
  EXPECT_EQ(out.str(), "(1, 'x')");
}

TEST(ValueTest, ReprOfHugeIntsIsHexadecimalAsPythonRefusesDecimal) {
  // Python 3.11 converts at most 4300 digits to decimal.
  const std::string digits(4300, '9');
  EXPECT_EQ(Value(BigInt::from_string(digits)).repr(), digits);
  Bytes bits(2000, std::byte{0});
  bits.push_back(std::byte{0x01});  // 2^16000: 4817 digits
  EXPECT_EQ(Value(BigInt::from_twos_complement(bits)).repr(), "0x1" + std::string(4000, '0'));
}

TEST(ValueTest, ShortReprCutsLongContents) {
  List many;
  for (int i = 0; i < 20; ++i) many.push_back(i);
  EXPECT_EQ(Value(many).short_repr(), "[0, 1, 2, 3, 4, 5, 6, 7, ...]");
  EXPECT_EQ(Value(List{List{List{List{1}}}}).short_repr(), "[[[[...]]]]");
  EXPECT_EQ(Value(to_bytes(std::string(50, 'b'))).short_repr(),
            "b'" + std::string(40, 'b') + "...'");
}

// Every code point Python prints as it is in a repr() is printed so by
// Value::repr, and every other one escaped (the table in
// src/unicode_printable.cpp against Python's str.isprintable).
TEST(ValueTest, ReprEscapesExactlyWhatPythonEscapes) {
  testing::TempDir dir;
  const std::filesystem::path ranges = dir.path() / "ranges";
  ASSERT_EQ(testing::run_python("printable.py", ranges.string()), 0);
  std::vector<std::pair<char32_t, char32_t>> escaped;
  std::ifstream in(ranges);
  for (std::uint32_t first = 0, last = 0; in >> first >> last;) escaped.emplace_back(first, last);
  ASSERT_GT(escaped.size(), 500u);
  std::size_t mismatches = 0;
  auto range = escaped.begin();  // the first range not below `code`
  for (char32_t code = 0x80; code <= 0x10ffff; ++code) {
    while (range != escaped.end() && range->second < code) ++range;
    if (code >= 0xd800 && code <= 0xdfff) continue;  // no UTF-8 form: never in a Value
    const bool python_escapes = range != escaped.end() && range->first <= code;
    std::string utf8;
    detail::append_utf8(utf8, code);
    const bool printed_as_is = Value(utf8).repr() == "'" + utf8 + "'";
    if (printed_as_is == python_escapes && ++mismatches <= 10) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<std::uint32_t>(code) << ": "
                    << Value(utf8).repr();
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(ValueTest, BoolIsAnInteger) {
  EXPECT_EQ(Value(true), Value(1));
  EXPECT_EQ(Value(false), Value(0));
  EXPECT_NE(Value(true), Value(2));
  EXPECT_NE(Value(true), Value(1.0));
  EXPECT_EQ(Value(1).as<bool>(), true);
  EXPECT_EQ(Value(false).as<bool>(), false);
  EXPECT_EQ(Value(true).as<BigInt>(), BigInt(1));
  EXPECT_THROW(Value(2).as<bool>(), SerializationError);
}

TEST(ValueTest, RealsAreEqualAsNumbersAndNaNEqualsNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Value(nan), Value(nan));
  EXPECT_EQ(Value(-0.0), Value(0.0));
  EXPECT_EQ(Value(List{nan}), Value(List{nan}));
  EXPECT_LT(Value(std::numeric_limits<double>::infinity()), Value(nan));
}

TEST(ValueTest, ContainersOfOtherKindsDiffer) {
  EXPECT_NE(Value(List{1}), Value(Tuple{1}));
  EXPECT_NE(Value(Set{1}), Value(FrozenSet{1}));
  EXPECT_NE(Value(to_bytes("a")), Value(ByteArray(to_bytes("a"))));
  EXPECT_NE(Value(List{1, 2}), Value(List{2, 1}));
}

TEST(ValueTest, DictAndSetEqualityIgnoresOrder) {
  EXPECT_EQ(Value(Dict{{"a", 1}, {"b", 2}}), Value(Dict{{"b", 2}, {"a", 1}}));
  EXPECT_NE(Value(Dict{{"a", 1}, {"b", 2}}), Value(Dict{{"a", 2}, {"b", 1}}));
  EXPECT_EQ(Value(Set{1, "x", Tuple{}}), Value(Set{Tuple{}, "x", 1}));
  EXPECT_EQ(Value(FrozenSet{1, 2}), Value(FrozenSet{2, 1}));
  EXPECT_NE(Value(Set{1, 2}), Value(Set{1, 3}));
}

TEST(ValueTest, OrderIsTotalAndNumbersCompareAcrossKinds) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Value> values = {Set{},
                               "b",
                               1.0,
                               Tuple{},
                               BigInt::from_string("-99999999999999999999"),
                               nan,
                               true,
                               1.5,
                               nullptr,
                               BigInt::from_string("99999999999999999999"),
                               to_bytes("a"),
                               "a",
                               std::int64_t{INT64_MIN},
                               1e30,
                               List{}};
  std::sort(values.begin(), values.end());
  std::string order;
  for (const Value& value : values) order += value.repr() + " ";
  EXPECT_EQ(order,
            "None -99999999999999999999 -9223372036854775808 True 1.0 1.5 "
            "99999999999999999999 1e+30 nan 'a' 'b' b'a' () [] set() ");
  EXPECT_LT(Value(BigInt::from_string("1" + std::string(40, '0'))), Value(1e41));
  EXPECT_GT(Value(BigInt::from_string("1" + std::string(40, '0'))), Value(1e39));
  EXPECT_LT(Value(9007199254740993), Value(9007199254740994.0));  // 2^53 + 1 < 2^53 + 2
  EXPECT_GT(Value(9007199254740993), Value(9007199254740992.0));
}

TEST(ValueTest, BigIntKeepsEveryDigit) {
  const std::string digits = "-" + std::string(100, '7');
  EXPECT_EQ(BigInt::from_string(digits).to_string(), digits);
  EXPECT_EQ(BigInt::from_string("+0").to_string(), "0");
  EXPECT_THROW(BigInt::from_string("12a"), SerializationError);
  EXPECT_THROW(BigInt::from_string("-"), SerializationError);
  // Python's int.to_bytes(n, 'little', signed=True) of the shortest length.
  EXPECT_EQ(BigInt(-128).twos_complement(), Bytes{std::byte{0x80}});
  EXPECT_EQ(BigInt(255).twos_complement(), (Bytes{std::byte{0xff}, std::byte{0x00}}));
  EXPECT_EQ(BigInt(-129).twos_complement(), (Bytes{std::byte{0x7f}, std::byte{0xff}}));
  EXPECT_EQ(BigInt(0).twos_complement(), Bytes{});
  for (const char* number : {"0", "1", "-1", "9223372036854775807", "-9223372036854775808",
                             "18446744073709551616", "-340282366920938463463374607431768211456"}) {
    const BigInt parsed = BigInt::from_string(number);
    EXPECT_EQ(BigInt::from_twos_complement(parsed.twos_complement()), parsed) << number;
  }
  EXPECT_EQ(BigInt::from_string("-9223372036854775808").to_int64(), INT64_MIN);
  EXPECT_FALSE(BigInt::from_string("9223372036854775808").to_int64());
}

TEST(ValueTest, ElementsAreReachable) {
  const Value list = List{10, "x"};
  EXPECT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1], Value("x"));
  EXPECT_THROW(list[2], std::out_of_range);
  EXPECT_TRUE(list.contains(10));
  const Value dict = Dict{{"a", 1}, {Tuple{1, 2}, "pair"}};
  EXPECT_EQ(*dict.find(Tuple{1, 2}), Value("pair"));
  EXPECT_EQ(dict.find("missing"), nullptr);
  EXPECT_TRUE(dict.contains("a"));
  EXPECT_TRUE(Value(Set{1, 2}).contains(2));
  EXPECT_EQ(dict.as<Dict>().at("a"), Value(1));
  EXPECT_THROW(dict.as<Dict>().at("b"), KeyError);
  try {
    Value(7).size();
    FAIL() << "size() of an integer";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("integer"), std::string::npos);
  }
  EXPECT_THROW(list.find(1), SerializationError);
  EXPECT_THROW(Value("abc")[0], SerializationError);
  const auto kind = list.visit([](const auto& held) { return sizeof(held) > 0; });
  EXPECT_TRUE(kind);
}

TEST(ValueTest, DictKeepsKeysUniqueInInsertionOrder) {
  Dict dict{{"a", 1}, {"b", 2}, {"a", 3}};  // as Python's {'a': 1, 'b': 2, 'a': 3}
  EXPECT_EQ(Value(dict).repr(), "{'a': 3, 'b': 2}");
  dict.insert_or_assign("b", 4);
  dict.insert_or_assign("c", 5);
  EXPECT_EQ(Value(dict).repr(), "{'a': 3, 'b': 4, 'c': 5}");
  EXPECT_TRUE(dict.erase("a"));
  EXPECT_FALSE(dict.erase("a"));
  EXPECT_EQ(Value(dict).repr(), "{'b': 4, 'c': 5}");
  dict.insert_or_assign(true, "t");
  dict.insert_or_assign(1, "one");  // True == 1, as in Python
  EXPECT_EQ(Value(dict).repr(), "{'b': 4, 'c': 5, True: 'one'}");
}

TEST(ValueTest, KeysAreUniqueAsInPython) {
  // Python: {1: 'a', 1.0: 'b', True: 'c'} == {1: 'c'}
  const Dict dict{{1, "a"}, {1.0, "b"}, {true, "c"}};
  EXPECT_EQ(dict.size(), 1u);
  EXPECT_EQ(Value(dict).repr(), "{1: 'c'}");
  EXPECT_EQ(*dict.find(1.0), Value("c"));
  EXPECT_EQ(Set({0, -0.0, false}).size(), 1u);
  EXPECT_TRUE(Value(List{1}).contains(1.0));  // Python's `in`
  EXPECT_NE(Value(1), Value(1.0));            // while the Values differ
}

TEST(ValueTest, SetsKeepElementsUnique) {
  Set set{3, 1, 3, 2};
  EXPECT_EQ(Value(set).repr(), "{3, 1, 2}");
  EXPECT_FALSE(set.insert(1));
  EXPECT_TRUE(set.insert(4));
  EXPECT_TRUE(set.erase(3));
  EXPECT_EQ(Value(set).repr(), "{1, 2, 4}");
}

TEST(ValueTest, AsNamesTheClassOfAPickledObject) {
  const Value object = PickledObject("collections.OrderedDict", to_bytes("x"));
  try {
    object.as<Dict>();
    FAIL() << "as<Dict> of a pickled object";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("collections.OrderedDict"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(object.as<PickledObject>().pickle(), to_bytes("x"));
}

TEST(ValueTest, CellReprShowsRawCellsAsValuesAndEncodedOnesBySize) {
  EXPECT_EQ(Cell::text("k").repr(), "'k'");
  EXPECT_EQ(Cell::integer(42).repr(), "42");
  EXPECT_EQ(Cell::blob(std::string(12, 'x'), /*raw=*/false).repr(), "<12-byte encoded key>");
}

}  // namespace
}  // namespace diskcache
