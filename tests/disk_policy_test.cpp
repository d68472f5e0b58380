// Tests of the disk policies (serializers/include/diskcache/disk/): what each
// stores, that everything round-trips, and that bad cells give
// SerializationError rather than a wrong value.
#include "diskcache/disk_policy.hpp"

#include <gtest/gtest.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "diskcache/cell.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/boost.hpp"
#include "diskcache/disk/json.hpp"
#include "diskcache/disk/raw.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/pickle.hpp"
#include "diskcache/value.hpp"

namespace {

namespace disk = diskcache::disk;
using diskcache::Bytes;
using diskcache::Cell;
using diskcache::Mode;
using diskcache::SerializationError;
using diskcache::Value;
using Kind = Cell::Kind;

// A user type serializable by both cereal (member) and Boost (non-member in
// boost::serialization, below: a second member `serialize` taking a version
// would make cereal's choice ambiguous).
struct Point {
  int x = 0;
  double y = 0;
  std::string name;
  std::vector<int> tags;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(x), CEREAL_NVP(y), CEREAL_NVP(name), CEREAL_NVP(tags));
  }

  friend bool operator==(const Point&, const Point&) = default;
};

}  // namespace

namespace boost::serialization {
template <class Archive>
void serialize(Archive& ar, Point& point, unsigned int /*version*/) {
  // clang-format would take `ar & x` for a declaration.
  // clang-format off
  ar & point.x & point.y & point.name & point.tags;
  // clang-format on
}
}  // namespace boost::serialization

