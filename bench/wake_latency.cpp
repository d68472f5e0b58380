// pop_front_wait wake-up latency: how long after a push in another process
// a Deque::pop_front_wait in this one returns the item.
//
// A producer process (a forked C++ one, or Python diskcache's Deque) pushes
// CLOCK_MONOTONIC timestamps in nanoseconds, one every 2-4 ms so that the
// consumer is asleep in pop_front_wait each time; the consumer subtracts the
// timestamp from the clock when the call returns. A sample is therefore the
// producer's whole push (its commit included), the wake-up, and the pop.
//
// Run: build/bench/wake_latency [--samples N] [--producer cpp|python]
// Prints p50, p90, p99 and the maximum in microseconds (issue 4: p50 < 1 ms).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "diskcache/deque.hpp"

namespace diskcache::bench {
namespace {

using namespace std::chrono_literals;

void produce(const std::filesystem::path& directory, int samples) {
  Deque<std::int64_t> deque(directory);
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> pause_us(2000, 4000);
  std::this_thread::sleep_for(200ms);  // the consumer is waiting by then
  for (int i = 0; i < samples; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(pause_us(random)));
    deque.push_back(monotonic_ns());
  }
}

pid_t start_producer(const std::string& kind, const std::filesystem::path& directory, int samples) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid != 0) return pid;
  if (kind == "python") {
    const std::string script = std::string(DISKCACHE_BENCH_SOURCE_DIR) + "/wake_producer.py";
    const std::string count = std::to_string(samples);
    ::execl(DISKCACHE_BENCH_PYTHON, DISKCACHE_BENCH_PYTHON, script.c_str(), directory.c_str(),
            count.c_str(), static_cast<char*>(nullptr));
    std::perror("exec python");
    ::_exit(127);
  }
  int status = 0;
  try {
    produce(directory, samples);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "producer failed: %s\n", error.what());
    status = 1;
  }
  std::fflush(nullptr);
  ::_exit(status);
}

int run(int argc, char** argv) {
  int samples = 2000;
  std::string producer = "cpp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--samples") == 0) samples = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--producer") == 0) producer = argv[i + 1];
  }
  TempDir dir;
  Deque<std::int64_t> deque(dir.path());
  const pid_t child = start_producer(producer, dir.path(), samples);

  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<std::size_t>(samples));
  int timeouts = 0;
  while (static_cast<int>(latencies_us.size()) < samples) {
    std::optional<std::int64_t> sent = deque.pop_front_wait(10s);
    if (!sent) {
      if (++timeouts == 3) break;  // the producer died
      continue;
    }
    latencies_us.push_back(static_cast<double>(monotonic_ns() - *sent) / 1000.0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  if (latencies_us.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "wake_latency: producer failed (%zu samples)\n", latencies_us.size());
    return 1;
  }
  std::size_t over_5ms = 0;
  for (double latency : latencies_us) over_5ms += latency > 5000 ? 1 : 0;
  const double p50 = percentile(latencies_us, 0.50);
  const double p90 = percentile(latencies_us, 0.90);
  const double p99 = percentile(latencies_us, 0.99);
  const double max = percentile(latencies_us, 1.0);
  std::printf(
      "producer=%s samples=%zu p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f"
      " over_5ms=%zu\n",
      producer.c_str(), latencies_us.size(), p50, p90, p99, max, over_5ms);
  return 0;
}

}  // namespace
}  // namespace diskcache::bench

int main(int argc, char** argv) {
  return diskcache::bench::guarded_main("wake_latency",
                                        [&] { return diskcache::bench::run(argc, argv); });
}
