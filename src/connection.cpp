#include "connection.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "diskcache/errors.hpp"
#include "sqlite_error.hpp"

namespace diskcache::detail {

void Connection::Closer::operator()(sqlite3* db) const noexcept {
  // ~Connection finalizes the cached statements before this runs; close_v2
  // still defers the close if a statement were left, instead of failing.
  sqlite3_close_v2(db);
}

Connection::Connection(const std::filesystem::path& directory,
                       const std::atomic<std::chrono::milliseconds>& timeout, bool create)
    : directory_(&directory), timeout_(&timeout) {
  const std::string path = (directory / "cache.db").string();
  sqlite3* raw = nullptr;
  // A cache.db that is a symbolic link is refused, as value files are: it
  // would let whoever planted it aim our writes at any database. (Not
  // SQLITE_OPEN_NOFOLLOW: that also refuses links among the directories
  // above the cache, which the caller chose.)
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
    throw CorruptionError(path + " is a symbolic link; refusing to follow it", directory);
  }
  const ForkGate::Use fork_gate;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // owned before the check, so a failed open is still closed
  if (rc != SQLITE_OK) {
    throw_sqlite_error(raw, rc, "cannot open " + path, directory);
  }
  sqlite3_extended_result_codes(raw, 1);
  // A database file is data, not code: no triggers or views from it may call
  // functions with side effects, and no writes to the schema by SQL text.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_busy_handler(raw, &Connection::on_busy, this);
  sqlite3_wal_hook(raw, &Connection::on_commit, this);
}

Connection::~Connection() {
  const ForkGate::Use fork_gate;
  for (auto& statement : statements_) statement.reset();
  db_.reset();
}

int Connection::on_busy(void* self, int count) noexcept {
  auto* connection = static_cast<Connection*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) connection->busy_since_ = now;
  if (now - connection->busy_since_ >= connection->timeout_->load(std::memory_order_relaxed)) {
    return 0;
  }
  // Short sleeps first (a write transaction usually takes microseconds), then
  // capped at 1 ms so a waiter notices a released lock quickly.
  const auto sleep = std::chrono::microseconds(std::min(1000, 20 << std::min(count, 6)));
  if (connection->transaction_.depth == 0) {
    // Waiting to begin, this connection holds no lock a fork()ed child
    // could inherit: a fork need not wait for the lock to come free.
    const ForkGate::Away away;
    std::this_thread::sleep_for(sleep);
  } else {
    std::this_thread::sleep_for(sleep);
  }
  return 1;
}

int Connection::on_commit(void* self, sqlite3* db, const char* schema,
                          int wal_frames) noexcept {
  // SQLite's own auto-checkpoint runs a checkpoint after every commit once
  // the WAL holds 1000 frames. While other processes keep reading, no
  // checkpoint can finish and reset the WAL, so each commit would copy a few
  // frames and fsync twice: measured here, 6 processes sharing a queue
  // dropped from 18,000 to 500 operations/s. Each connection instead
  // checkpoints once per 1000 frames of WAL growth; a WAL that was reset
  // (shorter than last time) starts the count again.
  constexpr int kCheckpointFrames = 1000;
  auto* connection = static_cast<Connection*>(self);
  int& last = connection->wal_frames_at_checkpoint_;
  if (wal_frames < last) last = 0;
  if (wal_frames - last >= kCheckpointFrames) {
    last = wal_frames;
    // A checkpoint that cannot finish (busy readers) is not an error.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

void Connection::apply(const ConnectionPragmas& pragmas) {
  exec("PRAGMA cache_size = " + std::to_string(pragmas.cache_size));
  exec("PRAGMA mmap_size = " + std::to_string(pragmas.mmap_size));
  exec("PRAGMA synchronous = " + std::to_string(pragmas.synchronous));
}

void Connection::exec(const std::string& sql) {
  Statement statement(db_.get(), sql, *directory_);
  Query query(statement, db_.get(), *directory_);
  while (query.step()) {
  }
}

Query Connection::query(Sql id) {
  auto& slot = statements_[static_cast<std::size_t>(id)];
  if (!slot) slot = std::make_unique<Statement>(db_.get(), sql_text(id), *directory_);
  return Query(*slot, db_.get(), *directory_);
}

std::unique_ptr<Statement> Connection::prepare(const std::string& sql) {
  return std::make_unique<Statement>(db_.get(), sql, *directory_);
}

std::int64_t Connection::changes() const noexcept { return sqlite3_changes64(db_.get()); }

std::int64_t Connection::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_.get());
}

void Connection::abandon() noexcept {
  // The statements belong to the abandoned handle too: leak them with it.
  for (auto& statement : statements_) {
    [[maybe_unused]] Statement* leaked = statement.release();
  }
  [[maybe_unused]] sqlite3* leaked = db_.release();
}

}  // namespace diskcache::detail
