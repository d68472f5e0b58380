// C++'s typed containers and memoize shared with Python diskcache (Debian's
// python3-diskcache) through disk::Auto: std::tuple, std::pair, std::vector,
// std::map, std::set, std::optional and bool stored as Python stores tuple,
// list, dict, set, None and bool, both ways, with key bytes identical to
// Python's; values of the wrong shape refused with a typed error; memoized
// results found by the other language without calling the function. The
// data mirror tests/python/typed_items.py: change both or neither.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/pickle.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

using Key = std::tuple<std::string, std::int64_t>;
using Samples = std::vector<double>;
using Pair = std::pair<std::int64_t, std::vector<std::int64_t>>;

const std::vector<std::pair<Key, Samples>> kTypedItems = {
    {{"alpha", 1}, {1.5, -2.0, 0.0}},
    {{"beta", INT64_MIN}, {}},
    {{"", INT64_MAX}, {1e300}},
};

int python(const std::string& command, const std::filesystem::path& dir,
           const std::string& args = "") {
  return testing::run_python("typed_items.py", command + " '" + dir.string() + "' " + args);
}

// The functions typed_items.py memoizes, under the same names, counting
// their calls.
struct SharedFunctions {
  using Words = std::vector<std::string>;

  explicit SharedFunctions(Cache<>& cache)
      : twice(cache.memoize("twice",
                            std::function<std::int64_t(std::int64_t)>([this](std::int64_t number) {
                              ++calls;
                              return 2 * number;
                            }))),
        add(cache.memoize("add", std::function<Pair(std::int64_t, std::int64_t)>(
                                     [this](std::int64_t a, std::int64_t b) {
                                       ++calls;
                                       return Pair{a + b, {a, b}};
                                     }))),
        join(cache.memoize("join", std::function<std::string(const Words&, const std::string&)>(
                                       [this](const Words& words, const std::string& separator) {
                                         ++calls;
                                         std::string out;
                                         for (const std::string& word : words) {
                                           out += (out.empty() ? "" : separator) + word;
                                         }
                                         return out;
                                       }))) {}

  int calls = 0;
  Memoized<disk::Auto, std::function<std::int64_t(std::int64_t)>> twice;
  Memoized<disk::Auto, std::function<Pair(std::int64_t, std::int64_t)>> add;
  Memoized<disk::Auto, std::function<std::string(const Words&, const std::string&)>> join;
};

class TypedInteropTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(TypedInteropTest, CppReadsTypedItemsPythonStored) {
  ASSERT_EQ(python("write", dir_.path()), 0);
  Cache<Key, Samples> items(dir_.path());
  for (const auto& [key, value] : kTypedItems) {
    EXPECT_EQ(items.get(key), value) << std::get<0>(key);
  }
  Cache<std::string, std::map<std::string, std::vector<std::int64_t>>> maps(dir_.path());
  EXPECT_EQ(maps.get("map"),
            (std::map<std::string, std::vector<std::int64_t>>{{"a", {1, 2, 3}}, {"b", {}}}));
  Cache<std::string, std::vector<std::pair<std::string, double>>> pairs(dir_.path());
  EXPECT_EQ(pairs.get("pairs"),
            (std::vector<std::pair<std::string, double>>{{"x", 1.5}, {"y", -0.5}}));
  Cache<std::string, std::set<std::int64_t>> sets(dir_.path());
  EXPECT_EQ(sets.get("set"), (std::set<std::int64_t>{1, 2, 3}));
  Cache<std::string, std::optional<std::int64_t>> optionals(dir_.path());
  EXPECT_EQ(optionals.get("none"),
            std::optional<std::optional<std::int64_t>>(std::in_place, std::nullopt));
  EXPECT_EQ(optionals.get("some"), std::optional<std::optional<std::int64_t>>(42));
  Cache<std::string, std::tuple<bool, bool>> flags(dir_.path());
  EXPECT_EQ(flags.get("flags"), std::make_tuple(true, false));
  Cache<std::string, std::vector<std::uint64_t>> big(dir_.path());
  EXPECT_EQ(big.get("big"), std::vector<std::uint64_t>{UINT64_MAX});
  Cache<std::string, std::tuple<Bytes, std::string>> bytes(dir_.path());
  EXPECT_EQ(bytes.get("bytes"), std::make_tuple(to_bytes("\x00\x01"), std::string("text")));
}