namespace {

static_assert(diskcache::DiskPolicyFor<disk::Auto, Point>);
static_assert(diskcache::DiskPolicyFor<disk::Auto, Value>);
static_assert(diskcache::DiskPolicyFor<disk::Raw, std::string>);
static_assert(diskcache::DiskPolicyFor<disk::Binary, Point>);
static_assert(diskcache::DiskPolicyFor<disk::Json, Point>);
static_assert(diskcache::DiskPolicyFor<disk::Boost, Point>);

template <class Disk>
constexpr const char* kPolicyName = nullptr;
template <>
constexpr const char* kPolicyName<disk::Auto> = "disk::Auto";
template <>
constexpr const char* kPolicyName<disk::Raw> = "disk::Raw";
template <>
constexpr const char* kPolicyName<disk::Binary> = "disk::Binary";
template <>
constexpr const char* kPolicyName<disk::Json> = "disk::Json";
template <>
constexpr const char* kPolicyName<disk::Boost> = "disk::Boost";

class PolicyNames {
 public:
  template <class Disk>
  static std::string GetName(int) {
    return std::string(kPolicyName<Disk>).substr(6);  // drop "disk::"
  }
};

std::vector<Point> sample_points() {
  std::vector<int> many(1000);
  for (int i = 0; i < 1000; ++i) many[static_cast<std::size_t>(i)] = i * 7 - 3000;
  return {
      Point{},
      Point{1, 2.5, "a", {1, 2, 3}},
      Point{-7, 0.1, "line\nbreak \"quoted\" \xc3\xa9", {-1}},
      Point{std::numeric_limits<int>::min(), -1e300, std::string(300, 'z'), many},
      Point{std::numeric_limits<int>::max(), std::numeric_limits<double>::denorm_min(), "", {}},
  };
}

// A cell of `model`'s kind (text or blob, never raw) holding `bytes`.
Cell like(const Cell& model, std::string bytes) {
  return model.kind() == Kind::Text ? Cell::text(std::move(bytes), false)
                                    : Cell::blob(std::move(bytes), false);
}

bool same_cell(const Cell& a, const Cell& b) {
  if (a.kind() != b.kind() || a.raw() != b.raw()) return false;
  switch (a.kind()) {
    case Kind::Null: return true;
    case Kind::Integer: return a.integer() == b.integer();
    case Kind::Real: {
      const double x = a.real();
      const double y = b.real();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default: return a.bytes() == b.bytes();
  }
}

// Runs `decode`, which must throw SerializationError; returns its what().
std::string error_of(const std::function<void()>& decode) {
  try {
    decode();
  } catch (const SerializationError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected SerializationError";
  return {};
}

testing::AssertionResult mentions(const std::string& message, std::string_view part) {
  if (message.find(part) != std::string::npos) {
    return testing::AssertionSuccess();
  }
  return testing::AssertionFailure()
         << "message \"" << message << "\" does not mention \"" << part << "\"";
}

// ---------------------------------------------------------------------------
// Policies that serialize Value with cereal (disk::Auto stores it raw).

template <class Disk>
class CerealPolicyTest : public testing::Test {};
using CerealPolicies = testing::Types<disk::Binary, disk::Json>;
TYPED_TEST_SUITE(CerealPolicyTest, CerealPolicies, PolicyNames);

TYPED_TEST(CerealPolicyTest, ValueRoundTripsEveryKind) {
  // Built in place: copying temporary Values makes GCC 12 report a false
  // -Wmaybe-uninitialized inside std::variant (GCC bug 80635 and relatives).
  std::vector<Value> values;
  values.emplace_back();
  values.emplace_back(-5);
  values.emplace_back(2.5);
  values.emplace_back("text");
  values.emplace_back(diskcache::to_bytes("\x01\x7f\xff"));
  if constexpr (!std::is_same_v<TypeParam, disk::Json>) {  // Json refuses NULs
    values.emplace_back(std::string("nul\0inside", 11));
    values.emplace_back(diskcache::to_bytes(std::string("\0\x01", 2)));
  }
  values.emplace_back(true);
  values.emplace_back(diskcache::BigInt::from_string("-123456789012345678901234567890"));
  values.emplace_back(diskcache::ByteArray(diskcache::to_bytes("ab")));
  values.emplace_back(diskcache::List{1, "x", diskcache::List{}});
  values.emplace_back(diskcache::Tuple{nullptr, 2.5});
  values.emplace_back(diskcache::Dict{{"a", diskcache::Set{1, 2}}, {3, diskcache::FrozenSet{}}});
  values.emplace_back(diskcache::PickledObject("m.C", diskcache::to_bytes("pickle")));
  for (const Value& value : values) {
    const Value back = TypeParam::template decode<Value>(TypeParam::encode(value));
    EXPECT_EQ(back, value) << value.repr();
    EXPECT_EQ(back.kind(), value.kind()) << value.repr();
  }
}

// Written like a Value whose kind byte is 99.
struct ValueOfKind99 {
  template <class Archive>
  void serialize(Archive& archive) {
    std::uint8_t kind = 99;
    archive(kind);
  }
};

TYPED_TEST(CerealPolicyTest, ValueOfUnknownKindIsASerializationError) {
  const Cell cell = TypeParam::encode(ValueOfKind99{});
  try {
    TypeParam::template decode<Value>(cell);
    FAIL() << "expected SerializationError";
  } catch (const SerializationError& error) {
    EXPECT_TRUE(mentions(error.what(), "unknown kind 99"));
  }
}

TEST(BinaryTest, DeeplyNestedValueIsASerializationError) {
  // Portable binary of a list holding a list holding ... 100,000 deep: each
  // level a kind byte (8, List) and a 64-bit count of 1.
  std::string bytes(1, '\x01');  // little-endian archive
  for (int i = 0; i < 100'000; ++i) bytes += std::string("\x08\x01\0\0\0\0\0\0\0", 9);
  const std::string message =
      error_of([&] { disk::Binary::decode<Value>(Cell::blob(bytes, /*raw=*/false)); });
  EXPECT_TRUE(mentions(message, "deeper than 1000")) << message;
}

// ---------------------------------------------------------------------------
// Every policy that serializes objects: Auto, Binary, Json, Boost.

template <class Disk>
class ObjectPolicyTest : public testing::Test {};
using ObjectPolicies = testing::Types<disk::Auto, disk::Binary, disk::Json, disk::Boost>;
TYPED_TEST_SUITE(ObjectPolicyTest, ObjectPolicies, PolicyNames);

TYPED_TEST(ObjectPolicyTest, StructRoundTrips) {
  for (const Point& point : sample_points()) {
    const Cell cell = TypeParam::encode(point);
    EXPECT_EQ(TypeParam::template decode<Point>(cell), point) << point.name;
  }
}

// Raw, so that Python reads a key as bytes (or str) instead of unpickling it.
TYPED_TEST(ObjectPolicyTest, StructIsARawBlobOrText) {
  const Cell cell = TypeParam::encode(Point{1, 2.5, "a", {1}});
  EXPECT_TRUE(cell.raw());
  const Kind expected = std::is_same_v<TypeParam, disk::Json> ? Kind::Text : Kind::Blob;
  EXPECT_EQ(cell.kind(), expected);
}

TYPED_TEST(ObjectPolicyTest, EqualObjectsEncodeToEqualBytes) {
  for (const Point& point : sample_points()) {
    const Point copy = point;
    const Cell first = TypeParam::encode(point);
    const Cell second = TypeParam::encode(point);
    const Cell of_copy = TypeParam::encode(copy);
    EXPECT_TRUE(same_cell(first, second)) << point.name;
    EXPECT_TRUE(same_cell(first, of_copy)) << point.name;
  }
}

TYPED_TEST(ObjectPolicyTest, EveryTruncationThrows) {
  const Cell whole = TypeParam::encode(Point{3, 4.5, "truncate me", {5, 6}});
  const std::string bytes(whole.bytes());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const Cell truncated = like(whole, bytes.substr(0, size));
    const std::string message = error_of([&] { TypeParam::template decode<Point>(truncated); });
    EXPECT_TRUE(mentions(message, kPolicyName<TypeParam>)) << size;
    EXPECT_TRUE(mentions(message, "cannot decode")) << size;
  }
}

TYPED_TEST(ObjectPolicyTest, GarbageThrows) {
  // Byte 0 is a valid endianness marker (cereal) and tracking flag (Boost), so
  // the archives get past their preamble and fail on the absurd sizes and
  // versions that follow.
  const Cell model = TypeParam::encode(Point{});
  const Cell garbage = like(model, std::string(1, '\0') + std::string(39, '\xff'));
  const std::string message = error_of([&] { TypeParam::template decode<Point>(garbage); });
  EXPECT_TRUE(mentions(message, kPolicyName<TypeParam>));
  EXPECT_TRUE(mentions(message, "40 bytes"));
}

TYPED_TEST(ObjectPolicyTest, TrailingBytesThrow) {
  const Cell whole = TypeParam::encode(Point{1, 2, "x", {3}});
  const Cell longer = like(whole, std::string(whole.bytes()) + "\x01");
  const std::string message = error_of([&] { TypeParam::template decode<Point>(longer); });
  EXPECT_TRUE(mentions(message, kPolicyName<TypeParam>));
  if (!std::is_same_v<TypeParam, disk::Json>) {
    EXPECT_TRUE(mentions(message, "1 trailing byte after"));
  }
}

TYPED_TEST(ObjectPolicyTest, CellOfWrongKindThrows) {
  const std::string message = error_of([] { TypeParam::template decode<Point>(Cell::integer(7)); });
  EXPECT_TRUE(mentions(message, kPolicyName<TypeParam>));
  EXPECT_TRUE(mentions(message, "an integer cell"));
}

TYPED_TEST(ObjectPolicyTest, PickledValueThrowsNamingPickle) {
  Cell cell = TypeParam::encode(Point{1, 2, "x", {3}});
  cell.set_mode(Mode::Pickle);
  const std::string message = error_of([&] { TypeParam::template decode<Point>(cell); });
  EXPECT_TRUE(mentions(message, "pickle"));
}

// ---------------------------------------------------------------------------
// Every policy, on types all of them store: integers, doubles, strings.

template <class Disk>
class EveryPolicyTest : public testing::Test {};
using EveryPolicy = testing::Types<disk::Auto, disk::Raw, disk::Binary, disk::Json, disk::Boost>;
TYPED_TEST_SUITE(EveryPolicyTest, EveryPolicy, PolicyNames);

TYPED_TEST(EveryPolicyTest, ScalarsRoundTrip) {
  for (std::int64_t number :
       {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(TypeParam::template decode<std::int64_t>(TypeParam::encode(number)), number);
  }
  for (double number : {0.0, 0.1, -2.5, 1e308, -1e-308}) {
    EXPECT_EQ(TypeParam::template decode<double>(TypeParam::encode(number)), number);
  }
  for (const std::string& text : {std::string(), std::string("hello"), std::string(5000, 'q'),
                                  std::string("\xe2\x82\xac uro")}) {
    EXPECT_EQ(TypeParam::template decode<std::string>(TypeParam::encode(text)), text);
  }
}

TYPED_TEST(EveryPolicyTest, EqualScalarsEncodeToEqualBytes) {
  const std::string text = "same";
  const std::string copy = text;
  EXPECT_TRUE(same_cell(TypeParam::encode(text), TypeParam::encode(copy)));
  EXPECT_TRUE(same_cell(TypeParam::encode(std::int64_t{42}), TypeParam::encode(std::int64_t{42})));
  EXPECT_TRUE(same_cell(TypeParam::encode(0.25), TypeParam::encode(0.25)));
}

TYPED_TEST(EveryPolicyTest, PickledValueThrowsNamingPickle) {
  const std::string text = "pickled";
  Cell cell = TypeParam::encode(text).to_owning();
  cell.set_mode(Mode::Pickle);
  const std::string message = error_of([&] { TypeParam::template decode<std::string>(cell); });
  EXPECT_TRUE(mentions(message, "pickle"));
  EXPECT_TRUE(mentions(message, "mode 4"));
}

TYPED_TEST(EveryPolicyTest, CellOfWrongKindThrowsNamingBothKinds) {
  const std::string message =
      error_of([] { TypeParam::template decode<std::string>(Cell::real(1.5)); });
  EXPECT_TRUE(mentions(message, kPolicyName<TypeParam>));
  EXPECT_TRUE(mentions(message, "a real cell"));
}

// ---------------------------------------------------------------------------
// disk::Auto: raw types raw, everything else cereal.

template <class T>
void expect_raw_integer(T number) {
  const Cell cell = disk::Auto::encode(number);
  EXPECT_EQ(cell.kind(), Kind::Integer);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(cell.integer(), static_cast<std::int64_t>(number));
  EXPECT_EQ(disk::Auto::decode<T>(cell), number);
}

TEST(AutoTest, StoresIntegersRawAsIntegerCells) {
  expect_raw_integer(std::numeric_limits<std::int8_t>::min());
  expect_raw_integer(std::numeric_limits<std::uint8_t>::max());
  expect_raw_integer(std::numeric_limits<std::int16_t>::min());
  expect_raw_integer(std::numeric_limits<std::uint16_t>::max());
  expect_raw_integer(std::numeric_limits<std::int32_t>::min());
  expect_raw_integer(std::numeric_limits<std::uint32_t>::max());
  expect_raw_integer(std::numeric_limits<std::int64_t>::min());
  expect_raw_integer(std::numeric_limits<std::int64_t>::max());
  expect_raw_integer(std::uint64_t{std::numeric_limits<std::int64_t>::max()});
  expect_raw_integer(-5L);
  expect_raw_integer(7ULL);
}

TEST(AutoTest, StoresBoolAsIntegerZeroOrOne) {
  EXPECT_EQ(disk::Auto::encode(true).integer(), 1);
  EXPECT_EQ(disk::Auto::encode(false).integer(), 0);
  EXPECT_TRUE(disk::Auto::encode(true).raw());
  EXPECT_TRUE(disk::Auto::decode<bool>(Cell::integer(1)));
  EXPECT_FALSE(disk::Auto::decode<bool>(Cell::integer(0)));
}

TEST(AutoTest, UnsignedAboveInt64MaxThrows) {
  const std::string message =
      error_of([] { disk::Auto::encode(std::numeric_limits<std::uint64_t>::max()); });
  EXPECT_TRUE(mentions(message, "18446744073709551615"));
  EXPECT_TRUE(mentions(message, "INT64_MAX"));
}

TEST(AutoTest, StoresFloatingPointRawAsRealCells) {
  const Cell cell = disk::Auto::encode(2.5);
  EXPECT_EQ(cell.kind(), Kind::Real);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(cell.real(), 2.5);
  const Cell single = disk::Auto::encode(0.5f);
  EXPECT_EQ(single.kind(), Kind::Real);
  EXPECT_EQ(disk::Auto::decode<float>(single), 0.5f);
}

TEST(AutoTest, StoresStringRawAsBorrowingTextCell) {
  const std::string text = "borrowed text";
  const Cell cell = disk::Auto::encode(text);
  EXPECT_EQ(cell.kind(), Kind::Text);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(cell.bytes().data(), text.data());
  EXPECT_EQ(cell.bytes(), text);
}

TEST(AutoTest, StoresByteVectorsRawAsBorrowingBlobCells) {
  const Bytes bytes = diskcache::to_bytes(std::string_view("\0\1\2", 3));
  const Cell cell = disk::Auto::encode(bytes);
  EXPECT_EQ(cell.kind(), Kind::Blob);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(cell.bytes(), std::string_view("\0\1\2", 3));
  EXPECT_EQ(static_cast<const void*>(cell.bytes().data()), static_cast<const void*>(bytes.data()));
  EXPECT_EQ(disk::Auto::decode<Bytes>(cell), bytes);

  const std::vector<unsigned char> chars = {0xff, 0x00, 0x7f};
  const Cell char_cell = disk::Auto::encode(chars);
  EXPECT_EQ(char_cell.kind(), Kind::Blob);
  EXPECT_TRUE(char_cell.raw());
  EXPECT_EQ(char_cell.bytes(), std::string_view("\xff\x00\x7f", 3));
  EXPECT_EQ(disk::Auto::decode<std::vector<unsigned char>>(char_cell), chars);
}

TEST(AutoTest, StoresStructAsBinarysRawBlob) {
  const Point point{1, 2.5, "a", {1, 2}};
  const Cell cell = disk::Auto::encode(point);
  EXPECT_EQ(cell.kind(), Kind::Blob);
  EXPECT_TRUE(cell.raw());
  EXPECT_TRUE(same_cell(cell, disk::Binary::encode(point)));
}

TEST(AutoTest, LongDoubleAndCharAreCerealBlobs) {
  const long double precise = 1.0L / 3.0L;
  const Cell cell = disk::Auto::encode(precise);
  EXPECT_EQ(cell.kind(), Kind::Blob);
  EXPECT_TRUE(same_cell(cell, disk::Binary::encode(precise)));
  EXPECT_EQ(disk::Auto::decode<long double>(cell), precise);
  EXPECT_EQ(disk::Auto::encode('c').kind(), Kind::Blob);
  EXPECT_EQ(disk::Auto::decode<char>(disk::Auto::encode('c')), 'c');
}

TEST(AutoTest, DecodingKeepsKindsStrict) {
  std::string message = error_of([] { disk::Auto::decode<int>(Cell::real(1.0)); });
  EXPECT_TRUE(mentions(message, "cannot decode a real cell as int32_t"));
  EXPECT_TRUE(mentions(message, "expected an integer cell"));

  message = error_of([] { disk::Auto::decode<std::string>(Cell::blob("x")); });
  EXPECT_TRUE(mentions(message, "a bytes cell as std::string"));
  EXPECT_TRUE(mentions(message, "expected a text cell"));

  message = error_of([] { disk::Auto::decode<Bytes>(Cell::text("x")); });
  EXPECT_TRUE(mentions(message, "expected a bytes cell"));

  message = error_of([] { disk::Auto::decode<double>(Cell::text("1.5")); });
  EXPECT_TRUE(mentions(message, "a text cell as double"));

  message = error_of([] { disk::Auto::decode<std::int64_t>(Cell::null()); });
  EXPECT_TRUE(mentions(message, "a null cell"));

  message = error_of([] { disk::Auto::decode<Point>(Cell::text("x")); });
  EXPECT_TRUE(mentions(message, "expected a bytes cell"));
}

TEST(AutoTest, DecodesIntegerCellAsFloatingPoint) {
  // Python code stores 1 where it means 1.0.
  EXPECT_EQ(disk::Auto::decode<double>(Cell::integer(3)), 3.0);
  EXPECT_EQ(disk::Auto::decode<float>(Cell::integer(-2)), -2.0f);
}

TEST(AutoTest, IntegerOutOfRangeOfNarrowTypeThrows) {
  std::string message = error_of([] { disk::Auto::decode<std::int8_t>(Cell::integer(300)); });
  EXPECT_TRUE(mentions(message, "cannot decode the integer 300 as int8_t"));
  EXPECT_TRUE(mentions(message, "[-128, 127]"));
  EXPECT_EQ(disk::Auto::decode<std::int8_t>(Cell::integer(-128)), -128);
  error_of([] { disk::Auto::decode<std::int8_t>(Cell::integer(-129)); });
  message = error_of([] { disk::Auto::decode<std::uint32_t>(Cell::integer(-1)); });
  EXPECT_TRUE(mentions(message, "uint32_t"));
  error_of([] { disk::Auto::decode<std::uint64_t>(Cell::integer(-1)); });
  message = error_of([] { disk::Auto::decode<bool>(Cell::integer(2)); });
  EXPECT_TRUE(mentions(message, "as bool"));
}

TEST(AutoTest, RealOutOfRangeOfFloatThrows) {
  const std::string message = error_of([] { disk::Auto::decode<float>(Cell::real(1e300)); });
  EXPECT_TRUE(mentions(message, "as float"));
  EXPECT_TRUE(
      std::isinf(disk::Auto::decode<float>(Cell::real(std::numeric_limits<double>::infinity()))));
}

TEST(AutoTest, ValueRoundTripsAllFiveKinds) {
  const std::vector<std::pair<Value, Kind>> values = {
      {Value(), Kind::Null},
      {Value(-42), Kind::Integer},
      {Value(2.5), Kind::Real},
      {Value("text"), Kind::Text},
      {Value(diskcache::to_bytes("\x01\x02")), Kind::Blob},
  };
  for (const auto& [value, kind] : values) {
    const Cell cell = disk::Auto::encode(value);
    EXPECT_EQ(cell.kind(), kind);
    EXPECT_TRUE(cell.raw());
    EXPECT_EQ(disk::Auto::decode<Value>(cell), value);
  }
  EXPECT_TRUE(disk::Auto::encode(Value()).is_null());
}

TEST(AutoTest, DecodesAnyCellAsValue) {
  EXPECT_EQ(disk::Auto::decode<Value>(Cell::integer(7)), Value(7));
  EXPECT_EQ(disk::Auto::decode<Value>(Cell::real(0.5)), Value(0.5));
  EXPECT_EQ(disk::Auto::decode<Value>(Cell::text("t")), Value("t"));
  EXPECT_EQ(disk::Auto::decode<Value>(Cell::blob(std::string("b"))),
            Value(diskcache::to_bytes("b")));
  EXPECT_TRUE(disk::Auto::decode<Value>(Cell::null()).is_null());
}

TEST(AutoTest, ValuesPythonPicklesArePickledAsPythonDoes) {
  const Value tuple = diskcache::Tuple{1, "a"};
  const Cell cell = disk::Auto::encode(tuple);
  EXPECT_EQ(cell.kind(), Kind::Blob);
  EXPECT_FALSE(cell.raw());  // a key as Python's Disk.put stores it
  EXPECT_EQ(cell.mode(), Mode::Pickle);
  EXPECT_EQ(cell.bytes(), Cell::as_chars(diskcache::pickle::dumps_key(tuple)));
  EXPECT_EQ(disk::Auto::decode<Value>(cell), tuple);
  for (const Value& value :
       {Value(diskcache::BigInt::from_string("99999999999999999999")),
        Value(diskcache::ByteArray()), Value(diskcache::List{}), Value(diskcache::Dict{}),
        Value(diskcache::Set{}), Value(diskcache::FrozenSet{})}) {
    const Cell pickled = disk::Auto::encode(value);
    EXPECT_EQ(pickled.mode(), Mode::Pickle) << value.repr();
    EXPECT_EQ(disk::Auto::decode<Value>(pickled), value) << value.repr();
  }
}

TEST(AutoTest, BoolAloneIsTheIntegerAsForACppBool) {
  const Cell cell = disk::Auto::encode(Value(true));
  EXPECT_EQ(cell.kind(), Kind::Integer);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(cell.integer(), 1);
  EXPECT_EQ(disk::Auto::decode<Value>(cell), Value(true));  // true == 1
}

TEST(AutoTest, PickledCellsDecodeAsValuesAndTypesOfTheirShape) {
  Cell cell = Cell::blob(std::string("\x80\x05\x88.", 4), /*raw=*/true);
  cell.set_mode(Mode::Pickle);
  EXPECT_EQ(disk::Auto::decode<Value>(cell).kind(), Value::Kind::Bool);
  EXPECT_TRUE(disk::Auto::decode<bool>(cell));
  EXPECT_EQ(disk::Auto::decode<std::int64_t>(cell), 1);  // Python's True is an int
  EXPECT_TRUE(mentions(error_of([&] { disk::Auto::decode<std::string>(cell); }),
                       "cannot decode the bool True as std::string: expected a str"));
  Cell garbage = Cell::blob(std::string("garbage"), /*raw=*/true);
  garbage.set_mode(Mode::Pickle);
  const std::string message = error_of([&] { disk::Auto::decode<Value>(garbage); });
  EXPECT_TRUE(mentions(message, "disk::Auto"));
  EXPECT_TRUE(mentions(message, "mode 4"));
  // A key another policy encoded (raw = 0) is no pickle either.
  EXPECT_TRUE(
      mentions(error_of([] { disk::Auto::decode<Value>(Cell::text("{}", false)); }), "raw = 0"));
}

// Standard containers, tuples and optionals: stored as Python stores the
// same tuple, list, dict, set or None.

template <class T>
void expect_python_round_trip(const T& object, const Value& python) {
  const Cell cell = disk::Auto::encode(object);
  EXPECT_TRUE(same_cell(cell, disk::Auto::encode(python))) << python.repr();
  EXPECT_EQ(disk::Auto::decode<T>(cell), object) << python.repr();
  EXPECT_EQ(disk::Auto::decode<Value>(cell), python) << python.repr();
}

TEST(AutoTest, StandardTypesAreStoredAsPythonsPlainData) {
  using diskcache::Dict;
  using diskcache::List;
  using diskcache::Tuple;
  expect_python_round_trip(std::tuple<std::string, std::int64_t>{"a", 1}, Tuple{"a", 1});
  expect_python_round_trip(std::pair<double, bool>{0.5, true}, Tuple{0.5, true});
  expect_python_round_trip(std::vector<double>{1.5, -2}, List{1.5, -2.0});
  expect_python_round_trip(std::vector<std::tuple<std::string, double>>{{"x", 1.0}},
                           List{Tuple{"x", 1.0}});
  expect_python_round_trip(std::map<std::string, std::vector<std::int64_t>>{{"k", {1, 2}}},
                           Dict{{"k", List{1, 2}}});
  expect_python_round_trip(std::unordered_map<std::int64_t, std::string>{{7, "seven"}},
                           Dict{{7, "seven"}});
  expect_python_round_trip(std::set<std::string>{"b", "a"}, diskcache::Set{"a", "b"});
  expect_python_round_trip(std::vector<bool>{true, false}, List{true, false});
  expect_python_round_trip(std::vector<std::uint64_t>{UINT64_MAX},
                           List{diskcache::BigInt::from_string("18446744073709551615")});
  expect_python_round_trip(std::vector<std::optional<std::int64_t>>{std::nullopt, 3},
                           List{nullptr, 3});
  expect_python_round_trip(std::tuple<Bytes, std::vector<unsigned char>>{},
                           Tuple{Bytes{}, Bytes{}});
  // An optional alone is its value, or None (a NULL cell as a Value's).
  expect_python_round_trip(std::optional<std::int64_t>(5), Value(5));
  expect_python_round_trip(std::optional<std::string>(), Value());
  // The key bytes are Python's: pickletools.optimize(pickle.dumps(k, 5)).
  const Cell key = disk::Auto::encode(std::tuple<std::string, std::int64_t>{"a", 1});
  EXPECT_FALSE(key.raw());
  EXPECT_EQ(key.bytes(), Cell::as_chars(diskcache::pickle::dumps_key(Tuple{"a", 1})));
}

TEST(AutoTest, AnotherShapeIsATypedError) {
  const auto pickled = [](const Value& value) { return disk::Auto::encode(value).to_owning(); };
  std::string message = error_of([&] {
    disk::Auto::decode<std::pair<std::string, std::int64_t>>(pickled(diskcache::List{"a", 1}));
  });
  EXPECT_TRUE(mentions(message,
                       "disk::Auto: cannot decode the list ['a', 1] as "
                       "std::pair<std::string, int64_t>: expected a tuple of 2"))
      << message;
  message = error_of([&] {
    disk::Auto::decode<std::map<std::string, std::vector<std::int8_t>>>(
        pickled(diskcache::Dict{{"k", diskcache::List{1, 300}}}));
  });
  EXPECT_TRUE(mentions(message, "the integer 300 at ['k'][1] as int8_t")) << message;
  message = error_of(
      [&] { disk::Auto::decode<std::vector<std::string>>(pickled(diskcache::Tuple{"a"})); });
  EXPECT_TRUE(mentions(message, "expected a list")) << message;
  message = error_of([&] { disk::Auto::decode<std::vector<double>>(Cell::text("x")); });
  EXPECT_TRUE(mentions(message, "cannot decode the text 'x' as std::vector<double>")) << message;
  message = error_of([&] { disk::Auto::decode<std::set<std::int64_t>>(Cell::blob("\x05")); });
  EXPECT_TRUE(mentions(message, "expected a set")) << message;
  // A pickled object is refused, naming its class.
  Cell object = disk::Auto::encode(
      Value(diskcache::PickledObject("m.C", diskcache::to_bytes("\x80\x04\x8c\x01m\x8c\x01"
                                                                "C\x93)\x81."))));
  message = error_of([&] { disk::Auto::decode<std::vector<double>>(object); });
  EXPECT_TRUE(mentions(message, "m.C")) << message;
}

// What the previous release stored for these types: cereal portable binary,
// the key not raw, the value an ordinary blob.
TEST(AutoTest, ReadsTheCerealFormOfThePreviousRelease) {
  using Key = std::tuple<std::string, std::int64_t>;
  Cell old_key = disk::Binary::encode(Key{"a", 1});
  old_key.set_raw(false);
  EXPECT_EQ(disk::Auto::decode<Key>(old_key), (Key{"a", 1}));
  const std::map<std::string, std::vector<std::int64_t>> map{{"k", {1, 2}}};
  EXPECT_EQ((disk::Auto::decode<std::map<std::string, std::vector<std::int64_t>>>(
                disk::Binary::encode(map))),
            map);
  const std::optional<std::int64_t> some = 4;
  EXPECT_EQ(disk::Auto::decode<std::optional<std::int64_t>>(disk::Binary::encode(some)), some);
}

TEST(AutoTest, PickledObjectsAreStoredUnchanged) {
  const Bytes pickle = diskcache::to_bytes(
      "\x80\x04\x8c\x01m\x8c\x01"
      "C\x93)\x81.");
  const Value object = diskcache::PickledObject("m.C", pickle);
  const Cell cell = disk::Auto::encode(object);
  EXPECT_EQ(cell.bytes(), Cell::as_chars(pickle));
  EXPECT_EQ(cell.mode(), Mode::Pickle);
  EXPECT_EQ(disk::Auto::decode<Value>(cell), object);
}

TEST(AutoTest, BlobWithoutEndiannessHeaderThrows) {
  const std::string message =
      error_of([] { disk::Auto::decode<Point>(Cell::blob(std::string("python bytes"))); });
  EXPECT_TRUE(mentions(message, "disk::Auto"));
  EXPECT_TRUE(mentions(message, "endianness"));
}

// ---------------------------------------------------------------------------
// disk::Raw: only raw types (the rest is tests/compile_fail/).

template <class T>
void expect_raw_round_trip(const T& object, Kind kind) {
  const Cell cell = disk::Raw::encode(object);
  EXPECT_EQ(cell.kind(), kind);
  EXPECT_TRUE(cell.raw());
  EXPECT_EQ(disk::Raw::decode<T>(cell), object);
  EXPECT_TRUE(same_cell(cell, disk::Auto::encode(object)));
}

TEST(RawTest, RoundTripsEveryRawType) {
  expect_raw_round_trip(std::int8_t{-8}, Kind::Integer);
  expect_raw_round_trip(std::uint8_t{200}, Kind::Integer);
  expect_raw_round_trip(std::int16_t{-16000}, Kind::Integer);
  expect_raw_round_trip(std::uint16_t{65000}, Kind::Integer);
  expect_raw_round_trip(std::int32_t{-2000000000}, Kind::Integer);
  expect_raw_round_trip(std::uint32_t{4000000000U}, Kind::Integer);
  expect_raw_round_trip(std::numeric_limits<std::int64_t>::min(), Kind::Integer);
  expect_raw_round_trip(std::uint64_t{1} << 62, Kind::Integer);
  expect_raw_round_trip(true, Kind::Integer);
  expect_raw_round_trip(1.5f, Kind::Real);
  expect_raw_round_trip(-1e-300, Kind::Real);
  expect_raw_round_trip(std::string("text"), Kind::Text);
  expect_raw_round_trip(diskcache::to_bytes("bytes"), Kind::Blob);
  expect_raw_round_trip(std::vector<unsigned char>{1, 2, 255}, Kind::Blob);
  expect_raw_round_trip(Value(), Kind::Null);
  expect_raw_round_trip(Value(5), Kind::Integer);
  expect_raw_round_trip(Value(5.5), Kind::Real);
  expect_raw_round_trip(Value("v"), Kind::Text);
  expect_raw_round_trip(Value(diskcache::to_bytes("v")), Kind::Blob);
}

TEST(RawTest, ValuesPythonPicklesHaveNoRawForm) {
  const std::string message = error_of([] { disk::Raw::encode(Value(diskcache::Tuple{1})); });
  EXPECT_TRUE(mentions(message, "disk::Raw"));
  EXPECT_TRUE(mentions(message, "tuple"));
  Cell pickled = disk::Auto::encode(Value(diskcache::Tuple{1}));
  EXPECT_TRUE(mentions(error_of([&] { disk::Raw::decode<Value>(pickled); }), "pickle"));
}

TEST(RawTest, UnsignedAboveInt64MaxThrows) {
  const std::string message =
      error_of([] { disk::Raw::encode(std::numeric_limits<std::uint64_t>::max()); });
  EXPECT_TRUE(mentions(message, "disk::Raw"));
}

// ---------------------------------------------------------------------------
// disk::Binary and disk::Json specifics.

TEST(BinaryTest, KeysAreAlwaysRawBlobs) {
  const std::string text = "key";
  for (const Cell& cell : {disk::Binary::encode(text), disk::Binary::encode(std::int64_t{1}),
                           disk::Binary::encode(1.5)}) {
    EXPECT_EQ(cell.kind(), Kind::Blob);
    EXPECT_TRUE(cell.raw());
  }
}

TEST(BinaryTest, RoundTripsUint64AboveInt64Max) {
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(disk::Binary::decode<std::uint64_t>(disk::Binary::encode(big)), big);
}

TEST(JsonTest, StoresSingleLineTextWithFieldNames) {
  const Cell cell = disk::Json::encode(Point{1, 2.5, "alice", {1, 2}});
  EXPECT_EQ(cell.kind(), Kind::Text);
  EXPECT_TRUE(cell.raw());
  const std::string text(cell.bytes());
  EXPECT_TRUE(mentions(text, "\"name\": \"alice\""));
  EXPECT_TRUE(mentions(text, "\"tags\": [1,2]"));
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

TEST(JsonTest, KeepsNewlinesInsideStrings) {
  const Point point{0, 0, "two\nlines", {}};
  const Cell cell = disk::Json::encode(point);
  EXPECT_TRUE(mentions(std::string(cell.bytes()), "two\\nlines"));
  EXPECT_EQ(disk::Json::decode<Point>(cell), point);
}

TEST(JsonTest, NonFiniteDoublesRoundTrip) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(disk::Json::decode<double>(disk::Json::encode(inf)), inf);
  EXPECT_EQ(disk::Json::decode<double>(disk::Json::encode(-inf)), -inf);
  EXPECT_TRUE(std::isnan(
      disk::Json::decode<double>(disk::Json::encode(std::numeric_limits<double>::quiet_NaN()))));
}

TEST(JsonTest, StringWithNulThrowsInsteadOfLosingTheTail) {
  // cereal's JSON reader stops strings at a NUL, so encoding must refuse.
  for (const std::string& text : {std::string("a\0b", 3), std::string("\\\0", 2)}) {
    const std::string message = error_of([&] { disk::Json::encode(text); });
    EXPECT_TRUE(mentions(message, "NUL"));
  }
  // Text that merely looks like the escape is fine.
  for (const std::string& text :
       {std::string("\\u0000"), std::string("u0000"), std::string("\\")}) {
    EXPECT_EQ(disk::Json::decode<std::string>(disk::Json::encode(text)), text);
  }
}

TEST(JsonTest, MissingFieldThrows) {
  const std::string message =
      error_of([] { disk::Json::decode<Point>(Cell::text("{\"value0\": {\"x\": 1}}", false)); });
  EXPECT_TRUE(mentions(message, "disk::Json"));
  EXPECT_TRUE(mentions(message, "cereal JSON"));
}

TEST(JsonTest, NonJsonTextThrows) {
  const std::string message = error_of([] { disk::Json::decode<Point>(Cell::text("not json")); });
  EXPECT_TRUE(mentions(message, "disk::Json: cannot decode 8 bytes"));
}

// --- Hostile size prefixes: cereal and Boost resize a string or vector to a
// length read from the input before reading its elements, so a few bytes
// claiming 2^40 elements used to allocate (and zero) that much. The bounded
// archives refuse such a prefix before allocating.

// Portable binary of a std::string whose length prefix says `length`.
std::string portable_string_claiming(std::uint64_t length) {
  std::string bytes(1, '\x01');  // little-endian writer
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  return bytes + "abc";
}

void expect_size_refused(const std::function<void()>& decode) {
  try {
    decode();
    ADD_FAILURE() << "a hostile size prefix must be refused";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("exceeds the 3 bytes left"), std::string::npos)
        << error.what();
  }
}

TEST(BoundedInputTest, HugeStringLengthIsRefusedBeforeAllocating) {
  const Cell cell = Cell::blob(portable_string_claiming(std::uint64_t{1} << 40), false);
  expect_size_refused([&] { disk::Binary::decode<std::string>(cell); });
  expect_size_refused([&] { disk::Auto::decode<std::vector<std::string>>(cell); });
  expect_size_refused([&] {
    disk::Binary::decode<Value>(Cell::blob(
        std::string("\x01\x03", 2) + portable_string_claiming(std::uint64_t{1} << 33).substr(1),
        false));
  });
}

TEST(BoundedInputTest, HugeVectorCountIsRefusedBeforeAllocating) {
  const Cell cell = Cell::blob(portable_string_claiming(std::uint64_t{1} << 36), false);
  expect_size_refused([&] { disk::Binary::decode<std::vector<std::uint64_t>>(cell); });
  expect_size_refused([&] { disk::Binary::decode<std::vector<std::vector<int>>>(cell); });
}

TEST(BoundedInputTest, ExactLengthsStillDecode) {
  const std::vector<std::string> value = {"a", std::string(1000, 'b'), ""};
  EXPECT_EQ(disk::Binary::decode<std::vector<std::string>>(disk::Binary::encode(value)), value);
  EXPECT_EQ(disk::Boost::decode<std::vector<std::string>>(disk::Boost::encode(value)), value);
}

TEST(BoundedInputTest, BoostHugeLengthsAreRefusedBeforeAllocating) {
  // Boost's binary archive: a std::size_t length, then the bytes.
  std::string bytes;
  const std::uint64_t huge = std::uint64_t{1} << 40;
  bytes.append(reinterpret_cast<const char*>(&huge), sizeof huge);
  bytes += "abc";
  expect_size_refused([&] { disk::Boost::decode<std::string>(Cell::blob(bytes, false)); });
  expect_size_refused(
      [&] { disk::Boost::decode<std::vector<std::uint64_t>>(Cell::blob(bytes, false)); });
}

TEST(BoundedInputTest, DeeplyNestedJsonIsRefusedInsteadOfExhaustingTheStack) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    disk::Json::decode<std::vector<int>>(Cell::text(deep, false));
    ADD_FAILURE() << "nesting 100000 deep must be refused";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("nest deeper than 512"), std::string::npos)
        << error.what();
  }
  // Brackets inside strings do not count.
  const std::vector<std::string> value = {std::string(2000, '[')};
  EXPECT_EQ(disk::Json::decode<std::vector<std::string>>(disk::Json::encode(value)), value);
}

}  // namespace

