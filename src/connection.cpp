#include "connection.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "diskcache/errors.hpp"
#include "kill_point.hpp"
#include "sqlite_error.hpp"
#include "transaction.hpp"

namespace diskcache::detail {

void Connection::Closer::operator()(sqlite3* db) const noexcept {
  // ~Connection finalizes the cached statements before this runs; close_v2
  // still defers the close if a statement were left, instead of failing.
  sqlite3_close_v2(db);
}

Connection::Connection(const std::filesystem::path& directory,
                       const std::atomic<std::chrono::milliseconds>& timeout, bool create,
                       Checkpointer* checkpointer)
    : directory_(&directory), timeout_(&timeout), checkpointer_(checkpointer) {
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
  // No automatic checkpoint: it would run on whichever connection commits,
  // without the locks the Checkpointer takes. (SQLite's auto-checkpoint is
  // itself a WAL hook, which the next call would replace anyway.)
  sqlite3_wal_autocheckpoint(raw, 0);
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

int Connection::on_commit(void* self, sqlite3*, const char*, int wal_frames) noexcept {
  auto* connection = static_cast<Connection*>(self);
  if (connection->checkpointer_ != nullptr) {
    connection->checkpointer_->after_commit(*connection, wal_frames);
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
  prepare_cached(id);
  return Query(*statements_[static_cast<std::size_t>(id)], db_.get(), *directory_);
}

void Connection::prepare_cached(Sql id) {
  auto& slot = statements_[static_cast<std::size_t>(id)];
  if (!slot) slot = std::make_unique<Statement>(db_.get(), sql_text(id), *directory_);
}

bool Connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_.get()) == 0; }

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

namespace {

// WAL growth, in frames, between two checkpoint attempts.
std::atomic<int> g_checkpoint_frames{1000};

const char* const kLockFileName = "cache.db-ckpt";

// Releases the flock() on `fd` at the end of a scope; -1 holds none.
class FlockRelease {
 public:
  explicit FlockRelease(int fd) noexcept : fd_(fd) {}
  FlockRelease(const FlockRelease&) = delete;
  FlockRelease& operator=(const FlockRelease&) = delete;
  ~FlockRelease() {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
  }

 private:
  const int fd_;
};

}  // namespace

void TEST_set_checkpoint_frames(int frames) noexcept {
  g_checkpoint_frames.store(frames, std::memory_order_relaxed);
}

Checkpointer::Checkpointer(const std::filesystem::path& directory, int directory_fd,
                           const std::atomic<std::chrono::milliseconds>& timeout,
                           const ValueFiles& files)
    : directory_(&directory), directory_fd_(directory_fd), timeout_(&timeout), files_(&files) {}

Checkpointer::~Checkpointer() = default;

void Checkpointer::after_commit(Connection& connection, int wal_frames) noexcept {
  // SQLite's auto-checkpoint tries after every commit once the WAL holds
  // 1000 frames. While other processes keep reading, no checkpoint can
  // finish and reset the WAL, so each commit would copy a few frames and
  // fsync twice: measured here, 6 processes sharing a queue dropped from
  // 18,000 to 500 operations/s. So a process tries once per 1000 frames of
  // WAL growth; a WAL shorter than at the last attempt was reset meanwhile.
  int last = frames_at_attempt_.load(std::memory_order_relaxed);
  if (wal_frames < last) {
    frames_at_attempt_.compare_exchange_strong(last, 0, std::memory_order_relaxed);
    last = 0;
  }
  if (wal_frames - last < g_checkpoint_frames.load(std::memory_order_relaxed)) return;
  // One thread per step of growth tries; the others carry on writing.
  if (!frames_at_attempt_.compare_exchange_strong(last, wal_frames, std::memory_order_relaxed)) {
    return;
  }
  if (!mutex_.try_lock()) return;
  try {
    run(connection, /*wait=*/false);
  } catch (const Timeout&) {
    // Another writer has the write lock. This commit's caller does not wait
    // for it: the next commit tries again.
    frames_at_attempt_.store(last, std::memory_order_relaxed);
  } catch (...) {
    // The checkpoint failed: the data is safe in the WAL, and the next
    // attempt comes after more growth.
  }
  mutex_.unlock();
}

void Checkpointer::checkpoint(Connection& connection) {
  MutexLock lock(mutex_);
  run(connection, /*wait=*/true);
}

void Checkpointer::run(Connection& connection, bool wait) {
  if (!lock_file(wait)) return;  // another process is checkpointing
  const FlockRelease release(lock_fd_.get());
  // The holder's empty write transaction: while it lasts no writer can start
  // one, and only a writer (or a checkpoint holding the write lock) resets
  // the WAL. Without `wait` it is tried once (just after a commit the lock
  // is usually free); Timeout if another writer has it.
  const auto patience = wait ? timeout_->load() : std::chrono::milliseconds(0);
  holder_wait_.store(patience, std::memory_order_relaxed);
  WriteTransaction hold(holder(), *files_, /*retry=*/false, patience);
  DISKCACHE_TEST_TRACE("checkpoint_begin");
  // PASSIVE: copies what no reader still needs, never waits for readers,
  // and leaves the WAL as it is; the next writer resets it once all of it
  // is in the database.
  int wal_frames = 0;
  int copied_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(connection.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied_frames);
  DISKCACHE_TEST_TRACE(wal_frames > 0 && copied_frames == wal_frames ? "checkpoint_end whole"
                                                                     : "checkpoint_end");
  if (rc != SQLITE_OK && !is_busy(rc)) {
    throw_sqlite_error(connection.handle(), rc, "cannot checkpoint the WAL into cache.db",
                       *directory_);
  }
  // `hold` rolls back: it wrote nothing.
}

bool Checkpointer::lock_file(bool wait) {
  if (!lock_fd_.valid() && !lock_file_failed_) {
    // Named like the database so that check() here and in Python leaves it
    // alone. O_CLOEXEC: a program we exec must not inherit the lock.
    lock_fd_.reset(::openat(directory_fd_, kLockFileName,
                            O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, files_->file_mode()));
    // A directory we may not create files in (read-only use) still gets
    // safe checkpoints from the write lock; only the choice of one process
    // to run them is lost.
    lock_file_failed_ = !lock_fd_.valid();
  }
  if (lock_file_failed_) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout_->load();
  while (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      throw_errno(errno, "cannot lock " + (*directory_ / kLockFileName).string(), *directory_);
    }
    if (!wait) return false;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Timeout("timed out waiting for another process's checkpoint of " +
                        (*directory_ / "cache.db").string(),
                    *directory_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

Connection& Checkpointer::holder() {
  if (!holder_) holder_ = std::make_unique<Connection>(*directory_, holder_wait_, /*create=*/false);
  return *holder_;
}

}  // namespace diskcache::detail
