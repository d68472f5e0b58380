// Python's `list(cache)` raised `UnpicklingError: invalid load key '\x01'`
// on a cache where C++ had stored a struct key: every object policy
// (disk::Auto for types without a raw form, disk::Binary, disk::Boost,
// disk::Json) stored its encoding with raw = 0, which Python takes for a
// pickle. A memoized call did the same on any policy, e.g.
// cache.memoize("twice", twice)(21) on a disk::Json cache. Now the policies
// store encodings raw (Python reads bytes, or a str for JSON, and looks the
// item up by them) and memoize keys are Python's pickled tuples. Keys
// written the old way (raw = 0) still decode, by iteration.
#include <gtest/gtest.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/boost.hpp"
#include "diskcache/disk/json.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

struct Point {
  std::int64_t x = 0;
  std::string label;
  // One member for cereal and Boost.
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    // clang-format off
    archive & x;
    archive & label;
    // clang-format on
  }
  friend bool operator==(const Point&, const Point&) = default;
};

int python_iterates(const std::filesystem::path& dir, const std::string& kinds) {
  return testing::run_python("typed_items.py", "iterate '" + dir.string() + "' " + kinds);
}

template <class Disk>
void store_struct_keys(const std::filesystem::path& dir) {
  Cache<Point, Point, Disk> cache(dir);
  cache.set(Point{1, "one"}, Point{10, "ten"});
  cache.set(Point{2, "two"}, Point{20, "twenty"});
  EXPECT_EQ(cache.get(Point{1, "one"}), (Point{10, "ten"}));
}

TEST(PythonCannotIterateEncodedKeys, StructKeysReadAsBytesInPython) {
  for (const auto& [name, store] : {std::pair{"Auto", &store_struct_keys<disk::Auto>},
                                    std::pair{"Binary", &store_struct_keys<disk::Binary>},
                                    std::pair{"Boost", &store_struct_keys<disk::Boost>}}) {
    TempDir dir;
    store(dir.path());
    EXPECT_EQ(python_iterates(dir.path(), "bytes"), 0) << name;
  }
  TempDir dir;
  store_struct_keys<disk::Json>(dir.path());
  EXPECT_EQ(python_iterates(dir.path(), "str"), 0) << "Json";
}

TEST(PythonCannotIterateEncodedKeys, MemoizeOnAJsonCache) {
  TempDir dir;
  Cache<std::string, std::string, disk::Json> cache(dir.path());
  auto twice = cache.memoize("twice", [](std::int64_t number) { return 2 * number; });
  EXPECT_EQ(twice(21), 42);
  EXPECT_EQ(python_iterates(dir.path(), "tuple"), 0);
}

// Rows as the previous release wrote them: cereal portable binary keys with
// raw = 0, and values of tuples and containers in cereal too.
template <class T>
Cell old_cell(const T& object) {
  std::string bytes;
  {
    std::ostringstream out;
    cereal::PortableBinaryOutputArchive archive(out);
    archive(object);
    bytes = out.str();
  }
  return Cell::blob(std::move(bytes), /*raw=*/false);
}

TEST(PythonCannotIterateEncodedKeys, KeysAndValuesOfThePreviousReleaseStillRead) {
  TempDir dir;
  using Key = std::tuple<std::string, std::int64_t>;
  {
    Cache<> cache(dir.path());
    cache.store().set(old_cell(Key{"old", 7}), old_cell(std::vector<double>{1.5, 2.5}));
  }
  Cache<Key, std::vector<double>> cache(dir.path());
  const auto items = testing::collect(cache.items());
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].first, (Key{"old", 7}));
  EXPECT_EQ(items[0].second, (std::vector<double>{1.5, 2.5}));
  // A value of the old form under a key of the new form reads too.
  {
    Cache<> raw(dir.path());
    raw.store().set(disk::Auto::encode(Key{"new", 8}), old_cell(std::vector<double>{3.5}));
  }
  EXPECT_EQ(cache.get(Key{"new", 8}), std::vector<double>{3.5});

  TempDir structs;
  {
    Cache<> cache(structs.path());
    cache.store().set(old_cell(Point{3, "three"}), old_cell(Point{30, "thirty"}));
  }
  Cache<Point, Point, disk::Binary> binary(structs.path());
  const auto old_items = testing::collect(binary.items());
  ASSERT_EQ(old_items.size(), 1U);
  EXPECT_EQ(old_items[0].first, (Point{3, "three"}));
  EXPECT_EQ(old_items[0].second, (Point{30, "thirty"}));
}

}  // namespace
}  // namespace diskcache
