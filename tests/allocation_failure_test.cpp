// Allocation-failure injection (RELIABILITY.md test plan row 7): for each
// public operation, the Nth allocation fails, for N = 1, 2, ... until the
// operation completes without reaching its Nth, once in SQLite's allocator
// (SQLITE_CONFIG_MALLOC; SQLite reports SQLITE_NOMEM) and once in the global
// operator new (std::bad_alloc), both from support/failing_allocators.cpp.
// After each failure: the call threw std::bad_alloc or a diskcache::Error
// (never another type, never std::terminate); the directory holds either the
// state before the call or, where a model says so, the one after it, never a
// mix; check() finds nothing; no value or temporary file is left over once
// the directory is reopened; and the cache works again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cereal/types/vector.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/index.hpp"
#include "failing_allocators.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::string_literals;
using testing::Allocator;
using testing::TempDir;
namespace fs = std::filesystem;

using StringCache = Cache<std::string, std::string>;
using IntCache = Cache<std::string, std::int64_t>;
using BinaryCache = Cache<std::string, std::vector<int>, disk::Binary>;

std::string big(char fill) { return std::string(40000, fill); }  // > disk_min_file_size

// The containers of one directory tree, opened on first use: "cache" (a
// Cache with inline, file-sized, expired and counter items), "deque",
// "index", "typed" (values through cereal) and "small" (over its size limit).
// With a `source`, each directory is first copied from there (only those
// used: copying is most of an attempt's cost).
class Scene {
 public:
  explicit Scene(fs::path root, fs::path source = {})
      : root_(std::move(root)), source_(std::move(source)) {}

  StringCache& cache() { return open(cache_, "cache"); }
  IntCache& ints() { return open(ints_, "cache"); }
  Deque<std::string>& deque() { return open(deque_, "deque"); }
  Index<std::string, std::string>& index() { return open(index_, "index"); }
  BinaryCache& typed() { return open(typed_, "typed"); }
  StringCache& small() { return open(small_, "small"); }
  StringCache& fresh() { return open(fresh_, "new"); }  // not in the template
  const fs::path& root() const { return root_; }

  std::vector<std::string> keys;          // what an operation expects keys() to give
  const std::string new_file = big('n');  // made before arming: not the library's

  // The path of directory `name`, copied from the source on first use.
  fs::path directory(const char* name) {
    const fs::path path = root_ / name;
    if (!source_.empty() && fs::exists(source_ / name) && !fs::exists(path)) {
      fs::copy(source_ / name, path, fs::copy_options::recursive);
    }
    return path;
  }

  // The directories opened so far.
  std::vector<fs::path> opened() const { return opened_; }

  void close() {
    cache_.reset();
    ints_.reset();
    deque_.reset();
    index_.reset();
    typed_.reset();
    small_.reset();
    fresh_.reset();
  }

 private:
  template <class Container>
  Container& open(std::optional<Container>& slot, const char* name) {
    if (!slot) {
      slot.emplace(directory(name));
      if (std::find(opened_.begin(), opened_.end(), root_ / name) == opened_.end()) {
        opened_.push_back(root_ / name);
      }
    }
    return *slot;
  }

  fs::path root_;
  fs::path source_;
  std::optional<StringCache> cache_;
  std::optional<IntCache> ints_;
  std::optional<Deque<std::string>> deque_;
  std::optional<Index<std::string, std::string>> index_;
  std::optional<BinaryCache> typed_;
  std::optional<StringCache> small_;
  std::optional<StringCache> fresh_;
  std::vector<fs::path> opened_;
};

