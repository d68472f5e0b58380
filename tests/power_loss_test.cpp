// Simulated power loss: checks the "What survives what" table of
// docs/reliability.md instead of arguing it. A child process runs a fixed
// script on a Cache and a Deque and logs an acknowledgement after each
// operation returns. Every sync is recorded and skipped instead of done:
// the VFS shim (tests/vfs_shim.hpp) journals the old bytes of cache.db and
// cache.db-wal before each write, and a FileOps journals what happens to
// value files (creations, data, renames, unlinks, whose files it keeps in a
// stash). At the Nth sync the child kills itself with SIGKILL, before the
// sync. The parent then cuts the power: it keeps what was synced and drops
// (or keeps, or keeps a random part of) the rest, deletes cache.db-shm, and
// checks: integrity ok; the state equals the script's model after a prefix
// of it; with FULL that prefix holds every acknowledged operation; no value
// is partial; check(fix) leaves a second check() clean. With NORMAL a row
// may name a value file that is gone: its commit survived, the commit that
// replaced or removed it was lost, but that commit's unlink reached the
// disk. Reading it throws CorruptionError; check(fix) removes the row. The
// test counts these and requires each to follow a lost commit.
//
// Loop sizes: DISKCACHE_POWER_LOSS_OPS (operations in the script, default
// 100; a quarter in sanitized builds); every sync point of the script is a
// crash, each cut three ways.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "file_ops.hpp"
#include "model_support.hpp"
#include "power_cut.hpp"
#include "sqlite_engine.hpp"
#include "test_support.hpp"
#include "vfs_shim.hpp"

namespace diskcache {
namespace {

namespace fs = std::filesystem;
using namespace power_loss;

constexpr int kKeys = 8;
constexpr std::size_t kSmall = 100;
constexpr std::size_t kFileSized = 40000;  // above Settings::disk_min_file_size: a value file
const std::string kCounter = "n";

Settings settings_for(int synchronous) {
  return {.size_limit = std::int64_t{1} << 40, .sqlite_synchronous = synchronous};
}

// --- The script and its model.

// Reopen: close both containers (the last connection checkpoints cache.db)
// and open them again, as a program that exits and starts again.
enum class Kind { Set, Erase, Incr, Transaction, Push, Pop, Reopen };

struct Op {
  Kind kind;
  std::vector<std::string> keys;     // Set, Erase: one; Transaction: several
  std::vector<std::size_t> lengths;  // of each value written (Set, Transaction, Push)
};

bool touches_queue(const Op& op) { return op.kind == Kind::Push || op.kind == Kind::Pop; }

// The id inside the payload that operation `index` writes as its `part`th value.
std::string id_of(std::size_t index, std::size_t part) {
  return "o" + std::to_string(index) + "." + std::to_string(part);
}

std::vector<Op> make_script(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  auto key = [&] { return "k" + std::to_string(pick(kKeys)); };
  auto length = [&] { return pick(3) == 0 ? kFileSized : kSmall; };
  std::vector<Op> script;
  while (script.size() < count) {
    const int choice = pick(100);
    if (choice < 3) {
      script.push_back({Kind::Reopen, {}, {}});
    } else if (choice < 35) {
      script.push_back({Kind::Set, {key()}, {length()}});
    } else if (choice < 45) {
      script.push_back({Kind::Erase, {key()}, {}});
    } else if (choice < 55) {
      script.push_back({Kind::Incr, {}, {}});
    } else if (choice < 65) {
      Op op{Kind::Transaction, {}, {}};
      for (int i = 0, n = 2 + pick(3); i < n; ++i) {
        const std::string chosen = key();
        if (std::find(op.keys.begin(), op.keys.end(), chosen) != op.keys.end()) continue;
        op.keys.push_back(chosen);
        op.lengths.push_back(length());
      }
      script.push_back(op);
    } else if (choice < 85) {
      script.push_back({Kind::Push, {}, {length()}});
    } else {
      script.push_back({Kind::Pop, {}, {}});
    }
  }
  return script;
}

// What the directories hold: key -> payload id (or the counter's value),
// and the queue's payload ids, front first.
struct State {
  std::map<std::string, std::string> cache;
  std::vector<std::string> queue;
  bool operator==(const State&) const = default;
};

void apply(State& state, const Op& op, std::size_t index) {
  switch (op.kind) {
    case Kind::Set:
    case Kind::Transaction:
      for (std::size_t i = 0; i < op.keys.size(); ++i) state.cache[op.keys[i]] = id_of(index, i);
      break;
    case Kind::Erase: state.cache.erase(op.keys[0]); break;
    case Kind::Incr: {
      auto found = state.cache.find(kCounter);
      const long value = found == state.cache.end() ? 0 : std::stol(found->second);
      state.cache[kCounter] = std::to_string(value + 1);
      break;
    }
    case Kind::Push: state.queue.push_back(id_of(index, 0)); break;
    case Kind::Pop:
      if (!state.queue.empty()) state.queue.erase(state.queue.begin());
      break;
    case Kind::Reopen: break;
  }
}

// The child's containers, opened on the root with the Recorder's FileOps.
struct Containers {
  Containers(const fs::path& root, int synchronous, detail::FileOps& ops)
      : root_(root), synchronous_(synchronous), ops_(ops) {
    open();
  }
  void open() {
    cache.emplace(root_ / "cache", settings_for(synchronous_));
    queue.emplace(root_ / "queue", std::nullopt, settings_for(synchronous_));
    detail::SqliteEngine::TEST_of(cache->store()).TEST_set_file_ops(ops_);
    detail::SqliteEngine::TEST_of(queue->store()).TEST_set_file_ops(ops_);
  }

