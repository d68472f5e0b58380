// SqliteEngine: the default Engine, one cache directory in Python
// diskcache's format (cache.db and value files), shared by every Store on
// that directory in a process.
//
// Which file holds what: the Engine calls are in the file store.hpp names
// for their section (sqlite_engine.cpp for single keys, bulk removal,
// statistics, transact and wait_until; sqlite_engine_queue.cpp, _lease,
// _dead_letters, _scan, _stream, _check, _maintenance for theirs, _watch for
// watch_changes); open(), connection(), changes() and close() are the
// connection registry's (connection_registry.cpp); the constructor, the
// settings and opening a connection are sqlite_engine_open.cpp's.
#ifndef DISKCACHE_SRC_SQLITE_ENGINE_HPP_
#define DISKCACHE_SRC_SQLITE_ENGINE_HPP_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "change_signal.hpp"
#include "connection.hpp"
#include "connection_registry.hpp"
#include "diskcache/engine.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "file_ops.hpp"
#include "function_ref.hpp"
#include "transaction.hpp"
#include "value_files.hpp"

namespace diskcache::detail {

class SqliteEngine final : public Engine {
 public:
  // The engine of `directory`: the one already open in this process, with
  // `overrides` applied to it, or a new one. An empty path makes a new
  // temporary directory.
  static std::shared_ptr<SqliteEngine> open(std::filesystem::path directory,
                                            const Settings& overrides);

  // Only through open(), which has validated `overrides` and created
  // `directory` (two engines on one directory would not share transactions).
  SqliteEngine(std::filesystem::path directory, const Settings& overrides);
  ~SqliteEngine() override;

  // --- Engine: the contracts are Store's (store.hpp).
  const std::filesystem::path& directory() const noexcept override { return directory_; }
  // Settings, as last stored or read by this engine.
  Settings settings() const override;
  // Writes the given settings (Setting::given) to the Settings table, in
  // its own write transaction, and applies them. Takes no write lock when
  // the table and schema hold them already (a reopening with the same
  // settings).
  void reset(const Settings& overrides) override;

