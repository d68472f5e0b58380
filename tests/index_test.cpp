// Index<K, V, Disk> (SPEC section 5): a persistent map that never evicts,
// with insertion-order iteration, key-order range queries checked against
// std::map, and Python's diskcache.Index on the same directories.
#include "diskcache/index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <ostream>
#include <random>
#include <ranges>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/disk/binary.hpp"
#include "test_support.hpp"

namespace diskcache {

// Failure messages show Values as Python would (7, 2.5, 'text', b'\x00').
void PrintTo(const Value& value, std::ostream* out) { *out << value.repr(); }

namespace {

using namespace std::string_literals;
using testing::collect;
using testing::TempDir;

using Names = Index<std::string, std::int64_t>;
using Pairs = std::vector<std::pair<std::string, std::int64_t>>;

class IndexTest : public ::testing::Test {
 protected:
  // Runs `tests/python/index.py <command> <dir_>`; 0 when its checks pass.
  int python(const std::string& command) {
    return testing::run_python("index.py", command + " '" + dir_.path().string() + "'");
  }

  TempDir dir_;
};

TEST_F(IndexTest, SetGetAtContainsErase) {
  Names index(dir_.path());
  index.set("alice", 90);
  index["bob"] = 75;
  EXPECT_EQ(index.get("alice"), 90);
  EXPECT_EQ(index.get("carol"), std::nullopt);
  EXPECT_EQ(index.at("bob"), 75);
  const std::int64_t bob = index["bob"];
  EXPECT_EQ(bob, 75);
  EXPECT_TRUE(index.contains("alice"));
  EXPECT_FALSE(index.contains("carol"));
  EXPECT_EQ(index.size(), 2);
  EXPECT_TRUE(index.erase("alice"));
  EXPECT_FALSE(index.erase("alice"));
  EXPECT_EQ(index.size(), 1);
  EXPECT_FALSE(index.empty());
}

TEST_F(IndexTest, MissingKeyThrowsKeyErrorNamingKeyAndDirectory) {
  Names index(dir_.path());
  for (const auto& read : {+[](Names& i) { return i.at("nobody"); },
                           +[](Names& i) { return static_cast<std::int64_t>(i["nobody"]); }}) {
    try {
      read(index);
      FAIL() << "reading a missing key must throw";
    } catch (const KeyError& error) {
      EXPECT_EQ(error.key(), "'nobody'");
      EXPECT_EQ(error.directory(), dir_.path());
      EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
    }
  }
}

TEST_F(IndexTest, PopAndSetdefault) {
  Names index(dir_.path());
  index.set("a", 1);
  EXPECT_EQ(index.pop("a"), 1);
  EXPECT_EQ(index.pop("a"), std::nullopt);
  EXPECT_EQ(index.setdefault("b", 5), 5);
  EXPECT_EQ(index.setdefault("b", 6), 5);
  EXPECT_EQ(index.at("b"), 5);
}

TEST_F(IndexTest, PeekitemAndPopitemFollowInsertionOrder) {
  Names index(dir_.path());
  EXPECT_EQ(index.peekitem(), std::nullopt);
  EXPECT_EQ(index.popitem(), std::nullopt);
  for (const char* key : {"a", "b", "c", "d"}) index.set(key, key[0]);
  index.set("a", 100);  // a new value keeps the key's place
  EXPECT_EQ(index.peekitem(), std::make_pair("d"s, std::int64_t{'d'}));
  EXPECT_EQ(index.peekitem(false), std::make_pair("a"s, std::int64_t{100}));
  EXPECT_EQ(index.popitem(), std::make_pair("d"s, std::int64_t{'d'}));       // a stack
  EXPECT_EQ(index.popitem(false), std::make_pair("a"s, std::int64_t{100}));  // a queue
  EXPECT_EQ(collect(index.keys()), (std::vector<std::string>{"b", "c"}));
}

TEST_F(IndexTest, PopitemOfUndecodableItemThrowsAndKeepsIt) {
  Index<> mixed(dir_.path());
  mixed.set("text", "not a number");
  Names names(dir_.path());
  EXPECT_THROW(names.popitem(), SerializationError);
  EXPECT_EQ(mixed.size(), 1);
}

TEST_F(IndexTest, PushAndPullUsePythonsQueueKeys) {
  Index<> index(dir_.path());
  EXPECT_EQ(index.push("first"), Value(500000000000000));
  EXPECT_EQ(index.push("second"), Value(500000000000001));
  EXPECT_EQ(index.push("urgent", {}, Side::Front), Value(499999999999999));
  EXPECT_EQ(index.push(1, "jobs"), Value("jobs-500000000000000"));
  EXPECT_EQ(index.pull(), std::make_pair(Value(499999999999999), Value("urgent")));
  EXPECT_EQ(index.pull({}, Side::Back), std::make_pair(Value(500000000000001), Value("second")));
  EXPECT_EQ(index.pull("jobs"), std::make_pair(Value("jobs-500000000000000"), Value(1)));
  EXPECT_EQ(index.pull("jobs"), std::nullopt);
  EXPECT_EQ(index.size(), 1);
}

TEST_F(IndexTest, ClearRemovesEverything) {
  Names index(dir_.path());
  for (int i = 0; i < 250; ++i) index.set("key" + std::to_string(i), i);
  EXPECT_EQ(index.clear(), 250);
  EXPECT_TRUE(index.empty());
  EXPECT_TRUE(collect(index.items()).empty());
}

TEST_F(IndexTest, KeysValuesAndItemsInInsertionOrderBothWays) {
  Names index(dir_.path());
  for (const char* key : {"c", "a", "b"}) index.set(key, key[0] - 'a');
  index.set("a", 10);
  EXPECT_EQ(collect(index.keys()), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(collect(index.keys(true)), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(collect(index.values()), (std::vector<std::int64_t>{2, 10, 1}));
  EXPECT_EQ(collect(index.values(true)), (std::vector<std::int64_t>{1, 10, 2}));
  EXPECT_EQ(collect(index.items()), (Pairs{{"c", 2}, {"a", 10}, {"b", 1}}));
  EXPECT_EQ(collect(index.items(true)), (Pairs{{"b", 1}, {"a", 10}, {"c", 2}}));
}

TEST_F(IndexTest, NeverEvictsAndStoresPolicyNone) {
  {
    Index<std::int64_t, std::string> index(dir_.path(),
                                           Settings{.size_limit = 64 << 10, .cull_limit = 10});
    // 2 MB of values in a cache limited to 64 KiB: a Cache would evict.
    for (std::int64_t i = 0; i < 1000; ++i) index.set(i, std::string(2000, 'v'));
    EXPECT_EQ(index.size(), 1000);
    EXPECT_EQ(index.cache().cull(), 0);
  }
  Cache<> reopened(dir_.path());
  EXPECT_EQ(reopened.settings().eviction_policy, EvictionPolicy::None);
  EXPECT_EQ(reopened.size(), 1000);
}

TEST_F(IndexTest, FromCacheSharesTheDirectory) {
  Cache<std::string, std::int64_t> cache(dir_.path());
  cache.set("shared", 1);
  Names index = Names::from_cache(cache);
  EXPECT_EQ(index.at("shared"), 1);
  index.set("added", 2);
  EXPECT_EQ(cache.get("added"), 2);
  EXPECT_EQ(index.directory(), dir_.path());
}

TEST_F(IndexTest, EqualityIsOrderSensitiveBetweenIndexesOnly) {
  TempDir other_dir;
  TempDir third_dir;
  Names index(dir_.path());
  Names same(other_dir.path());
  Names reordered(third_dir.path());
  for (const char* key : {"x", "y", "z"}) {
    index.set(key, key[0]);
    same.set(key, key[0]);
  }
  for (const char* key : {"z", "y", "x"}) reordered.set(key, key[0]);
  EXPECT_TRUE(index == same);
  EXPECT_TRUE(index == Names(dir_.path()));
  EXPECT_FALSE(index == reordered);  // the same items in another order

  // Any other mapping compares without order, from either side.
  std::unordered_map<std::string, std::int64_t> hashed{{"z", 'z'}, {"x", 'x'}, {"y", 'y'}};
  EXPECT_TRUE(index == hashed);
  EXPECT_TRUE(hashed == reordered);
  hashed["y"] = 0;
  EXPECT_TRUE(index != hashed);
  std::map<std::string, std::int64_t> fewer{{"x", 'x'}, {"y", 'y'}};
  EXPECT_FALSE(index == fewer);
  same.set("y", 0);
  EXPECT_FALSE(index == same);
}

TEST_F(IndexTest, ComparisonsRefuseAnItemTheyCannotDecodeInsteadOfSkippingIt) {
  TempDir other_dir;
  Names index(dir_.path());
  Names other(other_dir.path());
  index.set("a", 1);
  other.set("a", 1);
  other.set("b", 2);
  Cache<>(dir_.path()).set(42, 2);  // a key a Names index cannot hold
  // Skipping 42 would make {"a": 1, 42: 2} equal to {"a": 1, "b": 2}.
  EXPECT_THROW((void)(index == other), SerializationError);
  EXPECT_THROW((void)(index == std::map<std::string, std::int64_t>{{"a", 1}, {"b", 2}}),
               SerializationError);
  // Iteration itself skips it and says so.
  auto items = index.items();
  EXPECT_EQ(testing::collect(items).size(), 1u);
  EXPECT_EQ(items.skipped(), 1);
}

TEST_F(IndexTest, TransactIsOneAtomicStep) {
  Names index(dir_.path());
  {
    auto transaction = index.transact();
    index.set("a", 1);
    index.set("b", 2);
  }
  EXPECT_EQ(index.size(), 2);
  try {
    auto transaction = index.transact();
    index.set("c", 3);
    index.erase("a");
    throw std::runtime_error("abandon");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(collect(index.keys()), (std::vector<std::string>{"a", "b"}));
}

TEST_F(IndexTest, MemoizedResultsAreComputedOncePerArguments) {
  Index<> index(dir_.path());
  int calls = 0;
  auto square = index.memoize("square", [&calls](std::int64_t x) {
    ++calls;
    return x * x;
  });
  EXPECT_EQ(square(7), 49);
  EXPECT_EQ(square(7), 49);
  EXPECT_EQ(square(8), 64);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(square.contains(7));
  EXPECT_EQ(index.size(), 2);
}

// --- Key order --------------------------------------------------------------

TEST_F(IndexTest, RangeIsHalfOpenAndLowerBoundRunsToTheEnd) {
  Index<std::int64_t, std::int64_t> index(dir_.path());
  for (std::int64_t key : {50, 10, 40, 20, 30}) index.set(key, key * 10);
  using Items = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(collect(index.range(20, 40)), (Items{{20, 200}, {30, 300}}));
  EXPECT_EQ(collect(index.range(15, 45)), (Items{{20, 200}, {30, 300}, {40, 400}}));
  EXPECT_TRUE(collect(index.range(40, 40)).empty());
  EXPECT_TRUE(collect(index.range(40, 20)).empty());
  EXPECT_EQ(collect(index.lower_bound(35)), (Items{{40, 400}, {50, 500}}));
  EXPECT_TRUE(collect(index.lower_bound(51)).empty());
}

TEST_F(IndexTest, RangeLeavesOutEncodedKeys) {
  Index<> index(dir_.path());
  index.set(1, "one");
  index.set("text", "t");
  index.set(Bytes{std::byte{5}}, "bytes");
  // A key disk::Auto stores with cereal (raw = 0) is a BLOB among the bytes.
  Cache<std::vector<int>, std::string> encoded(dir_.path());
  encoded.set({1, 2, 3}, "encoded");
  const auto keys = [](auto&& items) {
    std::vector<Value> out;
    for (const auto& item : items) out.push_back(item.first);
    return out;
  };
  EXPECT_EQ(keys(index.lower_bound(0)), (std::vector<Value>{1, "text", Bytes{std::byte{5}}}));
  EXPECT_EQ(keys(index.range(Bytes{}, Bytes(9, std::byte{0xff}))),
            (std::vector<Value>{Bytes{std::byte{5}}}));
}

TEST_F(IndexTest, RangeOverKeysThePolicyEncodesIsAnError) {
  Index<std::int64_t, int, disk::Binary> index(dir_.path());
  index.set(1, 1);
  try {
    index.range(0, 5);
    FAIL() << "disk::Binary encodes integer keys, which have no key order";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("stored raw"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
    EXPECT_EQ(error.directory(), dir_.path());
  }
  EXPECT_THROW(index.lower_bound(0), Error);
  Index<> values(dir_.path());
  EXPECT_THROW(values.lower_bound(Value()), SerializationError);  // null is no key
}

// Random keys of each raw kind, and std::map's order for them with the
// comparator that matches SQLite's.
template <class K>
struct RandomKeys;

template <>
struct RandomKeys<std::int64_t> {
  using Less = std::less<>;
  static std::int64_t least() { return std::numeric_limits<std::int64_t>::min(); }
  static std::int64_t make(std::mt19937_64& random) {
    switch (random() % 3) {
      case 0: return static_cast<std::int64_t>(random());  // the full range
      case 1: return static_cast<std::int64_t>(random() % 2001) - 1000;
      default: return static_cast<std::int64_t>(random() >> 20) - (std::int64_t{1} << 43);
    }
  }
};

template <>
struct RandomKeys<double> {
  using Less = std::less<>;
  static double least() { return -std::numeric_limits<double>::infinity(); }
  static double make(std::mt19937_64& random) {
    std::uniform_real_distribution<double> unit(-1, 1);
    switch (random() % 5) {
      case 0: return unit(random) * 1000;
      case 1: return std::ldexp(unit(random), static_cast<int>(random() % 2000) - 1000);
      case 2: return static_cast<double>(static_cast<std::int64_t>(random() % 201) - 100);
      case 3: return random() % 2 ? 0.0 : -0.0;
      default:
        if (random() % 50 == 0) return random() % 2 ? least() : -least();
        return unit(random) * 1e-3;
    }
  }
};

// Text from an alphabet with NUL, ASCII and multi-byte UTF-8 characters, so
// prefixes, high bytes and embedded NULs all meet.
template <>
struct RandomKeys<std::string> {
  using Less = std::less<>;
  static std::string least() { return ""; }
  static std::string make(std::mt19937_64& random) {
    static const std::vector<std::string> alphabet{"\0"s, "A", "a", "b", "z", "~", "é", "✓", "😀"};
    std::string text;
    for (std::size_t n = random() % 7; n > 0; --n) text += alphabet[random() % alphabet.size()];
    return text;
  }
};

template <>
struct RandomKeys<Bytes> {
  using Less = std::less<>;
  static Bytes least() { return {}; }
  static Bytes make(std::mt19937_64& random) {
    static const unsigned char alphabet[] = {0x00, 0x01, 0x41, 0x7f, 0x80, 0xfe, 0xff};
    Bytes bytes;
    for (std::size_t n = random() % 7; n > 0; --n) {
      bytes.push_back(static_cast<std::byte>(alphabet[random() % sizeof alphabet]));
    }
    return bytes;
  }
};

// Values of every raw kind at once: numbers (integers and doubles compared
// by value), then text, then bytes.
template <>
struct RandomKeys<Value> {
  struct Less {
    static int rank(const Value& value) {
      switch (value.kind()) {
        case Value::Kind::Integer:
        case Value::Kind::Real: return 0;
        case Value::Kind::Text: return 1;
        default: return 2;
      }
    }
    // long double holds every int64 and every double exactly (x86-64).
    static long double number(const Value& value) {
      if (const auto* integer = value.get_if<std::int64_t>()) return *integer;
      return *value.get_if<double>();
    }
    bool operator()(const Value& a, const Value& b) const {
      if (rank(a) != rank(b)) return rank(a) < rank(b);
      if (rank(a) == 0) return number(a) < number(b);
      if (rank(a) == 1) return a.as<std::string>() < b.as<std::string>();
      return a.as<Bytes>() < b.as<Bytes>();
    }
  };
  static Value least() { return RandomKeys<double>::least(); }
  static Value make(std::mt19937_64& random) {
    switch (random() % 4) {
      case 0: return RandomKeys<std::int64_t>::make(random);
      case 1: return RandomKeys<double>::make(random);
      case 2: return RandomKeys<std::string>::make(random);
      default: return RandomKeys<Bytes>::make(random);
    }
  }
};

template <class K>
class IndexKeyOrderTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

using RawKeyTypes = ::testing::Types<std::int64_t, double, std::string, Bytes, Value>;
TYPED_TEST_SUITE(IndexKeyOrderTest, RawKeyTypes);

// 10,000 random keys in an Index and in a std::map ordered as SQLite orders
// them: every range and lower_bound returns the std::map's items.
TYPED_TEST(IndexKeyOrderTest, RangesMatchStdMapOnTenThousandRandomKeys) {
  using K = TypeParam;
  using Keys = RandomKeys<K>;
  std::mt19937_64 random(20240611);
  Index<K, std::int64_t> index(this->dir_.path());
  std::map<K, std::int64_t, typename Keys::Less> expected;
  std::vector<K> drawn;
  {
    auto transaction = index.transact();
    for (std::int64_t i = 0; i < 10'000; ++i) {
      K key = Keys::make(random);
      index.set(key, i);
      expected.insert_or_assign(
          expected.find(key) != expected.end() ? expected.find(key)->first : key, i);
      drawn.push_back(std::move(key));
    }
  }
  ASSERT_EQ(index.size(), static_cast<std::int64_t>(expected.size()));
  using Items = std::vector<std::pair<K, std::int64_t>>;
  const auto slice = [&](auto first, auto last) { return Items(first, last); };

  EXPECT_EQ(collect(index.lower_bound(Keys::least())), slice(expected.begin(), expected.end()));
  // A bound is a stored key or a fresh one, half of the time each.
  const auto bound = [&] {
    return random() % 2 ? drawn[random() % drawn.size()] : Keys::make(random);
  };
  for (int round = 0; round < 40; ++round) {
    K lo = bound();
    K hi = bound();
    if (typename Keys::Less()(hi, lo)) std::swap(lo, hi);
    EXPECT_EQ(collect(index.range(lo, hi)),
              slice(expected.lower_bound(lo), expected.lower_bound(hi)))
        << "round " << round;
    const K from = bound();
    EXPECT_EQ(collect(index.lower_bound(from)), slice(expected.lower_bound(from), expected.end()))
        << "round " << round;
  }
}

// --- Python diskcache on the same directory --------------------------------

// C++ writes the index tests/python/index.py expects (CPP_ITEMS, then the
// changes below); Python checks order, values and policy, pops the last
// item and adds one, which C++ then sees.
TEST_F(IndexTest, PythonReadsWhatCppWroteAndCppSeesPythonsChanges) {
  std::string big_text;
  for (int i = 0; i < 6000; ++i) big_text += "0123456789abcdé✓\n";
  {
    Index<> index(dir_.path());
    index.set("b", 2);
    index.set(3, "three");
    index.set(1.5, to_bytes("\0\x01"s));
    index.set(to_bytes("key"), "bytes key");
    index.set("big", big_text);  // a value file
    index.set("a", 1);
    index.set("b", 20);  // keeps its place
    index.erase(3);
    index.set(3, "again");  // now last
  }
  ASSERT_EQ(python("read-cpp"), 0);
  Index<> index(dir_.path());
  EXPECT_EQ(collect(index.keys()),
            (std::vector<Value>{"b", 1.5, to_bytes("key"), "big", "a", "from python"}));
  EXPECT_EQ(index.at("from python"), Value(7));
}

// Python writes PYTHON_ITEMS of tests/python/index.py, pushes a job and
// changes two items; C++ reads the result in insertion and key order.
TEST_F(IndexTest, CppReadsWhatPythonWrote) {
  ASSERT_EQ(python("write"), 0);
  Bytes big_bytes(100'000);
  for (std::size_t i = 0; i < big_bytes.size(); ++i) {
    big_bytes[i] = static_cast<std::byte>(i % 256);
  }
  Index<> index(dir_.path());
  EXPECT_EQ(index.cache().settings().eviction_policy, EvictionPolicy::None);
  const std::vector<std::pair<Value, Value>> items{{"x", 10},
                                                   {-2.5, "minus two and a half"},
                                                   {to_bytes("\xff"), to_bytes("bytes")},
                                                   {"big bytes", big_bytes},
                                                   {"", "empty key"},
                                                   {500000000000000, "job"}};
  EXPECT_EQ(collect(index.items()), items);
  const std::vector<Value> key_order{-2.5, 500000000000000, "", "big bytes", "x", to_bytes("\xff")};
  std::vector<Value> keys;
  for (const auto& item : index.lower_bound(-std::numeric_limits<double>::infinity())) {
    keys.push_back(item.first);
  }
  EXPECT_EQ(keys, key_order);
  EXPECT_EQ(collect(index.range("", Bytes{})).size(), 3U);  // the strings
  EXPECT_EQ(index.pull(), std::make_pair(Value(500000000000000), Value("job")));
}

}  // namespace
}  // namespace diskcache
