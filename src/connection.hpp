// One SQLite connection of a Store, used by one thread: the handle, its
// cached prepared statements, the busy handler and the transaction state;
// and the Checkpointer, the one place those connections checkpoint the WAL.
#ifndef DISKCACHE_SRC_CONNECTION_HPP_
#define DISKCACHE_SRC_CONNECTION_HPP_

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "diskcache/detail/mutex.hpp"
#include "file_ops.hpp"
#include "sql.hpp"
#include "statement.hpp"
#include "value_files.hpp"

struct sqlite3;

namespace diskcache::detail {

// Pragmas applied to every connection (validated values from Settings).
struct ConnectionPragmas {
  std::int64_t cache_size = 8192;
  std::int64_t mmap_size = 1LL << 26;
  std::int64_t synchronous = 1;
};

class Checkpointer;

class Connection {
 public:
  // Opens `directory`/cache.db (creating it if `create`). The busy handler
  // waits up to `*timeout` (read at each wait, so a changed setting applies
  // at once) for locks held by other connections. SQLite's automatic
  // checkpoint is off: after a commit that grew the WAL, `checkpointer` (if
  // any) decides whether to checkpoint. `directory`, `timeout` and
  // `checkpointer` must outlive the connection.
  Connection(const std::filesystem::path& directory,
             const std::atomic<std::chrono::milliseconds>& timeout, bool create,
             Checkpointer* checkpointer = nullptr);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* handle() const noexcept { return db_.get(); }
  const std::filesystem::path& directory() const noexcept { return *directory_; }
  // The checkpointer of this connection's commits; null for a connection
  // that never checkpoints.
  Checkpointer* checkpointer() const noexcept { return checkpointer_; }

  // Applies per-connection pragmas.
  void apply(const ConnectionPragmas& pragmas);

  // Runs SQL text that returns no rows (DDL, pragmas). Throws.
  void exec(const std::string& sql);

  // Starts a use of the cached prepared statement `id`.
  Query query(Sql id);
  // Prepares the cached statement `id` now if it is not yet, so that a
  // later query(id) allocates nothing. Throws.
  void prepare_cached(Sql id);
  // Whether SQLite has a transaction open on this connection. SQLite ends
  // one by itself when a statement in it fails with SQLITE_NOMEM (and some
  // I/O errors); see WriteTransaction.
  bool in_transaction() const noexcept;
  // A one-off statement (DDL, pragmas with values), prepared each time.
  std::unique_ptr<Statement> prepare(const std::string& sql);

  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  std::int64_t changes() const noexcept;
  // The rowid of the most recent INSERT.
  std::int64_t last_insert_rowid() const noexcept;

  // Gives the handle up without closing it. Used after fork(): closing a
  // parent's connection in the child can release the parent's locks or
  // delete its WAL (SQLite's "How To Corrupt" guide).
  void abandon() noexcept;

  // Transaction nesting on this connection (see WriteTransaction).
  struct TransactionState {
    int depth = 0;
    // Value files to unlink once the outermost transaction commits.
    std::vector<std::string> remove_after_commit;
    // Value files written inside the transaction, to unlink if it rolls back.
    std::vector<std::string> remove_on_rollback;
    // SQLite rolled the whole transaction back by itself while a nested
    // scope failed: until the outermost scope ends, nothing more may run in
    // it (it would run outside any transaction) and it cannot commit.
    bool rolled_back = false;
  };
  TransactionState& transaction() noexcept { return transaction_; }

  // The database's page count as culling last read it, and how many cull
  // checks have reused it since (see over_size_limit in sqlite_rows.cpp).
  struct PageCountHint {
    std::int64_t pages = -1;  // -1: not read yet
    int reuses = 0;
  };
  PageCountHint& page_count_hint() noexcept { return page_count_hint_; }

  // What culling learnt inside the current outermost write transaction.
  // While this connection holds the write lock no other connection changes
  // the database, so it stays true, given that every write of this
  // connection updates it (note_write in sqlite_rows.cpp). Forgotten when the
  // next outermost transaction begins.
  struct CullState {
    bool expiry_known = false;
    double next_expiry = 0;  // no row's expire_time is below this
    bool size_known = false;
    std::int64_t values_size = 0;  // at least Settings.size
  };
  CullState& cull_state() noexcept { return cull_state_; }

