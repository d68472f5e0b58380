// Crash tests (STYLE rule 17): writer processes are killed with SIGKILL, at
// named kill points (white box) and at random moments (black box), while
// they set, erase, transact, write file-sized values, push, pop and lease.
// Each worker logs its intent before and its acknowledgement after every
// operation. After every kill the directories must pass: integrity_check ok,
// every acknowledged write present (or superseded by the one operation in
// flight), no partial value, every queue item exactly once (a plain pop in
// flight may lose its item; a lease never does), check(fix) repairs only
// what a crash may leave (orphan files, empty directories) and a second
// check() finds nothing.
//
// A third loop kills a Python writer (Debian's python3-diskcache, running
// tests/python/crash_writer.py) beside a C++ worker, under the same model.
//
// Loop sizes: DISKCACHE_CRASH_KILLS (black-box kill rounds, default 450),
// DISKCACHE_CRASH_POINT_KILLS (kills per kill point, default 20),
// DISKCACHE_CRASH_PYTHON_KILLS (rounds with a Python writer, default 30); a
// quarter of each in sanitized builds.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "kill_point.hpp"
#include "model_support.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::OpLog;

constexpr int kKeysPerWriter = 12;
constexpr std::size_t kSmall = 200;
constexpr std::size_t kFileSized = 40000;  // above disk_min_file_size: a value file
constexpr auto kVisibility = 20ms;         // lease visibility timeout

struct Dirs {
  std::filesystem::path cache;
  std::filesystem::path queue;
};

std::string own_key(int writer, int index) {
  return "w" + std::to_string(writer) + "k" + std::to_string(index);
}
std::string counter_key(int writer) { return "w" + std::to_string(writer) + "c"; }
std::string expiring_key(int writer, int index) {
  return "w" + std::to_string(writer) + "e" + std::to_string(index);
}

Settings cache_settings() {
  // No eviction (so an acknowledged write can only be superseded, never
  // evicted); culling of expired items on every write still runs.
  return {.size_limit = std::int64_t{1} << 40, .timeout = std::chrono::seconds(30)};
}

