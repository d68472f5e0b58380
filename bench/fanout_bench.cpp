// Aggregate write throughput of a FanoutCache (8 shards) next to a plain
// Cache, with 1, 2 and 4 writer processes and PRAGMA synchronous NORMAL
// (the default) or FULL: each writer sets kWrites distinct keys (100-byte
// values) as fast as it can; the time is the wall time from the moment
// every writer has its cache open until the last one has finished, and
// items/s is the writes of all writers together per second. A FanoutCache
// set that timed out (returned false) is repeated and counted in
// `timeouts`.
//
// Measured on 2 cores shared with other builds (load average 4-12), medians
// of 3 repetitions, writes per second summed over the writers:
//
//   writers  synchronous   Cache         FanoutCache(8)
//   1        NORMAL        3,400-18,500  4,700-9,000
//   2        NORMAL        3,200-15,700  2,400-5,200
//   4        NORMAL        4,300-12,800  3,900-5,700
//   1        FULL          480-4,100     140-780
//   2        FULL          320-2,650     810-1,340
//   4        FULL          440-1,540     1,270-2,190
//
// With NORMAL (the default) a write is CPU-bound (about 45 us of CPU, the
// write lock held for a fraction of it), so on 2 busy cores sharding gains
// nothing. With FULL every commit fsyncs while holding its database's write
// lock: a plain Cache serializes the writers' fsyncs and gets slower as
// writers are added, a FanoutCache's shards fsync in parallel and scale.
// A single writer is slower on 8 shards with FULL, probably because 8 WAL
// files are still growing (each fsync then also syncs metadata) where one
// WAL has reached its size: not verified.
//
// Run: build/bench/fanout_bench [--benchmark_filter=Fanout]
//        [--benchmark_repetitions=3 --benchmark_min_time=1
//         --benchmark_report_aggregates_only=true]
// Benchmarks, not tests: nothing here asserts a time.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "diskcache/cache.hpp"
#include "diskcache/fanout_cache.hpp"

namespace diskcache {
namespace {

constexpr int kWrites = 2000;                      // per writer and iteration
constexpr std::chrono::milliseconds kTimeout{10};  // FanoutCache's default

// What one round of writers did: the writes that timed out (and were
// repeated), the wall time of the writing, and whether every writer
// finished.
struct Round {
  std::int64_t timeouts = 0;
  double seconds = 0;
  bool ok = true;
};

// Forks `writers` processes running `write(writer, start)`: each opens its
// cache, calls `start()`, which returns once every writer is open, then
// writes, and returns how many writes timed out. The time runs from the
// start until the last writer has reported, so opening is not timed.
template <class Write>
Round run_writers(int writers, Write write) {
  int go[2];
  if (::pipe(go) != 0) std::abort();
  std::vector<pid_t> children;
  std::vector<int> reports;
  for (int writer = 0; writer < writers; ++writer) {
    int report[2];
    if (::pipe(report) != 0) std::abort();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(report[0]);
      ::close(go[1]);
      auto start = [&] {
        const char ready = 'r';
        char token = 0;
        if (::write(report[1], &ready, 1) != 1 || ::read(go[0], &token, 1) != 1) ::_exit(2);
      };
      std::int64_t timeouts = -1;
      try {
        timeouts = write(writer, start);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "writer failed: %s\n", error.what());
      }
      if (::write(report[1], &timeouts, sizeof timeouts) != sizeof timeouts) ::_exit(2);
      ::_exit(timeouts < 0 ? 1 : 0);
    }
    ::close(report[1]);
    children.push_back(pid);
    reports.push_back(report[0]);
  }
  ::close(go[0]);
  Round round;
  for (int report : reports) {
    char ready = 0;
    round.ok = round.ok && ::read(report, &ready, 1) == 1;
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string tokens(static_cast<std::size_t>(writers), 'g');
  round.ok = round.ok && ::write(go[1], tokens.data(), tokens.size()) == writers;
  ::close(go[1]);
  for (int report : reports) {
    std::int64_t timeouts = -1;
    if (::read(report, &timeouts, sizeof timeouts) != sizeof timeouts) timeouts = -1;
    round.ok = round.ok && timeouts >= 0;
    round.timeouts += timeouts;
  }
  round.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < children.size(); ++i) {
    ::close(reports[i]);
    int status = 0;
    ::waitpid(children[i], &status, 0);
    round.ok = round.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return round;
}

std::string key_of(int writer, int n) {
  return "writer-" + std::to_string(writer) + "-" + std::to_string(n);
}

// Times `iterations` rounds of `writers` processes each making kWrites
// writes through `write(writer)`.
template <class Write>
void measure(benchmark::State& state, Write write) {
  const int writers = static_cast<int>(state.range(0));
  std::int64_t timeouts = 0;
  for (auto _ : state) {
    const Round round = run_writers(writers, write);
    state.SetIterationTime(round.seconds);
    if (!round.ok) {
      state.SkipWithError("a writer process failed");
      return;
    }
    timeouts += round.timeouts;
  }
  state.SetItemsProcessed(state.iterations() * writers * kWrites);
  state.counters["timeouts"] = static_cast<double>(timeouts);
}

const std::string kValue(100, 'v');

// The benchmark's second argument: PRAGMA synchronous, 1 (NORMAL, the
// default: no fsync per commit) or 2 (FULL: an fsync per commit, made while
// the shard's write lock is held).
Settings settings_of(const benchmark::State& state) {
  return Settings{.sqlite_synchronous = state.range(1)};
}

void BM_CacheSet(benchmark::State& state) {
  bench::TempDir dir;
  { Cache<std::string, std::string> create(dir.path(), settings_of(state)); }
  measure(state, [&](int writer, auto start) -> std::int64_t {
    Cache<std::string, std::string> cache(dir.path());
    start();
    for (int n = 0; n < kWrites; ++n) cache.set(key_of(writer, n), kValue);
    return 0;
  });
}

void BM_FanoutSet(benchmark::State& state) {
  bench::TempDir dir;
  { FanoutCache<std::string, std::string> create(dir.path(), 8, kTimeout, settings_of(state)); }
  measure(state, [&](int writer, auto start) -> std::int64_t {
    FanoutCache<std::string, std::string> cache(dir.path(), 8, kTimeout);
    start();
    std::int64_t timeouts = 0;
    for (int n = 0; n < kWrites; ++n) {
      while (!cache.set(key_of(writer, n), kValue)) ++timeouts;
    }
    return timeouts;
  });
}

// 1, 2 and 4 writer processes, synchronous NORMAL and FULL, timed by wall
// clock.
void writer_counts(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"writers", "synchronous"})->ArgsProduct({{1, 2, 4}, {1, 2}});
  bench->UseManualTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_CacheSet)->Apply(writer_counts);
BENCHMARK(BM_FanoutSet)->Apply(writer_counts);

}  // namespace
}  // namespace diskcache

BENCHMARK_MAIN();