  std::optional<Cache<std::string, std::string>> cache;
  std::optional<Deque<std::string>> queue;

 private:
  fs::path root_;
  int synchronous_;
  detail::FileOps& ops_;
};

void run(const Op& op, std::size_t index, Containers& containers) {
  auto& cache = *containers.cache;
  auto& queue = *containers.queue;
  switch (op.kind) {
    case Kind::Set:
      cache.set(op.keys[0], testing::make_payload(op.keys[0], id_of(index, 0), op.lengths[0]));
      break;
    case Kind::Erase: cache.erase(op.keys[0]); break;
    case Kind::Incr: cache.incr(kCounter); break;
    case Kind::Transaction: {
      auto transaction = cache.transact();
      for (std::size_t i = 0; i < op.keys.size(); ++i) {
        cache.set(op.keys[i], testing::make_payload(op.keys[i], id_of(index, i), op.lengths[i]));
      }
      break;
    }
    case Kind::Push:
      queue.push_back(testing::make_payload("q", id_of(index, 0), op.lengths[0]));
      break;
    case Kind::Pop: queue.pop_front(); break;
    case Kind::Reopen:
      containers.cache.reset();
      containers.queue.reset();
      containers.open();
      break;
  }
}

// --- Checks after the cut.

struct Figures {
  long crashes = 0;             // child processes killed at a sync point (or finished)
  long cuts = 0;                // crashes x damage variants checked
  long acked_lost = 0;          // acknowledged operations rolled back, in all
  long max_acked_lost = 0;      // ... in one cut
  long cuts_losing = 0;         // cuts that rolled back an acknowledged operation
  long missing_file_rows = 0;   // rows naming a file a lost commit's cleanup removed
  long missing_after_drop = 0;  // ... of them after dropping everything unsynced
  long debris = 0;              // orphan files and empty directories check(fix) removed
  long checkpoints = 0;         // syncs of a cache.db in the whole script
};

// What a directory holds after the cut; nullopt for a value whose row
// names a missing file (CorruptionError).
struct Seen {
  std::map<std::string, std::optional<std::string>> cache;
  std::vector<std::optional<std::string>> queue;
};

Seen look(Cache<std::string, Value>& cache, Deque<std::string>& queue) {
  Seen seen;
  for (const std::string& key : testing::collect(cache.keys())) {
    try {
      std::optional<Value> value = cache.get(key);
      if (!value) continue;
      if (key == kCounter) {
        seen.cache[key] = std::to_string(value->as<std::int64_t>());
        continue;
      }
      std::optional<std::string> id = testing::parse_payload(key, testing::payload_text(*value));
      EXPECT_TRUE(id) << "partial or foreign value under " << key;
      seen.cache[key] = id.value_or("partial");
    } catch (const CorruptionError&) {
      seen.cache[key] = std::nullopt;
    }
  }
  for (std::int64_t i = 0, size = queue.size(); i < size; ++i) {
    try {
      std::optional<std::string> id = testing::parse_payload("q", queue.at(i));
      EXPECT_TRUE(id) << "partial or foreign queue item at " << i;
      seen.queue.push_back(id.value_or("partial"));
    } catch (const CorruptionError&) {
      seen.queue.push_back(std::nullopt);
    }
  }
  return seen;
}

// Whether `seen` is the model's state, a value whose file is missing
// standing for a file-sized value of the model's.
bool cache_matches(const Seen& seen, const State& model, const std::set<std::string>& file_ids) {
  if (seen.cache.size() != model.cache.size()) return false;
  for (const auto& [key, id] : seen.cache) {
    auto expected = model.cache.find(key);
    if (expected == model.cache.end()) return false;
    if (id ? *id != expected->second : file_ids.count(expected->second) == 0) return false;
  }
  return true;
}
bool queue_matches(const Seen& seen, const State& model, const std::set<std::string>& file_ids) {
  if (seen.queue.size() != model.queue.size()) return false;
  for (std::size_t i = 0; i < seen.queue.size(); ++i) {
    const auto& id = seen.queue[i];
    if (id ? *id != model.queue[i] : file_ids.count(model.queue[i]) == 0) return false;
  }
  return true;
}

std::string describe(const Seen& seen, const State& model) {
  std::string text = "found:";
  for (const auto& [key, id] : seen.cache) text += " " + key + "=" + id.value_or("(missing file)");
  text += " queue:";
  for (const auto& id : seen.queue) text += " " + id.value_or("(missing file)");
  text += "\nmodel:";
  for (const auto& [key, id] : model.cache) text += " " + key + "=" + id;
  text += " queue:";
  for (const auto& id : model.queue) text += " " + id;
  return text;
}

// The parent's own writes (setting up, checking) need no durability.
class SkipSyncs : public testing::VfsHooks {
 public:
  std::optional<int> before_sync(testing::ShimFile&, int) override { return SQLITE_OK; }
};

class PowerLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = make_script(
        static_cast<std::size_t>(testing::env_size("DISKCACHE_POWER_LOSS_OPS", 100)), 20240917);
    states_.resize(script_.size() + 1);
    for (std::size_t i = 0; i < script_.size(); ++i) {
      states_[i + 1] = states_[i];
      apply(states_[i + 1], script_[i], i);
      for (std::size_t part = 0; part < script_[i].lengths.size(); ++part) {
        if (script_[i].lengths[part] >= kFileSized) file_ids_.insert(id_of(i, part));
      }
    }
  }

