// Stress with a model: several processes run random operations on shared
// directories, and every result is checked against what the operations
// allow. Each process keeps an exact model of its own keys (a result must
// match it, except inside the moment an expiry falls due); keys, counters,
// add-once keys, a queue and an Index shared by every process are checked at
// the end: counters exact (the values incr returned are 1..N, each once),
// each add-once key won by exactly one process, every queue item delivered
// exactly once and in its producer's order, every shared read a whole value
// that some process wrote under that key, every setdefault race on the Index
// answered with one winner's value in every process. Each process's own
// Index keys (set, get, pop, erase, transactions, range queries) match an
// exact std::map model. Every call retries on a locked database, so a
// Timeout escaping is a failure.
//
// Loop sizes: DISKCACHE_STRESS_PROCESSES (default 4), DISKCACHE_STRESS_OPS
// (operations per process, default 25000; a quarter in sanitized builds).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <set>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/index.hpp"
#include "model_support.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;  // the clock expiry is measured on

constexpr int kOwnKeys = 50;
constexpr int kSharedKeys = 20;
constexpr int kSharedCounters = 4;
constexpr int kOnceKeys = 40;
constexpr int kOwnIndexKeys = 60;
constexpr int kClaimKeys = 20;

struct Dirs {
  std::filesystem::path cache;  // no eviction: the model is exact
  std::filesystem::path small;  // a small size limit: items get evicted
  std::filesystem::path queue;  // a Deque shared by every process
  std::filesystem::path index;  // an Index: own keys and shared claims
};

// What the model knows of one own key of the main cache.
struct Entry {
  std::string id;
  std::optional<Value> tag;
  // Expiring entries: the expiry fell due between these two times.
  std::optional<Clock::time_point> expires_from, expires_until;
};

// An own key's allowed state at a moment [start, end] of a call.
enum class State { Present, Absent, Either };

State state_of(const std::optional<Entry>& entry, Clock::time_point start, Clock::time_point end) {
  if (!entry) return State::Absent;
  if (!entry->expires_from) return State::Present;
  if (end < *entry->expires_from) return State::Present;
  if (start > *entry->expires_until) return State::Absent;
  return State::Either;
}

// Thrown by a worker whose result contradicts its model.
struct ModelViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Worker {
 public:
  Worker(const Dirs& dirs, int index, long ops, std::FILE* results)
      : cache_(dirs.cache, {.size_limit = std::int64_t{1} << 40}),
        small_(dirs.small, {.size_limit = 256 << 10}),
        queue_(dirs.queue),
        map_(dirs.index),
        index_(index),
        ops_(ops),
        results_(results),
        random_(0x5eed0000u + static_cast<unsigned>(index)) {}

  void run() {
    for (long op = 0; op < ops_; ++op) {
      const int choice = pick(1000);
      // Weights in per mille; each branch checks its result on the spot.
      if (choice < 200) {
        own_set();
      } else if (choice < 400) {
        own_get();
      } else if (choice < 440) {
        own_add();
      } else if (choice < 490) {
        own_erase();
      } else if (choice < 520) {
        own_pop();
      } else if (choice < 560) {
        own_incr();
      } else if (choice < 600) {
        own_swap_in_a_transaction();
      } else if (choice < 615) {
        own_evict();
      } else if (choice < 625) {
        expire();
      } else if (choice < 665) {
        own_queue();
      } else if (choice < 725) {
        shared_set_or_get();
      } else if (choice < 765) {
        shared_incr();
      } else if (choice < 775) {
        add_once();
      } else if (choice < 895) {
        deque_call();
      } else if (choice < 945) {
        small_cache();
      } else {
        index_call();
      }
    }
    finish_queue_checks();
    std::fprintf(results_, "ops %ld\n", ops_);
  }

 private:
  int pick(int n) { return static_cast<int>(random_() % static_cast<unsigned>(n)); }
  std::string next_id() { return "p" + std::to_string(index_) + "s" + std::to_string(++seq_); }
  std::string own_key(int i) const {
    return "p" + std::to_string(index_) + "k" + std::to_string(i);
  }
  [[noreturn]] void violation(const std::string& what) {
    throw ModelViolation("process " + std::to_string(index_) + ": " + what);
  }

