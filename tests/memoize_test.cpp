// memoize(): results cached by (name, arguments...), across calls, restarts
// and processes, with every policy that can serialize a key.
#include "diskcache/memoize.hpp"

#include <gtest/gtest.h>

#include <boost/serialization/string.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/boost.hpp"
#include "diskcache/disk/json.hpp"
#include "diskcache/fanout_cache.hpp"
#include "diskcache/index.hpp"
#include "diskcache/pickle.hpp"
#include "test_support.hpp"

// Functions memoize<&function>() names: outside the anonymous namespace,
// whose names differ between compilers and are refused.
namespace diskcache::memoize_test_functions {
int cube_calls = 0;
std::int64_t cube(std::int64_t x) {
  ++cube_calls;
  return x * x * x;
}
}  // namespace diskcache::memoize_test_functions

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// ---------------------------------------------------------------------------
// The same behaviour with every policy that serializes objects.

template <class Disk>
class MemoizePolicyTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

struct PolicyNames {
  template <class Disk>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<Disk, disk::Auto>) return "Auto";
    if constexpr (std::is_same_v<Disk, disk::Binary>) return "Binary";
    if constexpr (std::is_same_v<Disk, disk::Json>) return "Json";
    if constexpr (std::is_same_v<Disk, disk::Boost>) return "Boost";
    return "?";
  }
};
using ObjectPolicies = ::testing::Types<disk::Auto, disk::Binary, disk::Json, disk::Boost>;
TYPED_TEST_SUITE(MemoizePolicyTest, ObjectPolicies, PolicyNames);

TYPED_TEST(MemoizePolicyTest, CallsTheFunctionOncePerArguments) {
  Cache<std::string, std::string, TypeParam> cache(this->dir_.path());
  int calls = 0;
  auto describe = cache.memoize("describe", [&](int number, const std::string& unit) {
    ++calls;
    return std::to_string(number) + " " + unit;
  });
  EXPECT_EQ(describe(3, "km"), "3 km");
  EXPECT_EQ(describe(3, "km"), "3 km");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(describe(4, "km"), "4 km");
  EXPECT_EQ(describe(3, "m"), "3 m");
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(describe.contains(3, "m"));
  EXPECT_FALSE(describe.contains(5, "m"));
}

TYPED_TEST(MemoizePolicyTest, NamesSeparateFunctions) {
  Cache<std::string, std::string, TypeParam> cache(this->dir_.path());
  auto twice = cache.memoize("twice", [](int x) { return 2 * x; });
  auto thrice = cache.memoize("thrice", [](int x) { return 3 * x; });
  EXPECT_EQ(twice(5), 10);
  EXPECT_EQ(thrice(5), 15);
  EXPECT_NE(twice.cache_key(5), thrice.cache_key(5));
  EXPECT_EQ(cache.size(), 2);
}

TYPED_TEST(MemoizePolicyTest, ThrowingFunctionCachesNothing) {
  Cache<std::string, std::string, TypeParam> cache(this->dir_.path());
  int calls = 0;
  auto flaky = cache.memoize("flaky", [&](int x) {
    if (++calls == 1) throw std::runtime_error("not yet");
    return x + 1;
  });
  EXPECT_THROW(flaky(1), std::runtime_error);
  EXPECT_FALSE(flaky.contains(1));
  EXPECT_EQ(cache.size(), 0);
  EXPECT_EQ(flaky(1), 2);
  EXPECT_EQ(calls, 2);
}

// ---------------------------------------------------------------------------
// disk::Auto specifics.

class MemoizeTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(MemoizeTest, ResultsSurviveReopen) {
  int calls = 0;
  auto square = [&](std::int64_t x) {
    ++calls;
    return x * x;
  };
  {
    Cache<> cache(dir_.path());
    EXPECT_EQ(cache.memoize("square", square)(12), 144);
  }
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.memoize("square", square)(12), 144);
  EXPECT_EQ(calls, 1);
}

TEST_F(MemoizeTest, SecondProcessDoesNotCallTheFunction) {
  // Each child reports by exit status how many times its function ran.
  auto run = [&] {
    return testing::run_in_child([&] {
      Cache<> cache(dir_.path());
      int calls = 0;
      auto slow = cache.memoize("slow", [&](const std::string& word) {
        ++calls;
        return std::string(word.rbegin(), word.rend());
      });
      if (slow("process") != "ssecorp") return 100;
      return calls;
    });
  };
  EXPECT_EQ(run(), 1);
  EXPECT_EQ(run(), 0);
}