// One worker: random operations on the two directories, logged. Returns
// after `max_ops` operations unless killed first.
void run_worker(const Dirs& dirs, int writer, const std::string& run, std::uint64_t seed,
                long max_ops, OpLog& log) {
  Cache<std::string, Value> cache(dirs.cache, cache_settings());
  Deque<std::string> queue(dirs.queue);
  log.line("ready");
  std::mt19937_64 random(seed);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  long seq = 0;
  auto next_id = [&] { return run + "w" + std::to_string(writer) + "s" + std::to_string(++seq); };
  auto size = [&] { return pick(5) == 0 ? kFileSized : kSmall; };
  const SetOptions retry{.retry = true};

  for (long op = 0; op < max_ops; ++op) {
    const int choice = pick(100);
    if (choice < 25) {
      const std::string key = own_key(writer, pick(kKeysPerWriter));
      const std::string id = next_id();
      const std::size_t length = size();
      const std::string value = testing::make_payload(key, id, length);
      log.intent("set " + key + " " + id);
      if (pick(4) == 0) {
        std::istringstream in(value);
        cache.set_stream(key, in, retry);  // read back as bytes
      } else {
        cache.set(key, value, retry);
      }
      log.ack("ok");
    } else if (choice < 32) {
      const std::string key = own_key(writer, pick(kKeysPerWriter));
      log.intent("erase " + key);
      log.ack(cache.erase(key, /*retry=*/true) ? "1" : "0");
    } else if (choice < 42) {
      std::string line = "txn";
      std::vector<std::pair<std::string, std::string>> writes;
      for (int i = 0; i < 3; ++i) {
        const std::string key = own_key(writer, pick(kKeysPerWriter));
        bool duplicate = false;
        for (const auto& write : writes) duplicate = duplicate || write.first == key;
        if (duplicate) continue;
        writes.emplace_back(key, next_id());
        line += " " + key + " " + writes.back().second;
      }
      log.intent(line);
      {
        auto transaction = cache.transact(/*retry=*/true);
        for (const auto& [key, id] : writes) {
          cache.set(key, testing::make_payload(key, id, size()), retry);
        }
      }
      log.ack("ok");
    } else if (choice < 50) {
      const std::string key = expiring_key(writer, pick(4));
      const std::string id = next_id();
      log.intent("expiring " + key + " " + id);
      cache.set(key, testing::make_payload(key, id, size()),
                {.expire = std::chrono::milliseconds(1 + pick(10)), .retry = true});
      log.ack("ok");
    } else if (choice < 58) {
      log.intent("incr " + counter_key(writer));
      log.ack(std::to_string(cache.incr(counter_key(writer), 1, 0, /*retry=*/true)));
    } else if (choice < 62) {
      // An item that expires at once, so expire() has a batch to remove.
      const std::string key = expiring_key(writer, 3);
      const std::string id = next_id();
      log.intent("expiring " + key + " " + id);
      cache.set(key, testing::make_payload(key, id, kSmall),
                {.expire = std::chrono::microseconds(1), .retry = true});
      log.ack("ok");
      std::this_thread::sleep_for(std::chrono::microseconds(2));
      log.intent("expire");
      log.ack(std::to_string(cache.expire(/*retry=*/true)));
    } else if (choice < 76) {
      const std::string id = next_id();
      log.intent("push " + id);
      queue.push_back(testing::make_payload("q", id, size()));
      log.ack("ok");
    } else if (choice < 90) {
      log.intent("pop");
      std::optional<std::string> item = queue.pop_front();
      log.ack(item ? *testing::parse_payload("q", *item) : "none");
    } else {
      log.intent("lease");
      std::optional<Lease<std::string>> lease = queue.lease_front(kVisibility);
      if (!lease) {
        log.ack("none");
        continue;
      }
      const std::string id = *testing::parse_payload("q", **lease);
      log.ack(id);
      log.intent("ack " + id);
      log.ack(lease->ack() ? "1" : "0");
    }
  }
}

// What the parent knows of the directories between kills.
struct Model {
  std::map<std::string, std::optional<std::string>> values;  // own key -> id
  std::map<std::string, std::int64_t> counters;
  std::multiset<std::string> queue;  // ids in the queue (leased ones included)
  int writers = 0;                   // writer indexes 0..writers-1 have existed

  // Figures for the report.
  long kills = 0;
  long acked = 0;
  long in_flight = 0;
  long lost_by_pop = 0;
  long repaired = 0;
  std::map<std::string, long> points;  // kill point -> kills there
};

struct Expectation {
  std::map<std::string, std::set<std::optional<std::string>>> allowed;
  std::vector<std::vector<std::pair<std::string, std::string>>> atomic;  // in-flight txns
  std::map<std::string, std::set<std::int64_t>> counters;
  std::set<std::string> pushed;     // acknowledged pushes
  std::set<std::string> may_exist;  // pushes in flight
  std::set<std::string> consumed;   // popped, or leased and acknowledged
  std::set<std::string> uncertain;  // an acknowledgement in flight
  long may_lose = 0;                // plain pops in flight

  std::set<std::int64_t>& counter(const std::string& key) {
    auto& allowed = counters[key];
    if (allowed.empty()) allowed.insert(0);
    return allowed;
  }
};

std::string describe(const std::set<std::optional<std::string>>& choices) {
  std::string text;
  for (const auto& choice : choices)
    text += (text.empty() ? "" : " or ") + choice.value_or("nothing");
  return text;
}