// Fills a template tree once; every attempt starts from a copy of it.
void fill_template(const fs::path& root) {
  Scene scene(root);
  StringCache& cache = scene.cache();
  cache.set("a", "old-a");
  cache.set("b", "old-b");
  cache.set("f", big('o'));
  scene.ints().set("n", 41);
  for (const char* key : {"e1", "e2", "e3"}) {
    cache.set(key, "expired", {.expire = std::chrono::milliseconds(1)});
  }
  for (const char* item : {"q1", "q2", "q3"}) scene.deque().push_back(item);
  scene.index().set("i", "old-i");
  scene.typed().set("v", {1, 2, 3});
  StringCache& small = scene.small();
  for (const char* key : {"s1", "s2", "s3", "s4"}) small.set(key, big(key[1]));
  Settings limit;
  limit.size_limit = 100000;  // below the four files: cull() evicts
  small.reset(limit);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // e1..e3 expire
}

// An operation under test. `run` is the armed part; `prepare` (disarmed)
// opens what it needs first; `verify` checks the state the attempt left,
// knowing whether `run` threw.
struct Operation {
  const char* name;
  std::function<void(Scene&)> prepare;
  std::function<void(Scene&)> run;
  std::function<void(Scene&, bool threw)> verify;
};

// A value for messages: the big ones as their size and first byte.
std::string shown(const std::optional<std::string>& value) {
  if (!value) return "(none)";
  if (value->size() <= 20) return "'" + *value + "'";
  return std::to_string(value->size()) + " bytes of '" + value->front() + "'";
}

// The items of "cache" not in `changed` are as the template has them.
void expect_cache_intact(Scene& scene, std::initializer_list<std::string> changed = {}) {
  auto untouched = [&](const std::string& key) {
    return std::find(changed.begin(), changed.end(), key) == changed.end();
  };
  StringCache& cache = scene.cache();
  if (untouched("a")) {
    EXPECT_EQ(cache.get("a"), "old-a");
  }
  if (untouched("b")) {
    EXPECT_EQ(cache.get("b"), "old-b");
  }
  if (untouched("f")) {
    EXPECT_EQ(shown(cache.get("f")), shown(big('o')));
  }
  if (untouched("n")) {
    EXPECT_EQ(scene.ints().get("n"), 41);
  }
}

std::vector<std::string> deque_items(Scene& scene) { return testing::collect(scene.deque()); }

const std::vector<std::string> kDequeBefore = {"q1", "q2", "q3"};