  // Checks a read of own key `key` made between `start` and `end`.
  void expect_read(const std::string& key, const std::optional<Value>& value,
                   Clock::time_point start, Clock::time_point end) {
    const std::optional<Entry>& entry = own_[key];
    const State state = state_of(entry, start, end);
    if (!value) {
      if (state == State::Present) violation("get " + key + " missed " + entry->id);
      own_[key].reset();  // absent (an expired item may be culled at any time)
      return;
    }
    if (state == State::Absent) violation("get " + key + " found a deleted or expired item");
    const std::optional<std::string> id =
        testing::parse_payload(key, testing::payload_text(*value));
    if (id != entry->id) {
      violation("get " + key + " returned " + id.value_or("a torn value") + ", expected " +
                entry->id);
    }
  }

  void own_set() {
    const std::string key = own_key(pick(kOwnKeys));
    Entry entry{next_id(), std::nullopt, std::nullopt, std::nullopt};
    SetOptions options{.retry = true};
    const int kind = pick(10);
    if (kind < 2) {
      options.expire = std::chrono::milliseconds(5 + pick(40));
    } else if (kind < 5) {
      entry.tag = Value("p" + std::to_string(index_) + "t" + std::to_string(pick(4)));
      options.tag = entry.tag;
    }
    // One in 50 is file-sized (a value file, fsynced: slow on purpose rare).
    const std::size_t length = pick(50) == 0 ? 40000 : 100 + static_cast<std::size_t>(pick(400));
    const auto start = Clock::now();
    cache_.set(key, testing::make_payload(key, entry.id, length), options);
    const auto end = Clock::now();
    if (options.expire) {
      const auto expire = std::chrono::duration_cast<Clock::duration>(*options.expire);
      entry.expires_from = start + expire;
      entry.expires_until = end + expire;
    }
    own_[key] = entry;
  }

  void own_get() {
    const std::string key = own_key(pick(kOwnKeys));
    const auto start = Clock::now();
    std::optional<Value> value = cache_.get(key, {.retry = true});
    expect_read(key, value, start, Clock::now());
  }

  void own_add() {
    const std::string key = own_key(pick(kOwnKeys));
    const std::string id = next_id();
    const auto start = Clock::now();
    const bool added = cache_.add(key, testing::make_payload(key, id, 150), {.retry = true});
    const State state = state_of(own_[key], start, Clock::now());
    if (added && state == State::Present) violation("add " + key + " replaced a live item");
    if (!added && state == State::Absent) violation("add " + key + " refused an absent key");
    if (added) own_[key] = Entry{id, std::nullopt, std::nullopt, std::nullopt};
  }

  void own_erase() {
    const std::string key = own_key(pick(kOwnKeys));
    const auto start = Clock::now();
    const bool erased = cache_.erase(key, /*retry=*/true);
    const State state = state_of(own_[key], start, Clock::now());
    if (erased && state == State::Absent) violation("erase " + key + " removed a ghost");
    if (!erased && state == State::Present) violation("erase " + key + " missed a live item");
    own_[key].reset();
  }

  void own_pop() {
    const std::string key = own_key(pick(kOwnKeys));
    const auto start = Clock::now();
    std::optional<Value> value = cache_.pop(key, /*retry=*/true);
    expect_read(key, value, start, Clock::now());
    own_[key].reset();
  }

  void own_incr() {
    const std::string key = "p" + std::to_string(index_) + "n" + std::to_string(pick(4));
    const std::int64_t delta = 1 + pick(5);
    const std::int64_t result = cache_.incr(key, delta, 0, /*retry=*/true);
    std::int64_t& expected = counters_[key];
    if (result != expected + delta) {
      violation("incr " + key + " gave " + std::to_string(result) + ", expected " +
                std::to_string(expected + delta));
    }
    expected = result;
  }

