// The workload of bench/compare on one system: diskcache-cpp, bare SQLite
// (prepared statements on the same schema and pragmas, autocommit per
// operation) or Redis through hiredis. bench/compare_driver.py runs the
// same workload on Python diskcache.
//
// Usage: compare_driver SYSTEM VALUE_BYTES KEYS PROCESSES [REDIS_PORT]
//   SYSTEM: cpp | sqlite | redis
// Runs, in order: set (KEYS new keys), get (hits), get-miss, incr (KEYS new
// counters), delete, push (KEYS items), pop; with PROCESSES > 1 that many
// processes run each operation at once on the same directory (or server),
// each on its share of the keys, starting together. The reads (get,
// get-miss) go over the keys kReadPasses times: a single pass of 20,000 gets
// lasts tens of milliseconds, short enough for one scheduler delay to
// decide the two-process rate. Prints one line per operation: "op
// ops_per_s p50_us p99_us", ops/s over all processes.
#include <hiredis.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"
#include "diskcache/cache.hpp"
#include "sqlite_baseline.hpp"

namespace diskcache::bench {
namespace {

constexpr int kReadPasses = 5;  // as READ_PASSES in compare_driver.py

constexpr std::array<const char*, 7> kOps = {"set",    "get",  "get-miss", "incr",
                                             "delete", "push", "pop"};

class DiskcacheSystem : public System {
 public:
  explicit DiskcacheSystem(const std::filesystem::path& directory)
      : cache_(directory), queue_(cache_.store()) {}
  void set(const std::string& key, const std::string& value) override { cache_.set(key, value); }
  bool get(const std::string& key) override { return cache_.get(key).has_value(); }
  void incr(const std::string& key) override { cache_.incr(key); }
  void erase(const std::string& key) override { cache_.erase(key); }
  void push(const std::string& value) override { queue_.push(value); }
  bool pop() override { return queue_.pull().has_value(); }

 private:
  Cache<std::string, std::string> cache_;
  Cache<std::int64_t, std::string> queue_;  // integer queue keys, as Python
};

class RedisSystem : public System {
 public:
  explicit RedisSystem(int port) : context_(redisConnect("127.0.0.1", port)) {
    if (context_ == nullptr || context_->err != 0) {
      throw std::runtime_error("cannot connect to redis-server on 127.0.0.1:" +
                               std::to_string(port));
    }
  }
  ~RedisSystem() override { redisFree(context_); }

  void set(const std::string& key, const std::string& value) override {
    command("SET %b %b", key.data(), key.size(), value.data(), value.size());
  }
  bool get(const std::string& key) override {
    return command("GET %b", key.data(), key.size())->type == REDIS_REPLY_STRING;
  }
  void incr(const std::string& key) override { command("INCR %b", key.data(), key.size()); }
  void erase(const std::string& key) override { command("DEL %b", key.data(), key.size()); }
  void push(const std::string& value) override {
    command("RPUSH queue %b", value.data(), value.size());
  }
  bool pop() override { return command("LPOP queue")->type == REDIS_REPLY_STRING; }
  // Empties the server's database.
  void flush() { command("FLUSHALL"); }

 private:
  struct ReplyFree {
    void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
  };
  template <class... Args>
  redisReply* command(const char* format, Args... args) {
    reply_.reset(static_cast<redisReply*>(redisCommand(context_, format, args...)));
    if (!reply_ || reply_->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error(std::string("redis: ") + (reply_ ? reply_->str : context_->errstr));
    }
    return reply_.get();
  }