std::vector<Operation> operations() {
  auto touch_cache = [](Scene& scene) { scene.cache().contains("warm"); };
  auto touch_deque = [](Scene& scene) { scene.deque().size(); };
  return {
      {"open new", [](Scene&) {},
       [](Scene& scene) { StringCache(scene.root() / "new").contains("x"); },
       [](Scene& scene, bool) { EXPECT_EQ(scene.fresh().size(), 0); }},
      {"open existing", [](Scene& scene) { scene.directory("cache"); },
       [](Scene& scene) { StringCache(scene.directory("cache")).get("a"); },
       [](Scene& scene, bool) { expect_cache_intact(scene); }},
      {"set inline", touch_cache, [](Scene& scene) { scene.cache().set("a", "new-a"); },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.cache().get("a"), threw ? "old-a" : "new-a");
         expect_cache_intact(scene, {"a"});
       }},
      {"set file", touch_cache, [](Scene& scene) { scene.cache().set("f", scene.new_file); },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(shown(scene.cache().get("f")), shown(big(threw ? 'o' : 'n')));
         expect_cache_intact(scene, {"f"});
       }},
      {"get", touch_cache,
       [](Scene& scene) {
         if (scene.cache().get("f") != big('o')) throw std::logic_error("get: wrong value");
       },
       [](Scene& scene, bool) { expect_cache_intact(scene); }},
      {"add", touch_cache, [](Scene& scene) { scene.cache().add("new", "v"); },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.cache().get("new"), threw ? std::nullopt : std::optional("v"s));
         expect_cache_intact(scene);
       }},
      {"incr", touch_cache,
       [](Scene& scene) {
         if (scene.cache().incr("n") != 42) throw std::logic_error("incr: wrong result");
       },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.ints().get("n"), threw ? 41 : 42);
         expect_cache_intact(scene, {"n"});
       }},
      {"pop", touch_cache,
       [](Scene& scene) {
         if (scene.cache().pop("f") != big('o')) throw std::logic_error("pop: wrong value");
       },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(shown(scene.cache().get("f")), threw ? shown(big('o')) : shown(std::nullopt));
         expect_cache_intact(scene, {"f"});
       }},
      {"erase", touch_cache, [](Scene& scene) { scene.cache().erase("f"); },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.cache().contains("f"), threw);
         expect_cache_intact(scene, {"f"});
       }},
      {"touch", touch_cache, [](Scene& scene) { scene.cache().touch("a", std::chrono::hours(1)); },
       [](Scene& scene, bool threw) {
         const auto entry = scene.cache().get_entry("a");
         ASSERT_TRUE(entry);
         EXPECT_EQ(entry->expire_time.has_value(), !threw);
         expect_cache_intact(scene);
       }},
      {"expire", touch_cache, [](Scene& scene) { scene.cache().expire(); },
       [](Scene& scene, bool threw) {
         // Expired items are invisible either way; only completion must
         // have removed their rows (a, b, f, n remain).
         if (!threw) {
           EXPECT_EQ(scene.cache().size(), 4);
         }
         expect_cache_intact(scene);
       }},
      {"cull", [](Scene& scene) { scene.small().contains("warm"); },
       [](Scene& scene) { scene.small().cull(); },
       [](Scene& scene, bool threw) {
         StringCache& small = scene.small();
         // Eviction may have begun; whatever remains is whole.
         for (const char* key : {"s1", "s2", "s3", "s4"}) {
           if (auto value = small.get(key)) {
             EXPECT_EQ(shown(value), shown(big(key[1]))) << key;
           }
         }
         if (!threw) {
           EXPECT_LE(small.volume(), 100000);
         }
       }},
      {"transact", touch_cache,
       [](Scene& scene) {
         auto transaction = scene.cache().transact();
         scene.cache().set("a", "new-a");
         scene.cache().set("f", scene.new_file);
       },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.cache().get("a"), threw ? "old-a" : "new-a");
         EXPECT_EQ(shown(scene.cache().get("f")), shown(big(threw ? 'o' : 'n')));
         expect_cache_intact(scene, {"a", "f"});
       }},
      {"transact, a failure caught", touch_cache,
       [](Scene& scene) {
         // The caller goes on after one set failed; SQLite may have rolled
         // the whole transaction back on SQLITE_NOMEM meanwhile.
         auto transaction = scene.cache().transact();
         scene.cache().set("a", "new-a");
         try {
           scene.cache().set("f", scene.new_file);
         } catch (const std::bad_alloc&) {
         } catch (const Error&) {
         }
         scene.cache().set("b", "new-b");
       },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.cache().get("a"), threw ? "old-a" : "new-a");
         EXPECT_EQ(scene.cache().get("b"), threw ? "old-b" : "new-b");
         const std::string f = shown(scene.cache().get("f"));
         EXPECT_TRUE(f == shown(big('o')) || (!threw && f == shown(big('n')))) << f;
         expect_cache_intact(scene, {"a", "b", "f"});
       }},
      {"keys", [](Scene& scene) { scene.keys = testing::collect(scene.cache().keys()); },
       [](Scene& scene) {
         if (testing::collect(scene.cache().keys()) != scene.keys) {
           throw std::logic_error("keys: wrong keys");
         }
       },
       [](Scene& scene, bool) { expect_cache_intact(scene); }},
      {"check", touch_cache,
       [](Scene& scene) {
         if (!scene.cache().check().empty()) throw std::logic_error("check: problems");
       },
       [](Scene& scene, bool) { expect_cache_intact(scene); }},
      {"deque push_back", touch_deque, [](Scene& scene) { scene.deque().push_back("q4"); },
       [](Scene& scene, bool threw) {
         std::vector<std::string> expected = kDequeBefore;
         if (!threw) expected.push_back("q4");
         EXPECT_EQ(deque_items(scene), expected);
       }},
      {"deque pop_front", touch_deque,
       [](Scene& scene) {
         if (scene.deque().pop_front() != "q1") throw std::logic_error("pop_front: wrong item");
       },
       [](Scene& scene, bool threw) {
         const std::vector<std::string> after = {"q2", "q3"};
         EXPECT_EQ(deque_items(scene), threw ? kDequeBefore : after);
       }},
      {"deque lease+ack", touch_deque,
       [](Scene& scene) {
         auto lease = scene.deque().lease_front(std::chrono::minutes(10));
         if (!lease || **lease != "q1") throw std::logic_error("lease_front: wrong item");
         lease->ack();
       },
       [](Scene& scene, bool threw) {
         // A failed lease or ack must not lose the item: once the Lease is
         // gone, q1 is back at the front, long before its lease would end.
         const std::vector<std::string> after = {"q2", "q3"};
         EXPECT_EQ(deque_items(scene), threw ? kDequeBefore : after);
       }},
      {"index set", [](Scene& scene) { scene.index().contains("warm"); },
       [](Scene& scene) { scene.index().set("i", "new-i"); },
       [](Scene& scene, bool threw) {
         EXPECT_EQ(scene.index().get("i"), threw ? "old-i" : "new-i");
       }},
      {"index get", [](Scene& scene) { scene.index().contains("warm"); },
       [](Scene& scene) {
         if (scene.index().get("i") != "old-i") throw std::logic_error("index get: wrong value");
       },
       [](Scene& scene, bool) { EXPECT_EQ(scene.index().get("i"), "old-i"); }},
      {"set binary", [](Scene& scene) { scene.typed().contains("warm"); },
       [](Scene& scene) {
         scene.typed().set("v", std::vector<int>{4, 5});
       },
       [](Scene& scene, bool threw) {
         const std::vector<int> before = {1, 2, 3};
         const std::vector<int> after = {4, 5};
         EXPECT_EQ(scene.typed().get("v"), threw ? before : after);
       }},
      {"get binary", [](Scene& scene) { scene.typed().contains("warm"); },
       [](Scene& scene) {
         if (scene.typed().get("v") != std::vector<int>{1, 2, 3}) {
           throw std::logic_error("get binary: wrong value");
         }
       },
       [](Scene& scene, bool) {
         EXPECT_EQ(scene.typed().get("v"), (std::vector<int>{1, 2, 3}));
       }},
  };
}

