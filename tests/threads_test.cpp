// Many threads of one process on one directory: shared and per-thread
// containers, nested transactions, a queue with waiting consumers, a
// memoized function called by every thread at once. Built and run under
// ThreadSanitizer by .ci/test (with an empty suppression file).
//
// Loop size: DISKCACHE_THREADS_OPS (operations per thread, default 5000; a
// quarter in sanitized builds).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 8;

TEST(ThreadsTest, SharedAndPerThreadCachesStayConsistent) {
  const long ops = testing::env_size("DISKCACHE_THREADS_OPS", 5000);
  testing::TempDir dir;
  Cache<std::string, Value> shared(dir.path());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Even threads use the shared object, odd ones an object of their own
      // on the same directory (which shares the engine).
      std::optional<Cache<std::string, Value>> own;
      if (t % 2 == 1) own.emplace(dir.path());
      Cache<std::string, Value>& cache = own ? *own : shared;
      const std::string mine = "t" + std::to_string(t);
      for (long i = 0; i < ops; ++i) {
        switch (i % 5) {
          case 0:
            cache.set(mine, i, {.retry = true});
            if (cache.get(mine, {.retry = true}) != Value(i)) ++failures;
            break;
          case 1: cache.incr("total", 1, 0, /*retry=*/true); break;
          case 2: {
            // Nested transactions: the inner one rolls back alone.
            auto outer = cache.transact(/*retry=*/true);
            cache.set(mine + "-outer", i, {.retry = true});
            try {
              auto inner = cache.transact(/*retry=*/true);
              cache.set(mine + "-inner", i, {.retry = true});
              throw std::runtime_error("undo the inner scope");
            } catch (const std::runtime_error&) {
            }
            break;
          }
          case 3:
            cache.set(mine + "-file", std::string(40000, static_cast<char>('a' + t)),
                      {.retry = true});
            break;
          case 4: cache.erase(mine + "-file", /*retry=*/true); break;
        }
      }
      if (cache.contains(mine + "-inner")) ++failures;  // rolled back every time
      if (!cache.contains(mine + "-outer")) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(shared.at("total").as<std::int64_t>(), kThreads * ((ops + 3) / 5));
  EXPECT_TRUE(shared.check().empty());
}

TEST(ThreadsTest, QueueConsumersWaitingOnThreadsGetEachItemOnce) {
  const long items = testing::env_size("DISKCACHE_THREADS_OPS", 5000) / 5;
  testing::TempDir dir;
  Deque<std::int64_t> queue(dir.path());
  std::atomic<long> produced{0};
  std::atomic<bool> done{false};
  std::vector<std::vector<std::int64_t>> received(kThreads / 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads / 2; ++t) {
    threads.emplace_back([&, t] {
      for (long i = 0; i < items; ++i) queue.push_back(t * 1'000'000 + i);
      ++produced;
    });
    threads.emplace_back([&, t] {
      Deque<std::int64_t> own(dir.path());  // a consumer with its own object
      while (true) {
        std::optional<std::int64_t> item = own.pop_front_wait(5ms);
        if (item) {
          received[t].push_back(*item);
        } else if (done) {
          return;
        }
      }
    });
  }
  while (produced < kThreads / 2) std::this_thread::sleep_for(1ms);
  while (queue.size() > 0) std::this_thread::sleep_for(1ms);
  done = true;
  for (auto& thread : threads) thread.join();
  std::multiset<std::int64_t> all;
  for (const auto& list : received) all.insert(list.begin(), list.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(items * (kThreads / 2)));
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size())
      << "an item was delivered twice";
}

// Found by ThreadSanitizer: cereal records the version of each type with a
// versioned serialize (memoize keys, user types) in a global map, which it
// locks only when CEREAL_THREAD_SAFE is 1. Threads encoding such types at
// once raced on the map; the diskcache target now defines it.
static_assert(CEREAL_THREAD_SAFE == 1, "cereal must lock its registries");

struct Versioned {
  int x = 0;
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive(x);
  }
};

TEST(ThreadsTest, VersionedTypesEncodeFromManyThreadsAtOnce) {
  testing::TempDir dir;
  Cache<std::int64_t, Versioned> cache(dir.path());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) cache.set(t * 100 + i, Versioned{i}, {.retry = true});
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache.at(705).x, 5);
}

TEST(ThreadsTest, MemoizedFunctionCalledByEveryThreadAgrees) {
  testing::TempDir dir;
  Cache<> cache(dir.path());
  std::atomic<int> calls{0};
  auto square = cache.memoize("square", [&](std::int64_t x) {
    ++calls;
    return x * x;
  });
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::int64_t x = 0; x < 50; ++x) {
        if (square(x) != x * x) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GE(calls, 50);  // at least once per argument; a stampede may repeat some
  EXPECT_LE(calls, 50 * kThreads);
}

}  // namespace
}  // namespace diskcache