  // A read-modify-write of two own keys in one transaction: reads both,
  // then rewrites both with fresh ids.
  void own_swap_in_a_transaction() {
    const std::string a = own_key(pick(kOwnKeys));
    const std::string b = own_key(pick(kOwnKeys));
    if (a == b) return;
    const std::string id_a = next_id();
    const std::string id_b = next_id();
    {
      auto transaction = cache_.transact(/*retry=*/true);
      // Inside the transaction nothing else writes: a plain rewrite of both
      // keys with fresh ids, reading each first.
      const auto start = Clock::now();
      expect_read(a, cache_.get(a, {.retry = true}), start, Clock::now());
      expect_read(b, cache_.get(b, {.retry = true}), start, Clock::now());
      cache_.set(a, testing::make_payload(a, id_a, 120), {.retry = true});
      cache_.set(b, testing::make_payload(b, id_b, 120), {.retry = true});
    }
    own_[a] = Entry{id_a, std::nullopt, std::nullopt, std::nullopt};
    own_[b] = Entry{id_b, std::nullopt, std::nullopt, std::nullopt};
  }

  void own_evict() {
    const Value tag("p" + std::to_string(index_) + "t" + std::to_string(pick(4)));
    const std::int64_t removed = cache_.evict(tag, /*retry=*/true);
    std::int64_t expected = 0;
    for (auto& [key, entry] : own_) {
      if (entry && entry->tag == tag) {
        ++expected;
        entry.reset();
      }
    }
    if (removed != expected) {
      violation("evict " + tag.as<std::string>() + " removed " + std::to_string(removed) +
                ", expected " + std::to_string(expected));
    }
  }

  void expire() {
    cache_.expire(/*retry=*/true);
    small_.cull(/*retry=*/true);
  }

  // Cache::push/pull on this process's own prefix: exact FIFO.
  void own_queue() {
    if (pick(2) == 0) {
      own_push();
    } else {
      own_pull();
    }
  }

  void own_push() {
    const std::string prefix = "p" + std::to_string(index_) + "q";
    const std::string id = next_id();
    cache_.push(testing::make_payload(prefix, id, 100), prefix, Side::Back, {.retry = true});
    own_queue_.push_back(id);
  }

  void own_pull() {
    const std::string prefix = "p" + std::to_string(index_) + "q";
    std::optional<std::pair<std::string, Value>> item = cache_.pull(prefix, Side::Front, true);
    if (own_queue_.empty()) {
      if (item) violation("pull of an empty own queue returned an item");
      return;
    }
    if (!item) violation("pull of own queue missed " + own_queue_.front());
    const std::optional<std::string> id =
        testing::parse_payload(prefix, testing::payload_text(item->second));
    if (id != own_queue_.front()) {
      violation("pull returned " + id.value_or("a torn value") + ", expected " +
                own_queue_.front());
    }
    own_queue_.pop_front();
  }

  void shared_set_or_get() {
    const std::string key = "shared-k" + std::to_string(pick(kSharedKeys));
    if (pick(2) == 0) {
      const std::string id = next_id();
      const std::size_t length = pick(40) == 0 ? 40000 : 300;
      cache_.set(key, testing::make_payload(key, id, length), {.retry = true});
      std::fprintf(results_, "wrote %s %s\n", key.c_str(), id.c_str());
      return;
    }
    if (std::optional<Value> value = cache_.get(key, {.retry = true})) {
      const std::optional<std::string> id =
          testing::parse_payload(key, testing::payload_text(*value));
      if (!id) violation("get " + key + " returned a torn or foreign value");
      std::fprintf(results_, "read %s %s\n", key.c_str(), id->c_str());
    }
  }

  void shared_incr() {
    const std::string key = "shared-n" + std::to_string(pick(kSharedCounters));
    if (pick(4) == 0) {
      // Inside a transaction with another write: both commit together.
      auto transaction = cache_.transact(/*retry=*/true);
      const std::int64_t result = cache_.incr(key, 1, 0, true);
      cache_.set("p" + std::to_string(index_) + "last", result, {.retry = true});
      std::fprintf(results_, "incr %s %lld\n", key.c_str(), static_cast<long long>(result));
      return;
    }
    const std::int64_t result = cache_.incr(key, 1, 0, /*retry=*/true);
    std::fprintf(results_, "incr %s %lld\n", key.c_str(), static_cast<long long>(result));
  }