// Which operation and attempt is running, for a std::terminate handler:
// a fixed buffer, since terminating may be the allocator's doing.
char g_attempt[200] = "";

[[noreturn]] void report_terminate() {
  std::fprintf(stderr, "std::terminate during %s\n", g_attempt);
  std::abort();
}

// The value files and temporary files under `directory` agree with its rows.
void expect_no_stray_files(const fs::path& directory, const std::string& context) {
  std::int64_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(directory)) {
    if (entry.path().extension() == ".tmp") ADD_FAILURE() << context << ": " << entry.path();
    if (entry.path().extension() == ".val") ++files;
  }
  const std::int64_t rows =
      testing::SqliteProbe(directory).integer("SELECT count(*) FROM Cache WHERE filename NOT NULL");
  EXPECT_EQ(files, rows) << context << ": value files without a row in " << directory;
}

// Every allocation fails in turn; sanitized builds, which run a quarter of
// each loop, fail every fourth (DISKCACHE_ALLOC_STRIDE sets it).
long stride() {
  return std::max(1L, testing::env_size("DISKCACHE_ALLOC_STRIDE", testing::kDefaultScale, false));
}

// Where attempts make their directories: tmpfs if there is one, where fsync
// costs nothing (the test is about memory, and makes thousands of caches).
fs::path scratch() {
  std::error_code error;
  if (fs::is_directory("/dev/shm", error) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

struct Attempt {
  long failed = 0;       // allocations that failed (0: the operation completed)
  long allocations = 0;  // allocations the operation made
};

// Runs one attempt of `operation` failing the `nth` allocation of
// `allocator`.
Attempt attempt(const Operation& operation, Allocator allocator, long nth, const fs::path& source) {
  const std::string context = std::string(operation.name) + ", " + testing::name_of(allocator) +
                              " allocation #" + std::to_string(nth);
  std::snprintf(g_attempt, sizeof g_attempt, "%s", context.c_str());
  SCOPED_TRACE(context);
  TempDir dir(scratch());
  Scene scene(dir.path(), source);
  operation.prepare(scene);

  bool threw = false;
  std::string failure;  // a wrong exception type
  testing::arm_allocation_failure(allocator, nth);
  try {
    operation.run(scene);
  } catch (const std::bad_alloc&) {
    threw = true;
  } catch (const SerializationError& error) {
    threw = true;  // memory running out is no encoding problem
    failure = std::string("SerializationError: ") + error.what();
  } catch (const Error&) {
    threw = true;
  } catch (const std::exception& error) {
    threw = true;
    failure = std::string(typeid(error).name()) + ": " + error.what();
  } catch (...) {
    threw = true;
    failure = "an exception of unknown type";
  }
  const long allocations = testing::allocations_since_arming();
  const long failed = testing::disarm_allocation_failure();
  EXPECT_TRUE(failure.empty()) << context << " threw " << failure;
  EXPECT_TRUE(!threw || failed > 0) << context << ": threw although no allocation failed";

  operation.verify(scene, threw);
  for (const fs::path& directory : scene.opened()) {
    EXPECT_EQ(Cache<>(directory).check(), std::vector<std::string>{}) << context;
  }
  // Usable again.
  for (const fs::path& directory : scene.opened()) {
    Cache<> cache(directory);
    cache.set("probe", "p");
    if (directory.filename() != "small") {  // which is over its limit: the set may evict
      EXPECT_EQ(cache.get("probe"), Value("p")) << context << " in " << directory;
    }
  }
  // Nothing left over once reopened and repaired.
  scene.close();
  for (const fs::path& directory : scene.opened()) {
    EXPECT_EQ(Cache<>(directory).check(/*fix=*/true), std::vector<std::string>{}) << context;
    expect_no_stray_files(directory, context);
  }
  return {failed, allocations};
}

constexpr long kNever = std::numeric_limits<long>::max();

class AllocationFailureTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(AllocationFailureTest, EveryFailedAllocationThrowsTypedAndLosesNothing) {
  ASSERT_TRUE(testing::sqlite_allocator_wrapped());
  const Operation operation = operations().at(GetParam());
  TempDir source(scratch());
  fill_template(source.path());
  std::set_terminate(&report_terminate);

  std::string figures;
  long failures = 0;
  for (Allocator allocator : {Allocator::Sqlite, Allocator::New}) {
    // A first attempt that fails nothing counts the allocations to sweep.
    const Attempt whole = attempt(operation, allocator, kNever, source.path());
    if (::testing::Test::HasFailure()) return;
    long points = 0;
    for (long nth = 1;; nth += stride()) {
      const Attempt failing = attempt(operation, allocator, nth, source.path());
      if (::testing::Test::HasFailure()) return;  // one report, not hundreds
      if (failing.failed == 0) break;             // completed: the sweep is over
      ++points;
    }
    EXPECT_GT(points, 0) << operation.name << ": no " << testing::name_of(allocator)
                         << " allocation ever failed";
    figures += (figures.empty() ? "" : " + ") + std::to_string(whole.allocations) + " " +
               testing::name_of(allocator);
    failures += points;
  }
  std::printf("[figures] allocation failures: %s %s allocations; %ld injected (every %s), 0 lost\n",
              operation.name, figures.c_str(), failures,
              stride() == 1 ? "one" : (std::to_string(stride()) + "th").c_str());
}

INSTANTIATE_TEST_SUITE_P(Operations, AllocationFailureTest,
                         ::testing::Range<std::size_t>(0, operations().size()),
                         [](const auto& info) {
                           std::string name = operations()[info.param].name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace diskcache