// Applies one worker's log to `expect`, allowing both outcomes of the
// operation it was in when it died.
void apply_log(const std::filesystem::path& path, Model& model, Expectation& expect) {
  const auto lines = testing::read_log(path);
  std::vector<std::string> pending;  // the last intent without its ack
  for (const auto& line : lines) {
    if (line[0] == "kill" && line.size() == 2) {
      ++model.points[line[1]];
      continue;
    }
    if (line[0] == "I") {
      pending.assign(line.begin() + 1, line.end());
      continue;
    }
    if (line[0] != "A") continue;
    const std::string& result = line.size() > 1 ? line[1] : std::string();
    const std::string& op = pending.at(0);
    ++model.acked;
    if (op == "set") {
      expect.allowed[pending[1]] = {pending[2]};
    } else if (op == "erase") {
      expect.allowed[pending[1]] = {std::nullopt};
    } else if (op == "txn") {
      for (std::size_t i = 1; i + 1 < pending.size(); i += 2) {
        expect.allowed[pending[i]] = {pending[i + 1]};
      }
    } else if (op == "incr") {
      const std::int64_t value = std::stoll(result);
      auto& allowed = expect.counter(pending[1]);
      EXPECT_TRUE(allowed.count(value - 1)) << "incr of " << pending[1] << " returned " << value;
      allowed = {value};
    } else if (op == "push") {
      expect.pushed.insert(pending[1]);
    } else if (op == "pop" && result != "none") {
      EXPECT_FALSE(expect.consumed.count(result)) << "item " << result << " delivered twice";
      expect.consumed.insert(result);
    } else if (op == "ack" && result == "1") {
      EXPECT_FALSE(expect.consumed.count(pending[1])) << "item " << pending[1] << " twice";
      expect.consumed.insert(pending[1]);
    }
    pending.clear();
  }
  if (pending.empty()) return;
  // The operation in flight when the worker died: either outcome is allowed.
  ++model.in_flight;
  const std::string& op = pending[0];
  if (op == "set") {
    expect.allowed[pending[1]].insert(pending[2]);
  } else if (op == "erase") {
    expect.allowed[pending[1]].insert(std::nullopt);
  } else if (op == "txn") {
    std::vector<std::pair<std::string, std::string>> writes;
    for (std::size_t i = 1; i + 1 < pending.size(); i += 2) {
      expect.allowed[pending[i]].insert(pending[i + 1]);
      writes.emplace_back(pending[i], pending[i + 1]);
    }
    expect.atomic.push_back(writes);
  } else if (op == "incr") {
    auto& allowed = expect.counter(pending[1]);
    allowed.insert(*allowed.rbegin() + 1);
  } else if (op == "push") {
    expect.may_exist.insert(pending[1]);
  } else if (op == "pop") {
    ++expect.may_lose;  // a plain pop's item dies with its consumer
  } else if (op == "ack") {
    expect.uncertain.insert(pending[1]);  // acknowledged or back in the queue
  }
}

