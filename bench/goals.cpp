// The measures of issue 6's goals that bench/compare's workload does not
// cover: 10,000 sets in one transaction, memory (RSS) against the item
// count, opening a cache of 1,000,000 items plus one get, and a 100 MB value
// through set_stream/read against dd on the same disk.
//
// Run: build/bench/goals [--items N] [DIRECTORY]   (default 1,000,000 items,
// in a new directory under $TMPDIR). Prints "name value unit" lines.
// Each measure runs several times, interleaved with what it is compared to;
// the median is printed.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "diskcache/cache.hpp"
#include "sqlite_baseline.hpp"

extern char** environ;

namespace diskcache::bench {
namespace {

constexpr int kRepeats = 5;
constexpr std::int64_t kStreamBytes = 100 << 20;

double median(std::vector<double> samples) { return percentile(samples, 0.5); }

double seconds_since(std::int64_t start_ns) {
  return static_cast<double>(monotonic_ns() - start_ns) / 1e9;
}

// Runs `argv` (a program and its arguments) and waits; returns its status.
int run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Seconds that `argv` takes to start, run and be reaped; throws if it fails.
double seconds_of(const std::vector<std::string>& argv) {
  const std::int64_t start = monotonic_ns();
  if (run_program(argv) != 0) throw std::runtime_error(argv[0] + " failed");
  return seconds_since(start);
}

// The kB value of `field` ("VmRSS", "RssAnon", "RssFile") in /proc/self/status.
std::int64_t status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// 100-byte values under key-000000.. (ten thousand per transaction).
void fill(Cache<std::string, std::string>& cache, std::int64_t from, std::int64_t to) {
  const std::string value(100, 'v');
  for (std::int64_t start = from; start < to; start += 10'000) {
    auto transaction = cache.transact();
    for (std::int64_t i = start; i < std::min(to, start + 10'000); ++i) {
      cache.set(key_name(i), value);
    }
    transaction.commit();
  }
}

// 10,000 sets in one transaction, interleaved with the same on bare SQLite
// (one upsert per item between BEGIN IMMEDIATE and COMMIT, same schema).
void measure_transaction() {
  TempDir dir, bare_dir;
  Cache<std::string, std::string> cache(dir.path());
  Cache<>(bare_dir.path()).close();  // diskcache's schema for bare SQLite
  SqliteSystem bare(bare_dir.path());
  const std::string value(100, 'v');
  std::vector<double> rates, bare_rates;
  for (int round = 0; round < kRepeats; ++round) {
    std::int64_t start = monotonic_ns();
    auto transaction = cache.transact();
    for (int i = 0; i < 10'000; ++i) cache.set(key_name(round * 10'000 + i), value);
    transaction.commit();
    rates.push_back(10'000 / seconds_since(start));

    start = monotonic_ns();
    bare.exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 10'000; ++i) bare.set(key_name(round * 10'000 + i), value);
    bare.exec("COMMIT");
    bare_rates.push_back(10'000 / seconds_since(start));
  }
  std::printf("transact_10000_sets %.0f items/s\n", median(rates));
  std::printf("transact_10000_sets_bare_sqlite %.0f items/s\n", median(bare_rates));
}

// In a fresh process (this program re-run as "goals --child MODE DIR"): the
// memory after 100,000 random gets and 1,000 sets, or the time to open and
// get once.
int child(const std::string& mode, const std::filesystem::path& directory, std::int64_t items) {
  if (mode == "open") {
    const std::int64_t start = monotonic_ns();
    Cache<std::string, std::string> cache(directory);
    const bool found = cache.get(key_name(items / 2)).has_value();
    std::printf("%.3f\n", seconds_since(start) * 1000);
    return found ? 0 : 1;
  }
  // "memory-mmap-off": the same with PRAGMA mmap_size = 0 (stored), so the
  // database is read into SQLite's page cache instead of being mapped.
  Settings settings;
  if (mode == "memory-mmap-off") settings.sqlite_mmap_size = 0;
  Cache<std::string, std::string> cache(directory, settings);
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::int64_t> pick(0, items - 1);
  for (int i = 0; i < 100'000; ++i) {
    if (!cache.get(key_name(pick(random)))) return 1;
  }
  const std::string value(100, 'w');
  for (int i = 0; i < 1'000; ++i) cache.set(key_name(pick(random)), value);
  std::printf("%lld %lld %lld\n", static_cast<long long>(status_kb("VmRSS")),
              static_cast<long long>(status_kb("RssAnon")),
              static_cast<long long>(status_kb("RssFile")));
  return 0;
}

// Runs the child mode and returns what it printed.
std::string child_output(const char* self, const std::string& mode,
                         const std::filesystem::path& directory, std::int64_t items) {
  const std::string command = std::string(self) + " --child " + mode + " " + directory.string() +
                              " " + std::to_string(items);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::array<char, 256> buffer{};
  std::string output;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  if (::pclose(pipe) != 0) throw std::runtime_error("child " + mode + " failed");
  return output;
}

void measure_items(const char* self, const std::filesystem::path& directory, std::int64_t items) {
  Cache<std::string, std::string> cache(directory);
  std::vector<std::int64_t> counts;
  for (std::int64_t count : {10'000, 100'000}) {
    if (count < items) counts.push_back(count);
  }
  counts.push_back(items);
  std::int64_t filled = 0;
  for (std::int64_t count : counts) {
    fill(cache, filled, count);
    filled = count;
    long long rss = 0, anon = 0, file = 0;
    std::istringstream(child_output(self, "memory", directory, count)) >> rss >> anon >> file;
    std::printf("rss_kb_%lld_items %lld kB (anon %lld, file %lld)\n", static_cast<long long>(count),
                rss, anon, file);
  }
  cache.close();
  std::vector<double> times;
  for (int round = 0; round < kRepeats; ++round) {
    times.push_back(std::stod(child_output(self, "open", directory, items)));
  }
  std::printf("open_%lld_items_and_get %.3f ms\n", static_cast<long long>(items), median(times));
  long long rss = 0, anon = 0, file = 0;
  std::istringstream(child_output(self, "memory-mmap-off", directory, items)) >> rss >> anon >>
      file;
  std::printf("rss_mmap_off_kb_%lld_items %lld kB (anon %lld, file %lld)\n",
              static_cast<long long>(items), rss, anon, file);
}

// An istream of `size` zero bytes, as dd's /dev/zero.
class Zeros : public std::streambuf {
 public:
  explicit Zeros(std::int64_t size) : left_(size), chunk_(1 << 20, '\0') {}

 protected:
  int_type underflow() override {
    if (left_ == 0) return traits_type::eof();
    const auto size = static_cast<std::int64_t>(
        std::min<std::size_t>(chunk_.size(), static_cast<std::size_t>(left_)));
    left_ -= size;
    setg(chunk_.data(), chunk_.data(), chunk_.data() + size);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  std::int64_t left_;
  std::string chunk_;
};

void measure_stream(const std::filesystem::path& directory) {
  Cache<std::string, std::string> cache(directory / "stream");
  const std::string dd_file = (directory / "dd.out").string();
  const double megabytes = static_cast<double>(kStreamBytes) / 1e6;
  std::vector<double> dd_write, dd_read, ours_write, ours_read;
  std::vector<char> buffer(1 << 20);
  for (int round = 0; round < kRepeats; ++round) {
    // Starting and reaping dd costs about as much as its read of 100 MB
    // from the page cache: a dd that copies nothing measures that, and it
    // is subtracted from both dd timings.
    const double startup =
        seconds_of({"dd", "if=/dev/zero", "of=/dev/null", "count=0", "status=none"});
    // dd with conv=fsync: set_stream fsyncs its file too.
    dd_write.push_back(megabytes / (seconds_of({"dd", "if=/dev/zero", "of=" + dd_file, "bs=1M",
                                                "count=100", "conv=fsync", "status=none"}) -
                                    startup));
    // Both reads come from the page cache: the file was just written.
    dd_read.push_back(
        megabytes /
        (seconds_of({"dd", "if=" + dd_file, "of=/dev/null", "bs=1M", "status=none"}) - startup));

    Zeros zeros(kStreamBytes);
    std::istream in(&zeros);
    std::int64_t start = monotonic_ns();
    cache.set_stream("video", in);
    ours_write.push_back(megabytes / seconds_since(start));
    start = monotonic_ns();
    std::optional<std::ifstream> file = cache.read("video");
    std::int64_t total = 0;
    while (file->read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
           file->gcount() > 0) {
      total += file->gcount();
    }
    ours_read.push_back(megabytes / seconds_since(start));
    if (total != kStreamBytes) throw std::runtime_error("read returned a short value");
  }
  std::printf("stream_write_dd %.0f MB/s\nstream_write_set_stream %.0f MB/s\n", median(dd_write),
              median(ours_write));
  std::printf("stream_read_dd %.0f MB/s\nstream_read_read %.0f MB/s\n", median(dd_read),
              median(ours_read));
}

int run(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "--child") == 0) {
    return child(argv[2], argv[3], std::stoll(argv[4]));
  }
  std::int64_t items = 1'000'000;
  std::optional<std::filesystem::path> directory;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--items") == 0 && i + 1 < argc) {
      items = std::stoll(argv[++i]);
    } else {
      directory = argv[i];
    }
  }
  std::optional<TempDir> temporary;
  if (!directory) directory = temporary.emplace().path();
  const std::filesystem::path root = *directory;
  measure_transaction();
  measure_stream(root);
  measure_items(argv[0], root / "items", items);
  return 0;
}

}  // namespace
}  // namespace diskcache::bench

int main(int argc, char** argv) {
  return diskcache::bench::guarded_main("goals", [&] { return diskcache::bench::run(argc, argv); });
}