TEST_F(TypedInteropTest, PythonReadsTypedItemsCppStored) {
  {
    Cache<Key, Samples> items(dir_.path());
    for (const auto& [key, value] : kTypedItems) items.set(key, value);
    Cache<std::string, std::map<std::string, std::vector<std::int64_t>>> maps(dir_.path());
    maps.set("map", {{"a", {1, 2, 3}}, {"b", {}}});
    Cache<std::string, std::vector<std::pair<std::string, double>>> pairs(dir_.path());
    pairs.set("pairs", {{"x", 1.5}, {"y", -0.5}});
    Cache<std::string, std::set<std::int64_t>> sets(dir_.path());
    sets.set("set", {1, 2, 3});
    Cache<std::string, std::optional<std::int64_t>> optionals(dir_.path());
    optionals.set("none", std::nullopt);
    optionals.set("some", 42);
    Cache<std::string, std::tuple<bool, bool>> flags(dir_.path());
    flags.set("flags", {true, false});
    Cache<std::string, std::vector<std::uint64_t>> big(dir_.path());
    big.set("big", {UINT64_MAX});
    Cache<std::string, std::tuple<Bytes, std::string>> bytes(dir_.path());
    bytes.set("bytes", {to_bytes("\x00\x01"), "text"});
  }
  // Python reads each value (memoize: PythonFindsWhatCppsMemoizeStored).
  EXPECT_EQ(python("check", dir_.path()), 0);
}

TEST_F(TypedInteropTest, KeyBytesAreThoseOfPython) {
  ASSERT_EQ(python("key-bytes", dir_.path()), 0);
  Cache<std::string, Bytes> python_keys(dir_.path());
  for (std::size_t i = 0; i < kTypedItems.size(); ++i) {
    const Cell cell = disk::Auto::encode(kTypedItems[i].first);
    EXPECT_FALSE(cell.raw());
    EXPECT_EQ(to_bytes(cell.bytes()), python_keys.at("key-" + std::to_string(i))) << i;
  }
}

TEST_F(TypedInteropTest, CppFindsWhatPythonsMemoizeStored) {
  ASSERT_EQ(python("write", dir_.path()), 0);
  Cache<> cache(dir_.path());
  SharedFunctions memoized(cache);
  EXPECT_EQ(memoized.twice(21), 42);
  EXPECT_EQ(memoized.add(2, 3), (Pair{5, {2, 3}}));
  EXPECT_EQ(memoized.join(std::vector<std::string>{"a", "b"}, "-"), "a-b");
  EXPECT_EQ(memoized.calls, 0);
  // The key is Python's ('twice', 21, None), which Cache<> reads as a Tuple.
  EXPECT_EQ(cache.get(Tuple{"twice", 21, nullptr}), Value(42));
}

TEST_F(TypedInteropTest, PythonFindsWhatCppsMemoizeStored) {
  {
    Cache<> cache(dir_.path());
    SharedFunctions memoized(cache);
    memoized.twice(7);
    memoized.add(4, 5);
    memoized.join(std::vector<std::string>{"c", "d"}, "+");
    EXPECT_EQ(memoized.calls, 3);
  }
  EXPECT_EQ(python("memoize", dir_.path(), "7"), 0);
}

// What Python stored in another shape than the C++ type's.
template <class T>
std::string shape_error(const std::filesystem::path& dir, const std::string& key) {
  Cache<std::string, T> cache(dir);
  try {
    cache.get(key);
  } catch (const SerializationError& error) {
    return error.what();
  }
  ADD_FAILURE() << key << " was read";
  return "";
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(TypedInteropTest, ValuesOfAnotherShapeAreTypedErrors) {
  ASSERT_EQ(python("shape-errors", dir_.path()), 0);
  std::string message =
      shape_error<std::pair<std::string, std::int64_t>>(dir_.path(), "list-for-tuple");
  EXPECT_TRUE(mentions(message,
                       "cannot decode the list ['a', 1] as std::pair<std::string, "
                       "int64_t>: expected a tuple of 2"))
      << message;
  EXPECT_TRUE(mentions(message, "'list-for-tuple'")) << message;
  message = shape_error<std::tuple<std::string, std::int64_t>>(dir_.path(), "tuple-of-3");
  EXPECT_TRUE(mentions(message, "expected a tuple of 2")) << message;
  message = shape_error<std::vector<std::int32_t>>(dir_.path(), "int-too-big");
  EXPECT_TRUE(mentions(message,
                       "the integer 2147483648 at [0] as int32_t: expected an int in "
                       "[-2147483648, 2147483647]"))
      << message;
  message = shape_error<std::tuple<Bytes, std::string>>(dir_.path(), "str-for-bytes");
  EXPECT_TRUE(mentions(message, "the text 'text' at [0] as diskcache::Bytes: expected bytes"))
      << message;
  message = shape_error<std::vector<std::int64_t>>(dir_.path(), "float-in-ints");
  EXPECT_TRUE(mentions(message, "the real 2.5 at [1] as int64_t: expected an int")) << message;
}

}  // namespace
}  // namespace diskcache