// Checks the directories against the logs of the workers just killed (or
// finished), then takes what is there as the model for the next round.
void verify(const Dirs& dirs, Model& model, const std::vector<std::filesystem::path>& logs) {
  for (const auto& dir : {dirs.cache, dirs.queue}) {
    ASSERT_EQ(testing::integrity_check(dir), "ok") << dir;
  }
  Expectation expect;
  for (int writer = 0; writer < model.writers; ++writer) {
    for (int i = 0; i < kKeysPerWriter; ++i) {
      const std::string key = own_key(writer, i);
      expect.allowed[key] = {model.values[key]};  // absent until first seen
    }
  }
  for (const auto& [key, value] : model.counters) expect.counters[key] = {value};
  for (const auto& log : logs) apply_log(log, model, expect);

  {
    Cache<std::string, Value> cache(dirs.cache, cache_settings());
    std::map<std::string, std::optional<std::string>> found;
    for (int writer = 0; writer < model.writers; ++writer) {
      for (int i = 0; i < kKeysPerWriter; ++i) {
        const std::string key = own_key(writer, i);
        std::optional<std::string> id;
        if (std::optional<Value> value = cache.get(key)) {
          id = testing::parse_payload(key, testing::payload_text(*value));
          ASSERT_TRUE(id) << "partial or foreign value under " << key;
        }
        const auto& choices = expect.allowed.at(key);  // every own key has its entry
        EXPECT_TRUE(choices.count(id))
            << key << " holds " << id.value_or("nothing")
            << ": an acknowledged write was lost (expected " << describe(choices) << ")";
        found[key] = id;
      }
      for (int i = 0; i < 4; ++i) {
        const std::string key = expiring_key(writer, i);
        if (std::optional<Value> value = cache.get(key)) {
          EXPECT_TRUE(testing::parse_payload(key, testing::payload_text(*value))) << key;
        }
      }
      const std::string counter = counter_key(writer);
      std::optional<Value> stored = cache.get(counter);
      const std::int64_t value = stored ? stored->as<std::int64_t>() : 0;
      EXPECT_TRUE(expect.counter(counter).count(value)) << counter << " is " << value;
      model.counters[counter] = value;
    }
    for (const auto& writes : expect.atomic) {
      int applied = 0;
      for (const auto& [key, id] : writes) applied += found[key] == id;
      EXPECT_TRUE(applied == 0 || applied == static_cast<int>(writes.size()))
          << "a transaction in flight was half applied (" << applied << " of " << writes.size()
          << ")";
    }
    model.values = found;
  }

  {
    Deque<std::string> queue(dirs.queue);
    std::this_thread::sleep_for(kVisibility + 5ms);  // a dead holder's lease runs out
    queue.store().reclaim_leases(std::nullopt, /*retry=*/true);
    std::multiset<std::string> items;
    const std::int64_t size = queue.size();
    for (std::int64_t i = 0; i < size; ++i) {
      std::optional<std::string> id = testing::parse_payload("q", queue.at(i));
      ASSERT_TRUE(id) << "partial queue item at " << i;
      items.insert(*id);
    }
    for (const std::string& id : items) {
      EXPECT_EQ(items.count(id), 1u) << "queue item " << id << " is there twice";
      EXPECT_FALSE(expect.consumed.count(id)) << "consumed item " << id << " came back";
      EXPECT_TRUE(model.queue.count(id) || expect.pushed.count(id) || expect.may_exist.count(id))
          << "unknown item " << id;
    }
    // Every item that was there or pushed, and not consumed, must be there.
    std::set<std::string> required(model.queue.begin(), model.queue.end());
    required.insert(expect.pushed.begin(), expect.pushed.end());
    long missing = 0;
    for (const std::string& id : required) {
      if (!expect.consumed.count(id) && !expect.uncertain.count(id)) missing += !items.count(id);
    }
    EXPECT_LE(missing, expect.may_lose) << "acknowledged queue items lost";
    model.lost_by_pop += missing;
    model.queue = items;
  }

  for (const auto& dir : {dirs.cache, dirs.queue}) {
    testing::age_files(dir);
    Cache<> cache(dir);
    for (const std::string& problem : cache.check(/*fix=*/true)) {
      const bool crash_debris =
          problem.rfind("unknown file", 0) == 0 || problem.rfind("empty directory", 0) == 0;
      EXPECT_TRUE(crash_debris) << "check found damage a crash must not cause: " << problem;
      ++model.repaired;
    }
    const std::vector<std::string> after = cache.check();
    EXPECT_TRUE(after.empty()) << after.front();
  }
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!detail::TEST_kill_points_compiled()) GTEST_SKIP() << "built without kill points";
    dirs_ = {root_ / "cache", root_ / "queue"};
    { Cache<> cache(dirs_.cache, cache_settings()); }
    { Deque<std::string> queue(dirs_.queue); }
  }

  std::filesystem::path log_path(const std::string& name) { return root_ / (name + ".log"); }

  testing::TempDir root_;
  Dirs dirs_;
  Model model_;
};

// Waits until the log at `path` says "ready" (the worker has opened the
// directories). Returns the worker's status (as wait_child) if it died
// first, at a kill point.
std::optional<int> wait_ready(const std::filesystem::path& path, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (testing::read_file(path).find("ready\n") != std::string::npos) return std::nullopt;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    }
    std::this_thread::sleep_for(1ms);
  }
  ADD_FAILURE() << "the worker logging to " << path << " was not ready within 30 s";
  return std::nullopt;
}