TEST_F(MemoizeTest, ExpiredResultIsComputedAgain) {
  Cache<> cache(dir_.path());
  int calls = 0;
  auto now = cache.memoize("now", [&](int) { return ++calls; }, {.expire = 100ms});
  EXPECT_EQ(now(0), 1);
  EXPECT_EQ(now(0), 1);
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(now.contains(0));
  EXPECT_EQ(now(0), 2);
}

TEST_F(MemoizeTest, TagLetsEvictDropTheResults) {
  Cache<> cache(dir_.path());
  cache.set("unrelated", 1);
  auto negate = cache.memoize("negate", [](int x) { return -x; }, {.tag = "math"});
  negate(1);
  negate(2);
  EXPECT_EQ(cache.evict("math"), 2);
  EXPECT_FALSE(negate.contains(1));
  EXPECT_TRUE(cache.contains("unrelated"));
}

TEST_F(MemoizeTest, ForgetRemovesOneResult) {
  Cache<> cache(dir_.path());
  int calls = 0;
  auto inc = cache.memoize("inc", [&](int x) {
    ++calls;
    return x + 1;
  });
  inc(1);
  inc(2);
  EXPECT_TRUE(inc.forget(1));
  EXPECT_FALSE(inc.forget(1));
  EXPECT_TRUE(inc.contains(2));
  inc(1);
  EXPECT_EQ(calls, 3);
}

TEST_F(MemoizeTest, ArgumentsConvertToTheParameterTypes) {
  Cache<> cache(dir_.path());
  int calls = 0;
  auto length = cache.memoize("length", [&](const std::string& text, double scale) {
    ++calls;
    return static_cast<double>(text.size()) * scale;
  });
  EXPECT_EQ(length("abc", 2), 6.0);                 // const char*, int
  EXPECT_EQ(length(std::string("abc"), 2.0), 6.0);  // std::string, double
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(length.cache_key("abc", 2), length.cache_key(std::string("abc"), 2.0));
}

TEST_F(MemoizeTest, IgnoredArgumentsAreLeftOutOfTheKey) {
  Cache<> cache(dir_.path());
  int calls = 0;
  // The log is not serializable and is passed through by reference.
  auto logged = cache.memoize("logged",
                              [&](int x, std::ostream& log) {
                                ++calls;
                                log << "computing " << x;
                                return x * 10;
                              },
                              {.ignore = {1}});
  std::ostringstream first;
  std::ostringstream second;
  EXPECT_EQ(logged(7, first), 70);
  EXPECT_EQ(logged(7, second), 70);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(first.str(), "computing 7");
  EXPECT_EQ(second.str(), "");
}

TEST_F(MemoizeTest, UnserializableArgumentNotIgnoredIsATypedError) {
  Cache<> cache(dir_.path());
  auto logged = cache.memoize("logged", [](int x, std::ostream&) { return x; });
  std::ostringstream log;
  try {
    logged(1, log);
    FAIL() << "expected SerializationError";
  } catch (const SerializationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("\"logged\""), std::string::npos) << message;
    EXPECT_NE(message.find("argument 1"), std::string::npos) << message;
    EXPECT_NE(message.find("MemoizeOptions::ignore"), std::string::npos) << message;
  }
  EXPECT_EQ(cache.size(), 0);
}

TEST_F(MemoizeTest, KeyIsPythonsArgsToKeyTuplePickled) {
  // Python: pickletools.optimize(pickle.dumps(('describe', 3, 'km', None), 5)),
  // raw = 0: what memoize(name='describe')(f)(3, 'km') stores under.
  Cache<std::string, std::string, disk::Json> cache(dir_.path());
  auto describe = cache.memoize("describe", [](int number, const std::string& unit) {
    return std::to_string(number) + " " + unit;
  });
  const Cell key = describe.cache_key(3, "km");
  EXPECT_FALSE(key.raw());
  EXPECT_EQ(to_bytes(key.bytes()), pickle::dumps_key(Tuple{"describe", 3, "km", nullptr}));
  // Ignored positions are left out; typed appends C++ type names.
  auto ignoring = cache.memoize("describe", [](int number, const std::string&) { return number; },
                                {.ignore = {1}});
  EXPECT_EQ(to_bytes(ignoring.cache_key(3, "km").bytes()),
            pickle::dumps_key(Tuple{"describe", 3, nullptr}));
  auto typed = cache.memoize("describe", [](int number) { return number; }, {.typed = true});
  EXPECT_EQ(to_bytes(typed.cache_key(3).bytes()),
            pickle::dumps_key(Tuple{"describe", 3, nullptr, "int"}));
}