  // Runs the script in a child killed at its `kill_at`th sync (0: never),
  // then checks every damage variant of the cut. Returns the number of
  // syncs the child made (the finished child says so).
  long crash(int synchronous, long kill_at, Figures& figures);
  void check_cut(const fs::path& root, int synchronous, long acked, const std::string& where,
                 Figures& figures);
  void sweep(int synchronous);

  std::vector<Op> script_;
  std::vector<State> states_;  // states_[j]: after the first j operations
  std::set<std::string> file_ids_;
  SkipSyncs skip_syncs_;
  testing::ScopedVfsShim shim_{skip_syncs_};  // the child installs its Recorder instead
};

long PowerLossTest::crash(int synchronous, long kill_at, Figures& figures) {
  testing::TempDir temp;
  const fs::path root = fs::canonical(temp.path());
  {
    Cache<> cache(root / "cache", settings_for(synchronous));
    Deque<std::string> queue(root / "queue", {}, settings_for(synchronous));
  }
  fs::create_directory(root / "stash");
  const pid_t pid = testing::spawn_child([&] {
    Recorder recorder(root, kill_at);
    testing::ScopedVfsShim shim(recorder);
    testing::OpLog log(root / "acks");
    Containers containers(root, synchronous, recorder);
    for (std::size_t i = 0; i < script_.size(); ++i) {
      run(script_[i], i, containers);
      log.ack(std::to_string(i));
    }
    log.line("syncs " + std::to_string(recorder.syncs()));
    // No destructor runs: the crash window is the script, not the close.
    std::fflush(nullptr);
    ::_exit(0);
    return 0;
  });
  const int status = testing::wait_child(pid);
  long acked = 0;
  long syncs = 0;
  for (const auto& line : testing::read_log(root / "acks")) {
    if (line[0] == "A") ++acked;
    if (line[0] == "syncs") syncs = std::stol(line[1]);
  }
  // Value files get random names, so a run may create one directory fewer
  // (one sync fewer) than the dry run: then it finishes, a cut after the end.
  if (status == 0) {
    if (kill_at != 0) {
      EXPECT_LT(syncs, kill_at) << "sync " << kill_at << " was missed";
    }
  } else {
    EXPECT_EQ(status, 128 + SIGKILL) << "the script failed";
  }
  if (::testing::Test::HasFailure()) return syncs;
  ++figures.crashes;

  const std::vector<Record> journal = read_journal(root / "journal");
  if (kill_at == 0) {
    for (const Record& record : journal) {
      figures.checkpoints += record.type == 'S' && record.path.ends_with("cache.db");
    }
  }
  // The last variant changes nothing but cache.db-shm: it needs no copy.
  for (Damage damage : {Damage::DropUnsynced, Damage::RandomSubset, Damage::KeepAll}) {
    std::optional<testing::TempDir> copy_temp;
    fs::path copy = root;
    if (damage != Damage::KeepAll) {
      copy = fs::canonical(copy_temp.emplace().path());
      copy_tree(root, copy);
    }
    power_cut(copy, journal, damage, static_cast<std::uint64_t>(kill_at) * 3 + synchronous);
    const std::string where = "synchronous " + std::to_string(synchronous) + ", killed at sync " +
                              std::to_string(kill_at) + " after " + std::to_string(acked) +
                              " acknowledged operations, " + name_of(damage);
    const long missing_before = figures.missing_file_rows;
    check_cut(copy, synchronous, acked, where, figures);
    if (damage == Damage::DropUnsynced) {
      figures.missing_after_drop += figures.missing_file_rows - missing_before;
    }
    if (::testing::Test::HasFailure()) break;
  }
  return syncs;
}