TEST_F(CrashTest, EveryKillPointLeavesARecoverableDirectory) {
  const long per_point = testing::env_size("DISKCACHE_CRASH_POINT_KILLS", 20);
  const std::vector<std::string> points = {
      "value_written", "value_synced", "value_renamed",   "value_dir_synced", "before_commit",
      "after_commit",  "mid_cull",     "between_batches", "lease_granted",    "ack_deleted"};
  constexpr long kScriptOps = 400;
  model_.writers = 1;
  int run = 0;
  for (const std::string& point : points) {
    long kills = 0;
    // A point that a script reaches only a few times (a cull, a batch) is
    // hit again by new scripts, from their first hit on, until it has its
    // kills; a point no script of the first few reaches fails below.
    int scripts_without_a_kill = 0;
    for (std::uint64_t nth = 1; kills < per_point && scripts_without_a_kill < 3;) {
      const std::string name = "p" + std::to_string(++run);
      const auto log = log_path(name);
      const pid_t pid = testing::spawn_child([&] {
        OpLog oplog(log);
        detail::TEST_arm_kill_point(point, nth, oplog.fd());
        run_worker(dirs_, 0, name, /*seed=*/static_cast<std::uint64_t>(run), kScriptOps, oplog);
        return 0;
      });
      const int status = testing::wait_child(pid);
      ASSERT_TRUE(status == 0 || status == 128 + SIGKILL) << "worker exited with " << status;
      verify(dirs_, model_, {log});
      if (::testing::Test::HasFailure()) return;
      if (status == 0) {  // the script finished before the nth hit
        ++scripts_without_a_kill;
        nth = 1;
        continue;
      }
      ++kills;
      scripts_without_a_kill = 0;
      nth += 1 + static_cast<std::uint64_t>(kills / 8);
    }
    model_.kills += kills;
    EXPECT_EQ(kills, per_point) << "kill point " << point << " was reached too rarely";
  }
  std::printf("[figures] kill points: %ld kills,", model_.kills);
  for (const auto& [point, count] : model_.points) std::printf(" %s=%ld", point.c_str(), count);
  std::printf("; %ld acknowledged operations, %ld in flight, 0 lost, %ld debris repaired\n",
              model_.acked, model_.in_flight, model_.repaired);
}

TEST_F(CrashTest, RandomKillsOfConcurrentWritersLoseNothingAcknowledged) {
  const long rounds = testing::env_size("DISKCACHE_CRASH_KILLS", 450);
  std::mt19937_64 random(20240601);
  long victims_killed = 0;
  for (long round = 0; round < rounds; ++round) {
    const int victims = 1 + static_cast<int>(random() % 3);
    model_.writers = std::max(model_.writers, victims);
    std::vector<pid_t> pids;
    std::vector<std::filesystem::path> logs;
    for (int writer = 0; writer < victims; ++writer) {
      const std::string name = "r" + std::to_string(round) + "w" + std::to_string(writer);
      logs.push_back(log_path(name));
      const std::uint64_t seed = random();
      const bool random_points = random() % 2 == 0;
      pids.push_back(testing::spawn_child([&, writer, seed, random_points, name] {
        OpLog oplog(log_path(name));
        // Half the workers also die at a random kill point (1 in 200 hits).
        if (random_points) detail::TEST_arm_random_kill(200, seed, oplog.fd());
        run_worker(dirs_, writer, "r" + std::to_string(round) + "_", seed, 1L << 40, oplog);
        return 0;
      }));
    }
    std::vector<std::optional<int>> died;
    for (int writer = 0; writer < victims; ++writer) {
      died.push_back(wait_ready(logs[writer], pids[writer]));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + random() % 50));
    for (int writer = 0; writer < victims; ++writer) {
      if (!died[writer]) ::kill(pids[writer], SIGKILL);
    }
    for (int writer = 0; writer < victims; ++writer) {
      const int status = died[writer] ? *died[writer] : testing::wait_child(pids[writer]);
      ASSERT_EQ(status, 128 + SIGKILL) << "a worker failed instead of being killed";
      ++victims_killed;
    }
    verify(dirs_, model_, logs);
    if (::testing::Test::HasFailure()) return;
    model_.kills += 1;
  }
  std::printf(
      "[figures] random kills: %ld rounds, %ld processes killed (%ld at kill points); %ld "
      "acknowledged operations, %ld in flight, 0 lost, %ld queue items lost by a plain pop in "
      "flight, %ld debris repaired\n",
      model_.kills, victims_killed,
      [&] {
        long total = 0;
        for (const auto& entry : model_.points) total += entry.second;
        return total;
      }(),
      model_.acked, model_.in_flight, model_.lost_by_pop, model_.repaired);
}