  redisContext* context_;
  std::unique_ptr<redisReply, ReplyFree> reply_;
};

struct Options {
  std::string system;
  std::size_t value_bytes = 100;
  std::int64_t keys = 20000;
  int processes = 1;
  int redis_port = 0;
  std::filesystem::path directory;
};

std::unique_ptr<System> open_system(const Options& options) {
  if (options.system == "cpp") return std::make_unique<DiskcacheSystem>(options.directory);
  if (options.system == "sqlite") return std::make_unique<SqliteSystem>(options.directory);
  if (options.system == "redis") return std::make_unique<RedisSystem>(options.redis_port);
  throw std::runtime_error("unknown system " + options.system);
}

// What a worker reports for one operation.
struct Timing {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::vector<float> latencies_us;
};

void write_all(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written <= 0) throw std::runtime_error("pipe write failed");
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
}

void read_all(int fd, void* data, std::size_t size) {
  auto* bytes = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t got = ::read(fd, bytes, size);
    if (got <= 0) throw std::runtime_error("pipe read failed");
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

// Worker `index` of `options.processes`: for each operation, waits for the
// go byte on `go`, runs its share, and reports a Timing on `report`.
void work(const Options& options, int index, int go, int report) {
  std::unique_ptr<System> system = open_system(options);
  const std::string value(options.value_bytes, 'v');
  std::vector<std::int64_t> mine;
  for (std::int64_t i = index; i < options.keys; i += options.processes) mine.push_back(i);
  std::vector<std::string> keys, missing, counters;
  for (std::int64_t i : mine) {
    keys.push_back(key_name(i));
    missing.push_back(key_name(options.keys + i));
    counters.push_back("counter-" + key_name(i));
  }
  for (const char* op : kOps) {
    char byte = 0;
    read_all(go, &byte, 1);
    Timing timing;
    timing.latencies_us.reserve(kReadPasses * mine.size());
    timing.start_ns = monotonic_ns();
    const std::string_view name(op);
    const std::size_t passes = name == "get" || name == "get-miss" ? kReadPasses : 1;
    for (std::size_t n = 0; n < passes * mine.size(); ++n) {
      const std::size_t i = n % mine.size();
      const std::int64_t before = monotonic_ns();
      if (name == "set") {
        system->set(keys[i], value);
      } else if (name == "get") {
        if (!system->get(keys[i])) throw std::runtime_error("get missed " + keys[i]);
      } else if (name == "get-miss") {
        if (system->get(missing[i])) throw std::runtime_error("get-miss found " + missing[i]);
      } else if (name == "incr") {
        system->incr(counters[i]);
      } else if (name == "delete") {
        system->erase(keys[i]);
      } else if (name == "push") {
        system->push(value);
      } else if (name == "pop") {
        if (!system->pop()) throw std::runtime_error("pop found the queue empty");
      }
      timing.latencies_us.push_back(static_cast<float>(monotonic_ns() - before) / 1000.0f);
    }
    timing.end_ns = monotonic_ns();
    const std::uint64_t count = timing.latencies_us.size();
    write_all(report, &timing.start_ns, sizeof timing.start_ns);
    write_all(report, &timing.end_ns, sizeof timing.end_ns);
    write_all(report, &count, sizeof count);
    write_all(report, timing.latencies_us.data(), count * sizeof(float));
  }
}

int run(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: compare_driver cpp|sqlite|redis VALUE_BYTES KEYS PROCESSES"
                 " [REDIS_PORT]\n");
    return 2;
  }
  Options options;
  options.system = argv[1];
  options.value_bytes = std::stoul(argv[2]);
  options.keys = std::stoll(argv[3]);
  options.processes = std::stoi(argv[4]);
  if (argc > 5) options.redis_port = std::stoi(argv[5]);
  TempDir dir;
  options.directory = dir.path();
  if (options.system != "redis") {
    Cache<> schema(dir.path());  // the schema, settings and pragmas of diskcache
  } else {
    RedisSystem(options.redis_port).flush();
  }

  struct Worker {
    pid_t pid;
    int go;      // parent writes
    int report;  // parent reads
  };
  std::vector<Worker> workers;
  std::fflush(nullptr);
  for (int index = 0; index < options.processes; ++index) {
    int go[2], report[2];
    if (::pipe(go) != 0 || ::pipe(report) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::close(go[1]);
      ::close(report[0]);
      int status = 0;
      try {
        work(options, index, go[0], report[1]);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "compare_driver %s worker %d: %s\n", options.system.c_str(), index,
                     error.what());
        status = 1;
      }
      std::fflush(nullptr);
      ::_exit(status);
    }
    ::close(go[0]);
    ::close(report[1]);
    workers.push_back({pid, go[1], report[0]});
  }

  for (const char* op : kOps) {
    for (const Worker& worker : workers) write_all(worker.go, "g", 1);
    std::int64_t start = INT64_MAX, end = 0;
    std::vector<float> latencies;
    for (const Worker& worker : workers) {
      Timing timing;
      std::uint64_t count = 0;
      read_all(worker.report, &timing.start_ns, sizeof timing.start_ns);
      read_all(worker.report, &timing.end_ns, sizeof timing.end_ns);
      read_all(worker.report, &count, sizeof count);
      const std::size_t had = latencies.size();
      latencies.resize(had + count);
      read_all(worker.report, latencies.data() + had, count * sizeof(float));
      start = std::min(start, timing.start_ns);
      end = std::max(end, timing.end_ns);
    }
    const double seconds = static_cast<double>(end - start) / 1e9;
    const double rate = static_cast<double>(latencies.size()) / seconds;
    const double p50 = percentile(latencies, 0.50);
    const double p99 = percentile(latencies, 0.99);
    std::printf("%s %.0f %.1f %.1f\n", op, rate, p50, p99);
  }
  int failed = 0;
  for (const Worker& worker : workers) {
    int status = 0;
    ::waitpid(worker.pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace diskcache::bench

int main(int argc, char** argv) {
  return diskcache::bench::guarded_main("compare_driver",
                                        [&] { return diskcache::bench::run(argc, argv); });
}
