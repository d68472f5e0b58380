// Regression: the SQLite WAL-reset race. SQLite 3.7.0 to 3.51.2 (Debian 12
// ships 3.40.1) can corrupt a database when a checkpoint starts just after
// another one copied the whole WAL back, while a writer resets the WAL: the
// checkpoint misses the reset and leaves a wrong field in the WAL index, and
// a later checkpoint skips part of a transaction. The library let SQLite
// checkpoint inside whichever connection committed, under no lock but
// SQLite's checkpoint lock, so a writer of any process could start (and
// reset the WAL) while a checkpoint of another ran. It never showed as
// corruption here (the window is narrow); it showed in the trace this test
// reads: writers took the write lock in the middle of checkpoints.
//
// The stress: writer processes (two threads each, small sets) and processes
// calling the explicit checkpoint over and over, a checkpoint attempted
// after every commit, so that checkpoints finish the WAL and writers reset
// it all the time. Every write transaction and checkpoint appends to one
// trace file (O_APPEND, test builds only). The test requires that no
// checkpoint overlapped another, that no writer took the write lock while a
// checkpoint ran, integrity, and every acknowledged write present.
//
// Length: DISKCACHE_WAL_RESET_SECONDS (default 12; a quarter in sanitized
// builds).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/version.hpp"
#include "kill_point.hpp"
#include "sqlite_engine.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::env_size;
using testing::run_children;
using testing::TempDir;
using Clock = std::chrono::steady_clock;
using StringCache = Cache<std::string, std::string>;

constexpr int kWriterProcesses = 4;
constexpr int kThreadsPerWriter = 2;
constexpr int kCheckpointerProcesses = 2;

// Sets the process-wide checkpoint threshold for one scope (children forked
// inside inherit it).
class CheckpointFrames {
 public:
  explicit CheckpointFrames(int frames) { detail::TEST_set_checkpoint_frames(frames); }
  ~CheckpointFrames() { detail::TEST_set_checkpoint_frames(1000); }
};

std::string key_of(int process, int thread, long n) {
  return "w" + std::to_string(process) + "-" + std::to_string(thread) + "-" + std::to_string(n);
}

std::string value_of(long n) { return "value " + std::to_string(n); }

// What the trace file shows.
struct TraceFigures {
  long checkpoints = 0;
  long whole_wal_checkpoints = 0;  // copied the whole WAL: the next writer resets it
  long write_transactions = 0;
  long checkpoints_overlapping = 0;    // began while another was running
  long writes_during_checkpoints = 0;  // write lock taken while one was running
  long unmatched_ends = 0;
  std::map<long, long> checkpoints_by_process;
};

TraceFigures read_trace(const std::filesystem::path& path) {
  TraceFigures figures;
  std::ifstream in(path);
  std::string line;
  long running = 0;  // pid of the checkpoint in progress; 0: none
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    long pid = 0;
    std::string event;
    std::string detail;
    fields >> pid >> event >> detail;
    if (event == "checkpoint_begin") {
      ++figures.checkpoints;
      ++figures.checkpoints_by_process[pid];
      if (running != 0) ++figures.checkpoints_overlapping;
      running = pid;
    } else if (event == "checkpoint_end") {
      if (running != pid) ++figures.unmatched_ends;
      if (detail == "whole") ++figures.whole_wal_checkpoints;
      running = 0;
    } else if (event == "write_locked") {
      ++figures.write_transactions;
      if (running != 0) ++figures.writes_during_checkpoints;
    }
  }
  return figures;
}

// The WAL header's salt-1, which each reset of the WAL increments
// (https://www.sqlite.org/fileformat.html, "WAL file format"; SQLite's
// walRestartHdr): the difference between two readings counts the resets.
std::uint32_t wal_salt1(const std::filesystem::path& directory) {
  std::ifstream wal(directory / "cache.db-wal", std::ios::binary);
  unsigned char header[20] = {};
  wal.read(reinterpret_cast<char*>(header), sizeof header);
  return std::uint32_t{header[16]} << 24 | std::uint32_t{header[17]} << 16 |
         std::uint32_t{header[18]} << 8 | std::uint32_t{header[19]};
}

// Traces this process's write transactions and checkpoints to `path`.
int trace_to(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) detail::TEST_trace_to(fd);
  return fd;
}