  void add_once() {
    if (next_once_ >= kOnceKeys) return;
    const std::string key = "once-" + std::to_string(next_once_++);
    const bool won = cache_.add(key, Value(index_), {.retry = true});
    std::fprintf(results_, "once %s %d\n", key.c_str(), won ? 1 : 0);
  }

  // The shared Deque: push, pop, pop with a wait, lease and ack.
  void deque_call() {
    const int kind = pick(10);
    if (kind < 5) {
      const std::string id = next_id();
      queue_.push_back(testing::make_payload("q", id, pick(30) == 0 ? 40000 : 100));
      std::fprintf(results_, "pushed %s\n", id.c_str());
      return;
    }
    std::optional<std::string> item;
    if (kind < 7) {
      item = queue_.pop_front();
    } else if (kind < 8) {
      item = queue_.pop_front_wait(2ms);
    } else {
      // A visibility long enough never to run out here, so order holds.
      if (std::optional<Lease<std::string>> lease = queue_.lease_front(60s)) {
        item = **lease;
        if (!lease->ack()) violation("ack of a live lease failed");
      }
    }
    if (!item) return;
    const std::optional<std::string> id = testing::parse_payload("q", *item);
    if (!id) violation("the deque returned a torn item");
    std::fprintf(results_, "popped %s\n", id->c_str());
    // Each producer's items arrive in the order it pushed them.
    const std::size_t s = id->find('s');
    const std::string producer = id->substr(0, s);
    const long number = std::stol(id->substr(s + 1));
    long& last = last_seen_[producer];
    if (number <= last) violation("deque item " + *id + " arrived out of its producer's order");
    last = number;
  }

  // A small cache that evicts: a read returns the last value this process
  // wrote under the key, or nothing; never an older one.
  void small_cache() {
    const std::string key = "p" + std::to_string(index_) + "x" + std::to_string(pick(kOwnKeys));
    const int kind = pick(10);
    std::optional<std::string>& last = small_last_[key];
    if (kind < 5) {
      last = next_id();
      small_.set(key,
                 testing::make_payload(key, *last, 2000 + static_cast<std::size_t>(pick(6000))),
                 {.retry = true});
    } else if (kind < 9) {
      if (std::optional<Value> value = small_.get(key, {.retry = true})) {
        const std::optional<std::string> id =
            testing::parse_payload(key, testing::payload_text(*value));
        if (!last || id != *last) {
          violation("small cache " + key + " returned " + id.value_or("a torn value") +
                    ", not the last write " + last.value_or("(erased)"));
        }
      }
    } else {
      small_.erase(key, /*retry=*/true);
      last.reset();
    }
  }

  // The Index: this process's own keys against an exact std::map (an Index
  // never evicts or expires), and setdefault races on keys every process
  // claims.
  void index_call() {
    const std::string key =
        "p" + std::to_string(index_) + "i" + std::to_string(1000 + pick(kOwnIndexKeys));
    const int kind = pick(20);
    if (kind < 8) {
      const std::string id = next_id();
      map_.set(key, testing::make_payload(key, id, pick(60) == 0 ? 40000 : 120));
      own_index_[key] = id;
    } else if (kind < 13) {
      expect_index_read(key, map_.get(key), "get");
    } else if (kind < 15) {
      expect_index_read(key, map_.pop(key), "pop");
      own_index_.erase(key);
    } else if (kind < 16) {
      const bool erased = map_.erase(key);
      if (erased != own_index_.contains(key)) {
        violation("index erase " + key + (erased ? " removed a ghost" : " missed a live item"));
      }
      own_index_.erase(key);
    } else if (kind < 17) {
      own_index_range();
    } else if (kind < 18) {
      // An erase and two sets, committed together.
      const std::string other =
          "p" + std::to_string(index_) + "i" + std::to_string(1000 + pick(kOwnIndexKeys));
      const std::string id = next_id();
      {
        auto transaction = map_.transact();
        map_.erase(other);
        map_.set(key, testing::make_payload(key, id, 120));
        map_.set(other + "t", testing::make_payload(other + "t", id, 120));
      }
      own_index_.erase(other);
      own_index_[key] = id;
      own_index_[other + "t"] = id;
    } else if (kind < 19) {
      const std::string claim = "claim-" + std::to_string(pick(kClaimKeys));
      const std::string id = next_id();
      const std::optional<std::string> winner = testing::parse_payload(
          claim, map_.setdefault(claim, testing::make_payload(claim, id, 80)));
      if (!winner) violation("setdefault " + claim + " returned a torn value");
      std::fprintf(results_, "claim %s %s %s\n", claim.c_str(), winner->c_str(), id.c_str());
    } else if (map_.contains(key) != own_index_.contains(key)) {
      violation("index contains " + key + " disagrees with the model");
    }
  }

