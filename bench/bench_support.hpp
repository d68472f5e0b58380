// Shared benchmark machinery: temporary directories, clocks, percentiles.
#ifndef DISKCACHE_BENCH_BENCH_SUPPORT_HPP_
#define DISKCACHE_BENCH_BENCH_SUPPORT_HPP_

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "temp_dir.hpp"  // the benchmarks' directories are the tests' kind

namespace diskcache::bench {

using testing::TempDir;

// CLOCK_MONOTONIC in nanoseconds: comparable between processes on one
// machine (Python's time.clock_gettime_ns(time.CLOCK_MONOTONIC) too).
inline std::int64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The `fraction` (0..1) percentile of `samples`: the sample at rank
// floor(fraction * (n - 1)), the "lower" method (as compare_driver.py).
// Reorders `samples`. REQUIRES: samples is not empty.
template <class T>
T percentile(std::vector<T>& samples, double fraction) {
  const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples.end());
  return samples[rank];
}

// "key-000123": the same keys in every benchmark and every language.
inline std::string key_name(std::int64_t index) {
  std::string key = std::to_string(index);
  return "key-" + std::string(6 - std::min<std::size_t>(6, key.size()), '0') + key;
}

// main() of a benchmark program: runs `body`, reporting an escaping
// exception as "name: what" and exit status 1.
template <class Body>
int guarded_main(const char* name, Body&& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 1;
  }
}

}  // namespace diskcache::bench

#endif  // DISKCACHE_BENCH_BENCH_SUPPORT_HPP_
