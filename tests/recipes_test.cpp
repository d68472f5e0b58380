// Recipes: locks, semaphores, averages, throttling, barriers and stampede
// protection, each checked across real processes (and Python where the
// layouts agree).
#include "diskcache/recipes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/fanout_cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::run_children;
using testing::TempDir;
using Counter = Cache<std::string, std::int64_t>;

int python_recipe(const std::string& command, const std::filesystem::path& dir,
                  const std::string& key, const std::string& number = "") {
  return testing::run_python("recipes.py",
                             command + " '" + dir.string() + "' " + key + " " + number);
}

// Adds 1 to "counter" by reading it and writing it back: exact only if no
// other process does the same in between.
void unsafe_increment(Counter& cache) {
  const std::int64_t value = cache.get("counter", {.retry = true}).value_or(0);
  std::this_thread::yield();  // widens the window a broken lock would leave
  cache.set("counter", value + 1, {.retry = true});
}

// ---------------------------------------------------------------------------
// Lock

TEST(LockTest, HeldByOneProcessExcludesFourOthers) {
  TempDir dir;
  { Counter cache(dir.path()); }
  const std::vector<int> statuses = run_children(5, [&](int) {
    Counter cache(dir.path());
    Lock lock(cache, "counter-lock");
    for (int i = 0; i < 60; ++i) {
      Guard hold(lock);
      unsafe_increment(cache);
    }
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(5, 0));
  EXPECT_EQ(Counter(dir.path()).at("counter"), 300);
}

TEST(LockTest, GuardReleasesAtScopeEndAndOnException) {
  TempDir dir;
  Cache<> cache(dir.path());
  Lock lock(cache, "lock");
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.try_acquire());
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.try_acquire());  // not re-entrant
  lock.release();
  EXPECT_FALSE(lock.locked());
  {
    Guard hold(lock);
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
  try {
    Guard hold(lock);
    throw std::runtime_error("work failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(lock.locked());
  Guard hold(lock);
  hold.release();
  EXPECT_FALSE(lock.locked());
}

TEST(LockTest, ExpiryFreesALockWhoseHolderDied) {
  TempDir dir;
  Cache<> cache(dir.path());
  ASSERT_EQ(testing::run_in_child([&] {
              Lock(cache, "lock", {.expire = 1s}).acquire();
              return 0;  // exits holding the lock
            }),
            0);
  Lock lock(cache, "lock");
  EXPECT_FALSE(lock.try_acquire());
  lock.acquire();  // returns once the abandoned lock has expired
  EXPECT_TRUE(lock.locked());
}

TEST(LockTest, PythonAndCppExcludeEachOther) {
  TempDir dir;
  Cache<> cache(dir.path());
  Lock lock(cache, "report");
  lock.acquire();
  EXPECT_EQ(python_recipe("locked", dir.path(), "report"), 0);
  lock.release();
  EXPECT_EQ(python_recipe("locked", dir.path(), "report"), 3);

  ASSERT_EQ(python_recipe("lock", dir.path(), "report"), 0);  // Python keeps it
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.try_acquire());
  lock.release();
  EXPECT_TRUE(lock.try_acquire());
}

TEST(LockTest, OnAFanoutCacheLivesInTheKeysShardAsInPython) {
  TempDir dir;
  FanoutCache<> cache(dir / "fanout");
  Lock lock(cache, "report");
  lock.acquire();
  EXPECT_TRUE(cache.contains("report"));
  EXPECT_TRUE(cache.shard("report").contains("report"));
  EXPECT_EQ(python_recipe("locked", dir / "fanout", "report"), 0);
  lock.release();
  EXPECT_EQ(python_recipe("locked", dir / "fanout", "report"), 3);
}

// ---------------------------------------------------------------------------
// RLock

TEST(RLockTest, ReentrantForItsHolderOnly) {
  TempDir dir;
  Cache<> cache(dir.path());
  RLock lock(cache, "rlock");
  lock.acquire();
  lock.acquire();

  std::atomic<bool> acquired{false};
  std::thread other([&] {
    EXPECT_THROW(lock.release(), Error);  // not this thread's
    lock.acquire();
    acquired = true;
    lock.release();
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(acquired);  // held twice by the main thread
  lock.release();
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(acquired);  // still held once
  lock.release();
  other.join();
  EXPECT_TRUE(acquired);
}

TEST(RLockTest, ReleasingAnUnheldLockNamesItsKey) {
  TempDir dir;
  Cache<> cache(dir.path());
  RLock lock(cache, "orders");
  try {
    lock.release();
    FAIL() << "release of a free lock did not throw";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'orders'"), std::string::npos) << message;
    EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;
    EXPECT_EQ(error.directory(), dir.path());
  }
}

TEST(RLockTest, ExcludesOtherProcesses) {
  TempDir dir;
  { Counter cache(dir.path()); }
  const std::vector<int> statuses = run_children(4, [&](int) {
    Counter cache(dir.path());
    RLock lock(cache, "counter-lock");
    for (int i = 0; i < 40; ++i) {
      Guard outer(lock);
      Guard inner(lock);
      unsafe_increment(cache);
    }
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(4, 0));
  EXPECT_EQ(Counter(dir.path()).at("counter"), 160);
}

// ---------------------------------------------------------------------------
// BoundedSemaphore

TEST(BoundedSemaphoreTest, OfTwoNeverAdmitsThree) {
  TempDir dir;
  { Counter cache(dir.path()); }
  const std::vector<int> statuses = run_children(5, [&](int) {
    Counter cache(dir.path());
    BoundedSemaphore semaphore(cache, "pool", 2);
    int status = 0;
    for (int i = 0; i < 25; ++i) {
      Guard hold(semaphore);
      const std::int64_t inside = cache.incr("inside", 1, 0, /*retry=*/true);
      if (inside > 2) status = 1;
      if (inside == 2) cache.set("two at once", 1, {.retry = true});
      std::this_thread::sleep_for(1ms);
      cache.decr("inside", 1, 0, /*retry=*/true);
    }
    return status;
  });
  EXPECT_EQ(statuses, std::vector<int>(5, 0));
  Counter cache(dir.path());
  EXPECT_TRUE(cache.contains("two at once"));  // it does admit two
  EXPECT_EQ(cache.at("inside"), 0);
  EXPECT_EQ(cache.at("pool"), 2);
}

TEST(BoundedSemaphoreTest, ReleasingMoreThanAcquiredThrows) {
  TempDir dir;
  Cache<> cache(dir.path());
  BoundedSemaphore semaphore(cache, "pool", 2);
  EXPECT_THROW(semaphore.release(), Error);
  semaphore.acquire();
  semaphore.release();
  EXPECT_THROW(semaphore.release(), Error);
}

TEST(BoundedSemaphoreTest, SharedWithPythonsBoundedSemaphore) {
  TempDir dir;
  Cache<> cache(dir.path());
  BoundedSemaphore semaphore(cache, "pool", 3);
  semaphore.acquire();
  EXPECT_EQ(python_recipe("free", dir.path(), "pool", "2"), 0);
  EXPECT_EQ(python_recipe("acquire", dir.path(), "pool", "3"), 0);
  EXPECT_EQ(cache.at("pool"), Value(1));
  EXPECT_EQ(python_recipe("release", dir.path(), "pool", "3"), 0);
  semaphore.release();
  EXPECT_EQ(python_recipe("free", dir.path(), "pool", "3"), 0);
}

// ---------------------------------------------------------------------------
// Averager

TEST(AveragerTest, AveragesValuesAddedByManyProcesses) {
  TempDir dir;
  { Cache<> cache(dir.path()); }
  const std::vector<int> statuses = run_children(4, [&](int child) {
    Cache<> cache(dir.path());
    Averager average(cache, "latency");
    for (int i = 1; i <= 25; ++i) average.add(child * 25 + i);
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(4, 0));
  Cache<> cache(dir.path());
  Averager average(cache, "latency");
  EXPECT_DOUBLE_EQ(*average.get(), 50.5);  // the mean of 1 ... 100
  EXPECT_DOUBLE_EQ(*average.pop(), 50.5);
  EXPECT_EQ(average.get(), std::nullopt);
  EXPECT_EQ(average.pop(), std::nullopt);
}

TEST(AveragerTest, BehavesAsPythonsDocstring) {
  FanoutCache<> cache;
  Averager average(cache, "latency");
  average.add(0.080);
  average.add(0.120);
  EXPECT_DOUBLE_EQ(*average.get(), 0.1);
  average.add(0.160);
  EXPECT_DOUBLE_EQ(*average.pop(), 0.12);
  EXPECT_EQ(average.get(), std::nullopt);
  std::filesystem::remove_all(cache.directory());
}

// ---------------------------------------------------------------------------
// throttle

// Four processes call as fast as they can; together they stay within the
// token bucket's bound: `count` at once, then `count` per `period`.
TEST(ThrottleTest, KeepsFourProcessesWithinItsRate) {
  TempDir dir;
  constexpr std::int64_t kCount = 5;
  constexpr auto kPeriod = 500ms;  // 10 calls per second
  const auto start = std::chrono::steady_clock::now();
  {
    Counter cache(dir.path());
    Throttle(cache, "api", kCount, kPeriod);  // the bucket starts full now
  }
  const auto stop_calling = start + 1200ms;
  const std::vector<int> statuses = run_children(4, [&](int) {
    Counter cache(dir.path());
    auto call =
        throttle(cache, "api", kCount, kPeriod, [&] { cache.incr("calls", 1, 0, /*retry=*/true); });
    while (std::chrono::steady_clock::now() < stop_calling) call();
    return 0;
  });
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(statuses, std::vector<int>(4, 0));
  const std::int64_t calls = Counter(dir.path()).at("calls");
  const double rate = kCount / std::chrono::duration<double>(kPeriod).count();
  std::cout << calls << " calls in " << elapsed << " s\n";
  EXPECT_LE(calls, kCount + static_cast<std::int64_t>(rate * elapsed) + 1);
  EXPECT_GE(calls, kCount + static_cast<std::int64_t>(rate * 1.2 / 2));  // it does let calls pass
}

TEST(ThrottleTest, ReturnsTheFunctionsResult) {
  TempDir dir;
  Cache<> cache(dir.path());
  auto twice = throttle(cache, "twice", 100, 1s, [](int x) { return 2 * x; });
  EXPECT_EQ(twice(21), 42);
}

TEST(ThrottleTest, AnInjectedClockAndSleepDecideTheWaits) {
  TempDir dir;
  Cache<> cache(dir.path());
  double now = 1000.0;
  std::vector<double> sleeps;
  const ThrottleClock clock{[&] { return now; },
                            [&](double seconds) {
                              sleeps.push_back(seconds);
                              now += seconds;
                            }};
  // Two calls per second: the first two pass at once, then one every 0.5 s.
  auto call = throttle(
      cache, "simulated", 2, 1s, [] { return 1; }, {}, clock);
  for (int i = 0; i < 5; ++i) call();
  ASSERT_EQ(sleeps.size(), 3u);
  for (const double seconds : sleeps) EXPECT_DOUBLE_EQ(seconds, 0.5);
  EXPECT_DOUBLE_EQ(now, 1001.5);
  now += 10;  // a long quiet spell refills the bucket to its two calls, no more
  call();
  call();
  EXPECT_EQ(sleeps.size(), 3u);
  call();
  EXPECT_EQ(sleeps.size(), 4u);
}

// ---------------------------------------------------------------------------
// barrier

TEST(BarrierTest, RunsOneCallAtATimeWithALockAndTwoWithASemaphoreOfTwo) {
  TempDir dir;
  Cache<> cache(dir.path());
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  auto work = [&] {
    const int now = ++inside;
    most = std::max(most.load(), now);
    std::this_thread::sleep_for(1ms);
    --inside;
    return now;
  };
  auto run_threads = [&](auto& guarded) {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 15; ++i) guarded();
      });
    }
  };
  auto one_at_a_time = barrier(Lock(cache, "one"), work);
  run_threads(one_at_a_time);
  EXPECT_EQ(most, 1);

  most = 0;
  auto two_at_a_time = barrier(BoundedSemaphore(cache, "two", 2), work);
  run_threads(two_at_a_time);
  EXPECT_LE(most, 2);
  EXPECT_EQ(two_at_a_time(), 1);
}

// ---------------------------------------------------------------------------
// memoize_stampede

// How often a 20 ms function runs when 8 threads in each of 2 processes
// call it every 2 ms for 1.5 s (8,000 calls a second) and its result
// expires after 600 ms; `stampede` chooses memoize_stampede over memoize.
std::int64_t runs_while_hammered(const TempDir& dir, bool stampede) {
  const std::filesystem::path runs = dir / (stampede ? "stampede-runs" : "plain-runs");
  auto slow_double = [runs](std::int64_t x) {
    std::this_thread::sleep_for(20ms);
    Counter(runs).incr("runs", 1, 0, /*retry=*/true);
    return 2 * x;
  };
  auto hammer = [](auto function, std::chrono::steady_clock::time_point until) {
    std::atomic<bool> wrong{false};
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([function, until, &wrong]() mutable {
          while (std::chrono::steady_clock::now() < until) {
            wrong = wrong || function(21) != 42;
            std::this_thread::sleep_for(2ms);
          }
        });
      }
    }
    return wrong ? 1 : 0;
  };
  const std::filesystem::path results = dir / (stampede ? "stampede" : "plain");
  auto run = [&](auto make) {
    {
      Cache<> cache(results);
      make(cache)(21);  // warm: the measurement starts with a cached result
    }
    const std::int64_t before = Counter(runs).at("runs");
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    const std::vector<int> statuses = run_children(2, [&](int) {
      Cache<> cache(results);
      Counter keep_open(runs);  // so slow_double's Counter(runs) costs nothing
      return hammer(make(cache), until);
    });
    EXPECT_EQ(statuses, std::vector<int>(2, 0));
    return Counter(runs).at("runs") - before;
  };
  if (stampede) {
    return run([&](Cache<>& cache) {
      return memoize_stampede(cache, "slow_double", slow_double, {.expire = 600ms});
    });
  }
  return run(
      [&](Cache<>& cache) { return cache.memoize("slow_double", slow_double, {.expire = 600ms}); });
}