// Starts tests/python/crash_writer.py: writer `writer` of the model, setting
// and deleting its own keys in `directory` and logging to `log` as a worker
// does, until it is killed.
pid_t spawn_python_writer(const std::filesystem::path& directory, const std::filesystem::path& log,
                          int writer, const std::string& run, std::uint64_t seed) {
  const std::string script = std::string(DISKCACHE_TEST_SOURCE_DIR) + "/python/crash_writer.py";
  std::vector<std::string> args = {
      DISKCACHE_TEST_PYTHON,  script, directory.string(),  log.string(),
      std::to_string(writer), run,    std::to_string(seed)};
  return testing::spawn_child([&] {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    return 127;  // not started
  });
}

// Python processes die too: each round a C++ worker and a Python writer (its
// own keys, small and file-sized values) run on the cache directory and are
// both killed. Python writes value files in place, without fsync, which a
// process crash does not expose; the model must hold as for C++ alone.
TEST_F(CrashTest, RandomKillsOfCppAndPythonWritersLoseNothingAcknowledged) {
  const long rounds = testing::env_size("DISKCACHE_CRASH_PYTHON_KILLS", 30);
  std::mt19937_64 random(20261204);
  model_.writers = 2;  // writer 0 is the C++ worker, writer 1 the Python one
  long python_acked = 0;
  for (long round = 0; round < rounds; ++round) {
    const std::string run = "m" + std::to_string(round) + "_";
    const std::vector<std::filesystem::path> logs = {log_path(run + "cpp"),
                                                     log_path(run + "python")};
    const std::uint64_t seed = random();
    const pid_t cpp = testing::spawn_child([&] {
      OpLog oplog(logs[0]);
      run_worker(dirs_, 0, run, seed, 1L << 40, oplog);
      return 0;
    });
    const std::vector<pid_t> pids = {cpp, spawn_python_writer(dirs_.cache, logs[1], 1, run, seed)};
    std::vector<std::optional<int>> died;
    for (std::size_t i = 0; i < pids.size(); ++i) died.push_back(wait_ready(logs[i], pids[i]));
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + random() % 50));
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (!died[i]) ::kill(pids[i], SIGKILL);
    }
    for (std::size_t i = 0; i < pids.size(); ++i) {
      const int status = died[i] ? *died[i] : testing::wait_child(pids[i]);
      ASSERT_EQ(status, 128 + SIGKILL)
          << (i == 0 ? "the C++" : "the Python") << " writer failed instead of being killed";
    }
    for (const auto& line : testing::read_log(logs[1])) python_acked += line[0] == "A";
    verify(dirs_, model_, logs);
    if (::testing::Test::HasFailure()) return;
    model_.kills += 1;
  }
  EXPECT_GT(python_acked, 0) << "the Python writer never finished an operation";
  std::printf(
      "[figures] C++ and Python kills: %ld rounds, %ld C++ and %ld Python processes killed; "
      "%ld acknowledged operations (%ld by Python), %ld in flight, 0 lost, %ld debris "
      "repaired\n",
      model_.kills, model_.kills, model_.kills, model_.acked, python_acked, model_.in_flight,
      model_.repaired);
}

}  // namespace
}  // namespace diskcache