TEST_F(MemoizeTest, TypedKeepsArgumentTypesApart) {
  Cache<> cache(dir_.path());
  // 1 and 1u are the same Python int in the key; only `typed` tells them apart.
  int calls = 0;
  auto identity = [&](auto x) {
    ++calls;
    return static_cast<std::int64_t>(x);
  };
  auto untyped = cache.memoize("untyped", identity);
  untyped(1);
  untyped(1U);
  EXPECT_EQ(calls, 1);
  auto typed = cache.memoize("typed", identity, {.typed = true});
  typed(1);
  typed(1U);
  EXPECT_EQ(calls, 3);
  EXPECT_NE(typed.cache_key(1), typed.cache_key(1U));
}

struct Route {
  std::string from;
  std::string to;
  std::vector<double> legs;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(from, to, legs);
  }
  friend bool operator==(const Route&, const Route&) = default;
};

TEST_F(MemoizeTest, StructArgumentsAndResults) {
  Cache<> cache(dir_.path());
  int calls = 0;
  auto plan = cache.memoize("plan", [&](const std::string& from, const std::string& to) {
    ++calls;
    return Route{from, to, {1.5, 2.5}};
  });
  auto total = cache.memoize("total", [&](const Route& route) {
    ++calls;
    double sum = 0;
    for (double leg : route.legs) sum += leg;
    return sum;
  });
  const Route route = plan("Oslo", "Bergen");
  EXPECT_EQ(plan("Oslo", "Bergen"), route);
  EXPECT_EQ(total(route), 4.0);
  EXPECT_EQ(total(route), 4.0);
  EXPECT_EQ(calls, 2);
}

TEST_F(MemoizeTest, StoredResultOfAnotherTypeIsATypedError) {
  Cache<> cache(dir_.path());
  auto as_number = cache.memoize("shared name", [](int x) { return x; });
  auto as_text = cache.memoize("shared name", [](int x) { return std::to_string(x); });
  as_text(1);
  try {
    as_number(1);
    FAIL() << "expected SerializationError";
  } catch (const SerializationError& error) {
    EXPECT_NE(std::string(error.what()).find("\"shared name\""), std::string::npos);
    EXPECT_EQ(error.directory(), dir_.path());
  }
  EXPECT_TRUE(as_number.forget(1));
  EXPECT_EQ(as_number(1), 1);
}

TEST_F(MemoizeTest, WithoutANameResultsAreNamedAfterTheFunction) {
  using memoize_test_functions::cube;
  memoize_test_functions::cube_calls = 0;
  Cache<> cache(dir_.path());
  auto memoized = cache.memoize<&cube>({.tag = Value("geometry")});
  EXPECT_EQ(memoized(3), 27);
  // Python's default is the module and qualified name; here the C++
  // qualified name, so a process naming it by hand shares the results.
  EXPECT_EQ(to_bytes(memoized.cache_key(3).bytes()),
            pickle::dumps_key(Tuple{"diskcache::memoize_test_functions::cube", 3, nullptr}));
  EXPECT_EQ(cache.memoize("diskcache::memoize_test_functions::cube", &cube)(3), 27);
  EXPECT_EQ(memoize_test_functions::cube_calls, 1);
  EXPECT_EQ(cache.evict(Value("geometry")), 1);  // the options reached the store
  EXPECT_EQ(memoized(3), 27);
  EXPECT_EQ(memoize_test_functions::cube_calls, 2);
}

TEST_F(MemoizeTest, FanoutCacheAndIndexNameResultsAfterTheFunctionToo) {
  using memoize_test_functions::cube;
  memoize_test_functions::cube_calls = 0;
  {
    FanoutCache<> cache(dir_.path() / "fanout", 4);
    EXPECT_EQ(cache.memoize<&cube>()(2), 8);
    EXPECT_EQ(cache.memoize("diskcache::memoize_test_functions::cube", &cube)(2), 8);
  }
  {
    Index<> index(dir_.path() / "index");
    EXPECT_EQ(index.memoize<&cube>()(2), 8);
    EXPECT_EQ(index.memoize("diskcache::memoize_test_functions::cube", &cube)(2), 8);
  }
  EXPECT_EQ(memoize_test_functions::cube_calls, 2);
}

}  // namespace
}  // namespace diskcache