 private:
  static int on_busy(void* self, int count) noexcept;
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_frames) noexcept;

  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };
  std::unique_ptr<sqlite3, Closer> db_;
  const std::filesystem::path* directory_;
  const std::atomic<std::chrono::milliseconds>* timeout_;
  Checkpointer* checkpointer_;
  std::chrono::steady_clock::time_point busy_since_{};
  std::array<std::unique_ptr<Statement>, static_cast<std::size_t>(Sql::kCount)> statements_;
  TransactionState transaction_;
  PageCountHint page_count_hint_;
  CullState cull_state_;
};

// Runs every WAL checkpoint of one process generation's connections to a
// directory (docs/reliability.md, "The SQLite WAL-reset race"). SQLite before
// 3.51.3 can corrupt the database when a checkpoint runs while a writer
// resets the WAL, and a writer resets it only while holding the WAL write
// lock. So a checkpoint runs only while
//   - a second connection, the holder, has SQLite's write lock (an empty
//     write transaction): no writer of any process or language can reset the
//     WAL until the checkpoint is over;
//   - this process holds the checkpoint lock, a mutex and an exclusive
//     flock() on <directory>/cache.db-ckpt: one thread of all our processes
//     checkpoints at a time, and the others carry on instead of queueing
//     behind it for the write lock.
// Thread-safe. One per process generation: a child after fork() makes its
// own, with its own descriptor of the lock file (a flock() lock belongs to the
// open file description, which fork() shares).
class Checkpointer {
 public:
  // `directory` (open as `directory_fd`), `timeout` and `files` must outlive
  // the checkpointer; `files` gives the lock file's mode.
  Checkpointer(const std::filesystem::path& directory, int directory_fd,
               const std::atomic<std::chrono::milliseconds>& timeout, const ValueFiles& files);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  ~Checkpointer();

  // After a commit of `connection` left `wal_frames` frames in the WAL:
  // checkpoints through `connection` once the WAL has grown by the threshold
  // (1000 frames) since the last attempt, if no other thread or process is
  // checkpointing and the write lock is free; waits for neither. Never
  // throws: a checkpoint skipped for the write lock is tried at the next
  // commit, one skipped for another checkpointer after more growth.
  void after_commit(Connection& connection, int wal_frames) noexcept;

  // Checkpoints through `connection` now, waiting up to the timeout for the
  // checkpoint lock and the write lock. A checkpoint that readers keep from
  // finishing is not an error. Throws Timeout, or the error of the
  // checkpoint. REQUIRES: no transaction open on `connection`.
  void checkpoint(Connection& connection);

 private:
  // Takes the lock file, the write lock, then checkpoints.
  void run(Connection& connection, bool wait) DISKCACHE_REQUIRES(mutex_);
  // Whether this process now holds the lock file (always true if the file
  // cannot be opened: the write lock alone still keeps resets out).
  bool lock_file(bool wait) DISKCACHE_REQUIRES(mutex_);
  Connection& holder() DISKCACHE_REQUIRES(mutex_);

  // Constant after construction.
  const std::filesystem::path* directory_;
  const int directory_fd_;
  const std::atomic<std::chrono::milliseconds>* timeout_;
  const ValueFiles* files_;

  // WAL length at the last attempt; a shorter WAL was reset meanwhile.
  std::atomic<int> frames_at_attempt_{0};

  Mutex mutex_;
  UniqueFd lock_fd_ DISKCACHE_GUARDED_BY(mutex_);  // opened on first use
  bool lock_file_failed_ DISKCACHE_GUARDED_BY(mutex_) = false;
  // How long the holder waits for the write lock (its busy handler's
  // timeout); declared first, as the holder reads it.
  std::atomic<std::chrono::milliseconds> holder_wait_{std::chrono::milliseconds(0)};
  std::unique_ptr<Connection> holder_ DISKCACHE_GUARDED_BY(mutex_);  // opened on first use
};

// Test hook: checkpoint once the WAL has grown by `frames` (default 1000),
// process-wide, so that a test can checkpoint after nearly every commit.
void TEST_set_checkpoint_frames(int frames) noexcept;

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_CONNECTION_HPP_