  void expect_index_read(const std::string& key, const std::optional<std::string>& value,
                         const char* call) {
    const auto expected = own_index_.find(key);
    if (!value) {
      if (expected != own_index_.end()) {
        violation(std::string("index ") + call + " " + key + " missed " + expected->second);
      }
      return;
    }
    if (expected == own_index_.end()) {
      violation(std::string("index ") + call + " " + key + " found a deleted item");
    }
    if (testing::parse_payload(key, *value) != expected->second) {
      violation(std::string("index ") + call + " " + key + " returned another value");
    }
  }

  // range() over this process's key prefix returns exactly the model's
  // keys, in std::map order, with their values.
  void own_index_range() {
    const std::string prefix = "p" + std::to_string(index_) + "i";
    auto expected = own_index_.begin();
    for (const auto& [key, value] : map_.range(prefix, prefix + "\x7f")) {
      if (expected == own_index_.end() || key != expected->first) {
        violation("index range met " + key + ", expected " +
                  (expected == own_index_.end() ? "the end" : expected->first));
      }
      if (testing::parse_payload(key, value) != expected->second) {
        violation("index range " + key + " returned another value");
      }
      ++expected;
    }
    if (expected != own_index_.end()) violation("index range missed " + expected->first);
  }

  void finish_queue_checks() {
    // The own prefix queue must hold exactly what the model says. (Drained
    // by pulls only: own_queue()'s coin would make it a random walk.)
    const std::string prefix = "p" + std::to_string(index_) + "q";
    while (!own_queue_.empty()) own_pull();
    if (cache_.pull(prefix, Side::Front, true)) violation("own queue has an unexpected item");
  }

  Cache<std::string, Value> cache_;
  Cache<std::string, Value> small_;
  Deque<std::string> queue_;
  Index<std::string, std::string> map_;
  const int index_;
  const long ops_;
  std::FILE* results_;
  std::mt19937_64 random_;
  long seq_ = 0;
  int next_once_ = 0;
  std::map<std::string, std::optional<Entry>> own_;
  std::map<std::string, std::int64_t> counters_;
  std::deque<std::string> own_queue_;
  std::map<std::string, long> last_seen_;
  std::map<std::string, std::optional<std::string>> small_last_;
  std::map<std::string, std::string> own_index_;
};