void PowerLossTest::check_cut(const fs::path& root, int synchronous, long acked,
                              const std::string& where, Figures& figures) {
  ++figures.cuts;
  for (const char* dir : {"cache", "queue"}) {
    ASSERT_EQ(testing::integrity_check(root / dir), "ok") << dir << ": " << where;
  }
  // Aged, as if checked long after the cut: check(fix) removes orphans
  // only once they are older than the timeout.
  for (const char* dir : {"cache", "queue"}) testing::age_files(root / dir);
  Cache<std::string, Value> cache(root / "cache", settings_for(synchronous));
  Deque<std::string> queue(root / "queue", std::nullopt, settings_for(synchronous));
  const Seen seen = look(cache, queue);
  if (::testing::Test::HasFailure()) {
    ADD_FAILURE() << where;
    return;
  }
  // The longest prefix of the script each directory holds: up to every
  // acknowledged operation and the one in flight.
  const long last = std::min<long>(acked + 1, static_cast<long>(script_.size()));
  long cache_prefix = -1;
  long queue_prefix = -1;
  for (long j = last; j >= 0 && (cache_prefix < 0 || queue_prefix < 0); --j) {
    if (cache_prefix < 0 && cache_matches(seen, states_[j], file_ids_)) cache_prefix = j;
    if (queue_prefix < 0 && queue_matches(seen, states_[j], file_ids_)) queue_prefix = j;
  }
  ASSERT_GE(cache_prefix, 0) << "the cache holds no prefix of the script (" << where << ")\n"
                             << describe(seen, states_[acked]);
  ASSERT_GE(queue_prefix, 0) << "the queue holds no prefix of the script (" << where << ")\n"
                             << describe(seen, states_[acked]);

  long lost = 0;
  for (long i = 0; i < acked; ++i) {
    lost += i >= (touches_queue(script_[i]) ? queue_prefix : cache_prefix);
  }
  long missing = 0;
  for (const auto& [key, id] : seen.cache) missing += !id;
  for (const auto& id : seen.queue) missing += !id;
  if (synchronous == 2) {
    EXPECT_EQ(lost, 0) << "FULL lost acknowledged operations (" << where << ")\n"
                       << describe(seen, states_[acked]);
    EXPECT_EQ(missing, 0) << "FULL left a row naming a missing file (" << where << ")";
  }
  // A missing file is allowed only as the trace of a lost commit: an
  // operation the cut rolled back replaced or removed that very value, and
  // its cleanup (the unlink after the commit) survived.
  auto rolled_back = [&](long from, auto&& touches) {
    for (long i = from; i < last; ++i) {
      if (touches(script_[static_cast<std::size_t>(i)])) return true;
    }
    return false;
  };
  for (const auto& [key, id] : seen.cache) {
    if (id) continue;
    EXPECT_TRUE(rolled_back(cache_prefix,
                            [&](const Op& op) {
                              return std::find(op.keys.begin(), op.keys.end(), key) !=
                                     op.keys.end();
                            }))
        << key << " names a missing file that no lost operation replaced (" << where << ")";
  }
  const bool queue_missing =
      std::any_of(seen.queue.begin(), seen.queue.end(), [](const auto& id) { return !id; });
  if (queue_missing) {
    EXPECT_TRUE(rolled_back(queue_prefix, [](const Op& op) { return op.kind == Kind::Pop; }))
        << "a queue item names a missing file that no lost pop removed (" << where << ")";
  }
  figures.acked_lost += lost;
  figures.max_acked_lost = std::max(figures.max_acked_lost, lost);
  figures.cuts_losing += lost > 0;
  figures.missing_file_rows += missing;

  long not_found = 0;
  for (Store* store : {&cache.store(), &queue.store()}) {
    for (const std::string& problem : store->check(/*fix=*/true)) {
      if (problem.rfind("unknown file", 0) == 0 || problem.rfind("empty directory", 0) == 0) {
        ++figures.debris;
      } else if (problem.rfind("file not found", 0) == 0) {
        ++not_found;
      } else {
        ADD_FAILURE() << "check found damage a power cut must not cause: " << problem << " ("
                      << where << ")";
      }
    }
    const std::vector<std::string> after = store->check();
    EXPECT_TRUE(after.empty()) << after.front() << " (" << where << ")";
  }
  EXPECT_EQ(not_found, missing) << "check(fix) and reads disagree on missing files (" << where
                                << ")";
}