namespace {

// Found by fuzzing: a bool byte other than 0 or 1 was copied into a bool,
// undefined behaviour to read (UBSan: "load of value 250, which is not a
// valid value for type 'bool'").
TEST(BoundedInputTest, BoolByteOtherThanZeroOrOneIsRefused) {
  const Cell portable = Cell::blob(std::string("\x01\xfa", 2), false);
  EXPECT_THROW(disk::Binary::decode<bool>(portable), SerializationError);
  EXPECT_THROW(disk::Boost::decode<bool>(Cell::blob(std::string("\xd6", 1), false)),
               SerializationError);
  EXPECT_TRUE(disk::Binary::decode<bool>(disk::Binary::encode(true)));
  EXPECT_FALSE(disk::Boost::decode<bool>(disk::Boost::encode(false)));
}

}  // namespace

namespace {

// Found by fuzzing: RapidJSON 1.1 parses a zero with an exponent ("0e-24")
// through DiyFp::Normalize, which passes 0 to clz() and overflows an int
// (UBSan: "passing zero to clz()", "signed integer overflow").
TEST(BoundedInputTest, JsonZeroWithAnExponentIsRefused) {
  for (const char* text : {"{\"value0\": 0e-24}", "{\"value0\": -0.000E5}", "[0e1]"}) {
    EXPECT_THROW(disk::Json::decode<double>(Cell::text(text, false)), SerializationError) << text;
  }
  // Ordinary numbers, zeros and exponents still decode.
  EXPECT_EQ(disk::Json::decode<double>(Cell::text("{\"value0\": 0.0}", false)), 0.0);
  EXPECT_EQ(disk::Json::decode<double>(Cell::text("{\"value0\": 1e-3}", false)), 1e-3);
  EXPECT_EQ(disk::Json::decode<double>(disk::Json::encode(2.5e-300)), 2.5e-300);
}

}  // namespace