TEST(StressTest, RandomOperationsFromManyProcessesMatchTheModel) {
  const int processes =
      static_cast<int>(testing::env_size("DISKCACHE_STRESS_PROCESSES", 4, /*scaled=*/false));
  const long ops = testing::env_size("DISKCACHE_STRESS_OPS", 25000);
  testing::TempDir root;
  const Dirs dirs{root / "cache", root / "small", root / "queue", root / "index"};
  { Cache<> cache(dirs.cache); }
  { Cache<> cache(dirs.small); }
  { Deque<std::string> queue(dirs.queue); }
  { Index<std::string, std::string> index(dirs.index); }

  const auto start = std::chrono::steady_clock::now();
  // A worker's exception (a Timeout that escaped retry = true, a model
  // violation) is printed by spawn_child and fails its exit status.
  const std::vector<int> statuses = testing::run_children(processes, [&](int index) {
    std::FILE* results = std::fopen((root / ("p" + std::to_string(index))).c_str(), "w");
    Worker(dirs, index, ops, results).run();
    std::fclose(results);
    return 0;
  });
  for (int status : statuses) EXPECT_EQ(status, 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (HasFailure()) return;

  std::map<std::string, std::vector<std::int64_t>> increments;
  std::map<std::string, int> once_winners;
  std::map<std::string, std::set<std::string>> written;
  std::vector<std::pair<std::string, std::string>> reads;
  std::multiset<std::string> pushed;
  std::multiset<std::string> delivered;
  std::map<std::string, std::set<std::string>> claim_winners;
  std::map<std::string, std::set<std::string>> claim_offers;
  long claims = 0;
  long total_ops = 0;
  for (int index = 0; index < processes; ++index) {
    for (const auto& line : testing::read_log(root / ("p" + std::to_string(index)))) {
      if (line[0] == "incr") increments[line[1]].push_back(std::stoll(line[2]));
      if (line[0] == "once") once_winners[line[1]] += std::stoi(line[2]);
      if (line[0] == "wrote") written[line[1]].insert(line[2]);
      if (line[0] == "read") reads.emplace_back(line[1], line[2]);
      if (line[0] == "pushed") pushed.insert(line[1]);
      if (line[0] == "popped") delivered.insert(line[1]);
      if (line[0] == "ops") total_ops += std::stol(line[1]);
      if (line[0] == "claim") {
        claim_winners[line[1]].insert(line[2]);
        claim_offers[line[1]].insert(line[3]);
        ++claims;
      }
    }
  }
  EXPECT_EQ(total_ops, ops * processes);

  Cache<std::string, Value> cache(dirs.cache);
  for (auto& [key, results] : increments) {
    std::sort(results.begin(), results.end());
    for (std::size_t i = 0; i < results.size(); ++i) {
      ASSERT_EQ(results[i], static_cast<std::int64_t>(i + 1)) << key << ": incr not atomic";
    }
    EXPECT_EQ(cache.at(key).as<std::int64_t>(), static_cast<std::int64_t>(results.size()));
  }
  for (const auto& [key, winners] : once_winners) {
    EXPECT_EQ(winners, 1) << key << " was added by " << winners << " processes";
  }
  for (const auto& [key, id] : reads) {
    EXPECT_TRUE(written[key].count(id)) << key << " read " << id << ", which nobody wrote";
  }

  Deque<std::string> queue(dirs.queue);
  while (std::optional<std::string> item = queue.pop_front()) {
    const std::optional<std::string> id = testing::parse_payload("q", *item);
    ASSERT_TRUE(id) << "the deque holds a torn item";
    delivered.insert(*id);
  }
  for (const std::string& id : delivered) {
    EXPECT_EQ(delivered.count(id), 1u) << "queue item " << id << " delivered twice";
  }
  EXPECT_EQ(delivered, pushed) << "queue items lost or invented";

  Index<std::string, std::string> index(dirs.index);
  for (const auto& [claim, winners] : claim_winners) {
    ASSERT_EQ(winners.size(), 1u) << claim << ": setdefault gave different winners";
    EXPECT_TRUE(claim_offers[claim].count(*winners.begin()))
        << claim << ": the winner " << *winners.begin() << " was never offered";
    EXPECT_EQ(testing::parse_payload(claim, index.at(claim)), *winners.begin());
  }

  for (const auto& dir : {dirs.cache, dirs.small, dirs.queue, dirs.index}) {
    EXPECT_EQ(testing::integrity_check(dir), "ok");
    const std::vector<std::string> problems = Cache<>(dir).check();
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
  std::printf(
      "[figures] stress: %d processes x %ld operations = %ld operations in %.1f s; %zu shared "
      "increments exact, %zu queue items delivered exactly once, %zu add-once keys won once, "
      "%ld Index setdefault races with one winner each, 0 model violations, 0 timeouts\n",
      processes, ops, total_ops, seconds,
      [&] {
        std::size_t count = 0;
        for (const auto& entry : increments) count += entry.second.size();
        return count;
      }(),
      pushed.size(), once_winners.size(), claims);
}

}  // namespace
}  // namespace diskcache