void PowerLossTest::sweep(int synchronous) {
  Figures figures;
  const long syncs = crash(synchronous, 0, figures);  // the dry run: a cut after the end
  ASSERT_GT(syncs, 0);
  for (long n = 1; n <= syncs && !::testing::Test::HasFailure(); ++n) {
    crash(synchronous, n, figures);
  }
  std::printf(
      "[figures] power loss, synchronous %d (%s): %zu-operation script, %ld sync points, %ld "
      "checkpoints; %ld crashes x 3 variants = %ld cuts; acknowledged operations rolled back: "
      "%ld in all, at most %ld in one cut, in %ld cuts; rows naming a file removed by a lost "
      "commit: %ld (%ld after dropping all unsynced), all removed by check(fix); %ld crash "
      "debris removed\n",
      synchronous, synchronous == 2 ? "FULL" : "NORMAL", script_.size(), syncs, figures.checkpoints,
      figures.crashes, figures.cuts, figures.acked_lost, figures.max_acked_lost,
      figures.cuts_losing, figures.missing_file_rows, figures.missing_after_drop, figures.debris);
  // A cut that rolls nothing back under NORMAL would mean the cut itself
  // did nothing (the journal missed the writes it should undo).
  if (synchronous == 1) {
    EXPECT_GT(figures.cuts_losing, 0) << "no cut rolled anything back";
  }
  // Each operation syncs about 1.8 times with FULL and 0.9 times with
  // NORMAL, before the checkpoints a longer script adds (100 operations:
  // 226 and 129 sync points with 4 checkpoints; 25 operations: 45 and 22
  // with none).
  const long per_ten_operations = synchronous == 2 ? 17 : 8;
  const long floor = static_cast<long>(script_.size()) * per_ten_operations / 10;
  EXPECT_GE(figures.crashes, floor) << "the sweep shrank";
}

TEST_F(PowerLossTest, FullLosesNothingAcknowledged) { sweep(2); }

TEST_F(PowerLossTest, NormalRollsBackOnlyTheNewestCommits) { sweep(1); }

}  // namespace
}  // namespace diskcache