// Sets keys key_of(process, thread, 0..) until `deadline`; writes how many
// were acknowledged to `acked`.
void write_until(StringCache& cache, int process, int thread, Clock::time_point deadline,
                 const std::filesystem::path& acked) {
  long n = 0;
  while (Clock::now() < deadline) {
    cache.set(key_of(process, thread, n), value_of(n), {.retry = true});
    ++n;
  }
  std::ofstream(acked) << n;
}

int writer_process(const std::filesystem::path& root, int process, Clock::time_point deadline) {
  StringCache cache(root / "cache");
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreadsPerWriter; ++thread) {
    threads.emplace_back([&, thread] {
      const auto acked = root / ("acked-" + std::to_string(process) + "-" + std::to_string(thread));
      write_until(cache, process, thread, deadline, acked);
    });
  }
  for (auto& thread : threads) thread.join();
  return 0;
}

int checkpointer_process(const std::filesystem::path& root, Clock::time_point deadline) {
  StringCache cache(root / "cache");
  detail::SqliteEngine& engine = detail::SqliteEngine::TEST_of(cache.store());
  while (Clock::now() < deadline) {
    detail::Connection& connection = engine.connection();
    connection.checkpointer()->checkpoint(connection);
    // A pause, so that writers' own checkpoints find the lock free at times.
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  return 0;
}

TEST(CheckpointRacedWalResetTest, NoWriterTakesTheWriteLockWhileACheckpointRuns) {
  ASSERT_TRUE(detail::TEST_kill_points_compiled()) << "the trace needs a test build";
  TempDir root;
  const auto directory = root / "cache";
  const auto trace = root / "trace";
  const long seconds = env_size("DISKCACHE_WAL_RESET_SECONDS", 12);
  // Open through the whole run, so the WAL (and its count of resets) outlives
  // the children.
  StringCache cache(directory);
  cache.set("before", "x");
  const std::uint32_t salt_before = wal_salt1(directory);

  const auto started = Clock::now();
  std::vector<int> statuses;
  {
    const CheckpointFrames after_every_commit(1);
    const auto deadline = started + std::chrono::seconds(seconds);
    statuses = run_children(kWriterProcesses + kCheckpointerProcesses, [&](int index) {
      if (trace_to(trace) < 0) return 2;
      std::ofstream(root / ("pid-" + std::to_string(index))) << ::getpid();
      return index < kWriterProcesses ? writer_process(root.path(), index, deadline)
                                      : checkpointer_process(root.path(), deadline);
    });
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(statuses, std::vector<int>(kWriterProcesses + kCheckpointerProcesses, 0));

  const TraceFigures figures = read_trace(trace);
  long after_commits = 0;  // checkpoints by writer processes: after their commits
  for (int index = 0; index < kWriterProcesses; ++index) {
    long pid = 0;
    std::ifstream(root / ("pid-" + std::to_string(index))) >> pid;
    const auto found = figures.checkpoints_by_process.find(pid);
    if (found != figures.checkpoints_by_process.end()) after_commits += found->second;
  }
  const long resets = static_cast<long>(wal_salt1(directory) - salt_before);
  EXPECT_EQ(figures.checkpoints_overlapping, 0);
  EXPECT_EQ(figures.writes_during_checkpoints, 0);
  EXPECT_EQ(figures.unmatched_ends, 0);
  // The stress must have stressed: checkpoints both after commits and
  // called, many of them copying the whole WAL so that writers reset it.
  EXPECT_GT(after_commits, 0);
  EXPECT_GT(figures.checkpoints - after_commits, 0);
  EXPECT_GE(figures.checkpoints, 5 * seconds);
  EXPECT_GE(resets, 2 * seconds);

  long acknowledged = 0;
  long missing = 0;
  for (int process = 0; process < kWriterProcesses; ++process) {
    for (int thread = 0; thread < kThreadsPerWriter; ++thread) {
      long count = 0;
      std::ifstream(root / ("acked-" + std::to_string(process) + "-" + std::to_string(thread))) >>
          count;
      EXPECT_GT(count, 0) << "writer " << process << "-" << thread;
      acknowledged += count;
      for (long n = 0; n < count; ++n) {
        if (cache.get(key_of(process, thread, n)) != value_of(n)) ++missing;
      }
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(cache.check(), std::vector<std::string>{});  // PRAGMA integrity_check included
  std::printf(
      "[figures] WAL-reset race: %d processes (%d writers x %d threads, %d checkpointers), "
      "%.1f s: %ld acknowledged "
      "writes, %ld write transactions, %ld checkpoints (%ld after commits, %ld called; %ld "
      "copied the whole WAL), %ld WAL resets; overlapping "
      "checkpoints %ld, writes during checkpoints %ld\n",
      kWriterProcesses + kCheckpointerProcesses, kWriterProcesses, kThreadsPerWriter,
      kCheckpointerProcesses, elapsed, acknowledged, figures.write_transactions,
      figures.checkpoints, after_commits, figures.checkpoints - after_commits,
      figures.whole_wal_checkpoints, resets, figures.checkpoints_overlapping,
      figures.writes_during_checkpoints);
}

// Only the library's checkpointer copies the WAL into cache.db: with its
// threshold out of reach, 3,000 frames of commits leave cache.db as it was
// (SQLite's automatic checkpoint would have run at 1,000); at the default
// threshold they reach it.
TEST(CheckpointRacedWalResetTest, OnlyTheCheckpointerCopiesTheWalIntoTheDatabase) {
  TempDir dir;
  StringCache cache(dir.path());
  const auto database_size = [&] { return std::filesystem::file_size(dir / "cache.db"); };
  const std::string value(3000, 'v');  // a page of its own: a frame per set at least
  {
    const CheckpointFrames never(INT_MAX);
    const auto before = database_size();
    for (int i = 0; i < 3000; ++i) cache.set("never " + std::to_string(i), value);
    EXPECT_EQ(database_size(), before);
  }
  const auto before = database_size();
  for (int i = 0; i < 1500; ++i) cache.set("default " + std::to_string(i), value);
  EXPECT_GT(database_size(), before);
}

// Runs tests/python/`script` `command` `directory`; 0 when the script's
// checks pass.
int python(const std::string& script, const std::string& command,
           const std::filesystem::path& directory) {
  return testing::run_python(script, command + " '" + directory.string() + "'");
}

// The lock file is named like the database, so that check() here and in
// Python leave it alone; it has the cache's file mode.
TEST(CheckpointRacedWalResetTest, CheckpointLockFileIsLeftAloneByCheckHereAndInPython) {
  TempDir dir;
  const CheckpointFrames after_every_commit(1);
  StringCache cache(dir.path(), {.file_mode = 0640});
  cache.set("k", "v");
  const auto lock_file = dir / "cache.db-ckpt";
  struct stat info {};
  ASSERT_EQ(::stat(lock_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640U);
  EXPECT_EQ(cache.check(/*fix=*/true), std::vector<std::string>{});
  EXPECT_EQ(python("check.py", "clean", dir.path()), 0);
  EXPECT_EQ(python("check.py", "fix", dir.path()), 0);
  EXPECT_TRUE(std::filesystem::exists(lock_file));
}

// What docs/reliability.md offers where Python processes share the
// directory: Python's diskcache applies every stored sqlite_* setting as a
// PRAGMA on each connection, so sqlite_wal_autocheckpoint = 0 stored once
// stops its automatic checkpoints in every Python process. The library keeps
// the row it does not know, and works on beside it.
TEST(CheckpointRacedWalResetTest, PythonCanLeaveCheckpointsToTheLibrary) {
  TempDir dir;
  ASSERT_EQ(python("wal_checkpoint.py", "disable", dir.path()), 0);
  {
    const CheckpointFrames after_every_commit(1);
    StringCache cache(dir.path());
    for (int i = 0; i < 100; ++i) cache.set("k" + std::to_string(i), "v");
    EXPECT_EQ(cache.check(), std::vector<std::string>{});
  }
  EXPECT_EQ(python("wal_checkpoint.py", "expect_disabled", dir.path()), 0);
}

// Stats and version() say whether the linked SQLite has the race.
TEST(CheckpointRacedWalResetTest, StatsAndVersionReportWhetherTheLinkedSqliteHasTheRace) {
  TempDir dir;
  StringCache cache(dir.path());
  const bool affected = sqlite_has_wal_reset_race(sqlite3_libversion_number());
  EXPECT_EQ(version().sqlite_wal_reset_race, affected);
  EXPECT_EQ(cache.stats().sqlite_wal_reset_race, affected);
  EXPECT_TRUE(sqlite_has_wal_reset_race(3040001));  // Debian 12
  EXPECT_FALSE(sqlite_has_wal_reset_race(3051003));
}

}  // namespace
}  // namespace diskcache