TEST(MemoizeStampedeTest, RecomputesFarLessOftenThanMemoizeAtExpiry) {
  TempDir dir;
  const std::int64_t plain = runs_while_hammered(dir, false);
  const std::int64_t stampede = runs_while_hammered(dir, true);
  std::cout << "runs at expiry: memoize " << plain << ", memoize_stampede " << stampede << '\n';
  EXPECT_LT(stampede * 3, plain);
}

TEST(MemoizeStampedeTest, CachesLikeMemoize) {
  TempDir dir;
  FanoutCache<> cache(dir.path(), 4);
  int calls = 0;
  auto square = memoize_stampede(cache, "square",
                                 [&](std::int64_t x) {
                                   ++calls;
                                   return x * x;
                                 },
                                 {.expire = 1h, .tag = "squares"});
  for (int round = 0; round < 2; ++round) {
    for (std::int64_t x = 0; x < 10; ++x) EXPECT_EQ(square(x), x * x);
  }
  EXPECT_EQ(calls, 10);
  EXPECT_TRUE(square.contains(3));
  EXPECT_TRUE(square.forget(3));
  EXPECT_EQ(square(3), 9);
  EXPECT_EQ(calls, 11);
  EXPECT_EQ(cache.evict("squares"), 10);
}

TEST(MemoizeStampedeTest, NeedsAnExpiry) {
  TempDir dir;
  Cache<> cache(dir.path());
  EXPECT_THROW(memoize_stampede(cache, "f", [](int x) { return x; }, {}), Error);
}

}  // namespace
}  // namespace diskcache