  bool set(const Cell& key, const Cell& value, const SetOptions& options) override;
  bool add(const Cell& key, const Cell& value, const SetOptions& options) override;
  std::optional<StoredItem> get(const Cell& key, bool retry) override;
  bool contains(const Cell& key) override;
  bool erase(const Cell& key, bool retry) override;
  std::optional<StoredItem> pop(const Cell& key, bool retry, const ItemCheck& check) override;
  std::int64_t incr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry) override;
  std::int64_t decr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry) override;
  bool touch(const Cell& key, std::optional<double> expire_seconds, bool retry) override;
  std::optional<std::pair<Cell, StoredItem>> peekitem(bool last, bool retry) override;
  std::int64_t size() override;
  std::int64_t volume() override;
  std::int64_t expire(std::optional<double> now, bool retry) override;
  std::int64_t evict(const Value& tag, bool retry) override;
  std::int64_t cull(bool retry) override;
  std::int64_t clear(bool retry) override;
  Stats stats(bool enable, bool reset_counters) override;
  void create_tag_index() override;
  void drop_tag_index() override;

  std::vector<std::string> check(bool fix, bool retry) override;
  void vacuum() override;

  Cell push(const Cell& value, const std::optional<std::string>& prefix, Side side,
            const SetOptions& options) override;
  std::optional<std::pair<Cell, StoredItem>> pull(const std::optional<std::string>& prefix,
                                                  Side side, bool retry,
                                                  const ItemCheck& check) override;
  std::optional<std::pair<Cell, StoredItem>> peek(const std::optional<std::string>& prefix,
                                                  Side side, bool retry) override;
  std::optional<Cell> queue_key_at(const std::optional<std::string>& prefix, std::int64_t index,
                                   Side side) override;
  std::vector<Cell> queue_keys(const std::optional<std::string>& prefix, Side side,
                               const std::optional<Cell>& after, std::int64_t limit) override;

  bool set_stream(const Cell& key, std::istream& in, const SetOptions& options) override;
  bool add_stream(const Cell& key, std::istream& in, const SetOptions& options) override;
  std::optional<ValueStream> read(const Cell& key, bool retry) override;

  void enable_leases() override;
  std::optional<Leased> lease(const std::optional<std::string>& prefix, Side side,
                              std::chrono::duration<double> visibility, bool retry,
                              const ItemCheck& check) override;
  bool ack(std::int64_t id, std::int64_t token, bool retry) override;
  bool release(std::int64_t id, std::int64_t token, bool retry) override;
  bool renew(std::int64_t id, std::int64_t token, std::chrono::duration<double> visibility,
             bool retry) override;
  std::int64_t reclaim_leases(const std::optional<std::string>& prefix, bool retry) override;
  std::int64_t leased_count(const std::optional<std::string>& prefix) override;

  // The engine of this directory's dead letters
  // (<directory>/cache.db-dead-letters), opened on first use with eviction
  // policy none and this engine's timeout and file mode
  // (sqlite_engine_dead_letters.cpp).
  std::shared_ptr<Engine> dead_letters() override;
  bool dead_letter(const std::optional<std::string>& prefix, const Cell& key, bool retry) override;

  std::unique_ptr<Engine::Cursor> scan(ScanOptions options) override;

  bool wait_until(std::chrono::duration<double> timeout,
                  const std::function<bool()>& attempt) override;
  std::unique_ptr<Watch> watch_changes() override;  // sqlite_engine_watch.cpp
  std::unique_ptr<Scope> transact(bool retry) override;
  // Closes every connection. REQUIRES: no concurrent use of this engine.
  void close() override;

  // --- What the operations share.

  // This thread's connection, opened on first use (and again after fork()).
  Connection& connection();
  // The process-wide watch for commits to the directory (see
  // change_signal.hpp), made on first use (and again after fork()).
  ChangeSignal& changes();

  // pull() for callers inside the engine: `check` runs as an ItemCheck does,
  // but is referenced, not copied into a std::function.
  using ItemCheckRef = FunctionRef<void(const Cell& key, const StoredItem& item)>;
  std::optional<std::pair<Cell, StoredItem>> pull_checked(const std::optional<std::string>& prefix,
                                                          Side side, bool retry,
                                                          ItemCheckRef check);

  // Begins (or nests) a write transaction on `connection`, this thread's,
  // waiting for the write lock up to the timeout (for ever with `retry`).
  WriteTransaction begin_write(Connection& connection, bool retry) {
    return WriteTransaction(connection, files_, retry, timeout());
  }

  ValueFiles& files() noexcept { return files_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

  // Hot settings, readable without a lock.
  std::int64_t size_limit() const noexcept { return size_limit_.load(std::memory_order_relaxed); }
  std::int64_t cull_limit() const noexcept { return cull_limit_.load(std::memory_order_relaxed); }
  std::int64_t min_file_size() const noexcept {
    return min_file_size_.load(std::memory_order_relaxed);
  }
  EvictionPolicy eviction_policy() const noexcept {
    return eviction_policy_.load(std::memory_order_relaxed);
  }
  bool statistics() const noexcept { return statistics_.load(std::memory_order_relaxed); }
  std::int64_t max_deliveries() const noexcept {
    return max_deliveries_.load(std::memory_order_relaxed);
  }
  std::int64_t page_size() const noexcept { return page_size_; }

  // A message if cache.db's size is not a whole number of pages (a file cut
  // short, which SQLite itself does not notice); nullopt if it is.
  std::optional<std::string> database_size_problem() const;

  // Test hooks: the SQLite engine behind `store` (throws std::bad_cast if
  // it has another engine), and making its value-file system calls go
  // through `ops`.
  static SqliteEngine& TEST_of(const Store& store);
  void TEST_set_file_ops(FileOps& ops) noexcept { files_.set_ops(ops); }

 private:
  std::unique_ptr<Connection> open_connection(Checkpointer& checkpointer);
  ConnectionRegistry& current_registry(std::uint64_t fork_generation);
  void apply_settings(const Settings& settings);

  // Constant after construction.
  const std::filesystem::path directory_;
  const UniqueFd directory_fd_;
  const std::uint64_t serial_;                      // unique per engine, keys per-thread caches
  std::atomic<std::chrono::milliseconds> timeout_;  // changed by reset
  std::int64_t page_size_ = 4096;

  ValueFiles files_;

  mutable Mutex settings_mutex_;
  Settings settings_ DISKCACHE_GUARDED_BY(settings_mutex_);
  ConnectionPragmas pragmas_ DISKCACHE_GUARDED_BY(settings_mutex_);
  std::atomic<std::int64_t> size_limit_{0};
  std::atomic<std::int64_t> cull_limit_{0};
  std::atomic<std::int64_t> min_file_size_{0};
  std::atomic<EvictionPolicy> eviction_policy_{EvictionPolicy::LeastRecentlyStored};
  std::atomic<bool> statistics_{false};
  std::atomic<std::int64_t> max_deliveries_{0};

  // Kept once opened: reopening would write its settings again each time.
  Mutex dead_letters_mutex_;
  std::shared_ptr<SqliteEngine> dead_letters_ DISKCACHE_GUARDED_BY(dead_letters_mutex_);

  // Bumped by close(), so per-thread caches drop their connection pointers.
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<ConnectionRegistry*> registry_{nullptr};  // owned; leaked after fork()
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SQLITE_ENGINE_HPP_
