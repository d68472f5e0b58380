// One SQLite connection of a Store, used by one thread: the handle, its
// cached prepared statements, the busy handler and the transaction state.
#ifndef DISKCACHE_SRC_CONNECTION_HPP_
#define DISKCACHE_SRC_CONNECTION_HPP_

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sql.hpp"
#include "statement.hpp"

struct sqlite3;

namespace diskcache::detail {

// Pragmas applied to every connection (validated values from Settings).
struct ConnectionPragmas {
  std::int64_t cache_size = 8192;
  std::int64_t mmap_size = 1LL << 26;
  std::int64_t synchronous = 1;
};

class Connection {
 public:
  // Opens `directory`/cache.db (creating it if `create`). The busy handler
  // waits up to `*timeout` (read at each wait, so a changed setting applies
  // at once) for locks held by other connections. `directory` and `timeout`
  // must outlive the connection.
  Connection(const std::filesystem::path& directory,
             const std::atomic<std::chrono::milliseconds>& timeout, bool create);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* handle() const noexcept { return db_.get(); }
  const std::filesystem::path& directory() const noexcept { return *directory_; }

  // Applies per-connection pragmas.
  void apply(const ConnectionPragmas& pragmas);

  // Runs SQL text that returns no rows (DDL, pragmas). Throws.
  void exec(const std::string& sql);

  // Starts a use of the cached prepared statement `id`.
  Query query(Sql id);
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
  };
  TransactionState& transaction() noexcept { return transaction_; }

  // The database's page count as culling last read it, and how many cull
  // checks have reused it since (see over_size_limit in store_rows.cpp).
  struct PageCountHint {
    std::int64_t pages = -1;  // -1: not read yet
    int reuses = 0;
  };
  PageCountHint& page_count_hint() noexcept { return page_count_hint_; }

  // What culling learnt inside the current outermost write transaction.
  // While this connection holds the write lock no other connection changes
  // the database, so it stays true, given that every write of this
  // connection updates it (note_write in store_rows.cpp). Forgotten when the
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
  std::chrono::steady_clock::time_point busy_since_{};
  int wal_frames_at_checkpoint_ = 0;  // WAL length when this connection last checkpointed
  std::array<std::unique_ptr<Statement>, static_cast<std::size_t>(Sql::kCount)> statements_;
  TransactionState transaction_;
  PageCountHint page_count_hint_;
  CullState cull_state_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_CONNECTION_HPP_
