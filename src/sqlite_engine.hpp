// Store::Impl: the state behind a Store handle, shared by its copies.
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
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "file_ops.hpp"
#include "value_files.hpp"

namespace diskcache {

// open(), connection(), changes() and close() are the connection registry's
// (connection_registry.cpp); the rest is sqlite_engine_open.cpp's.
class Store::Impl {
 public:
  // The engine of `directory`: the one already open in this process, with
  // `overrides` applied to it, or a new one. An empty path makes a new
  // temporary directory.
  static std::shared_ptr<Impl> open(std::filesystem::path directory, const Settings& overrides);

  // Only through open(), which has validated `overrides` and created
  // `directory` (two engines on one directory would not share transactions).
  Impl(std::filesystem::path directory, const Settings& overrides);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  // This thread's connection, opened on first use (and again after fork()).
  detail::Connection& connection();
  // Closes every connection. REQUIRES: no concurrent use of this Store.
  void close();
  // The process-wide watch for commits to the directory (see
  // change_signal.hpp), made on first use (and again after fork()).
  detail::ChangeSignal& changes();

  const std::filesystem::path& directory() const noexcept { return directory_; }
  detail::ValueFiles& files() noexcept { return files_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

  // Settings, as last stored or read by this Store.
  Settings settings() const;
  // Writes the given settings (Setting::given) to the Settings table and
  // applies them. Runs in its own write transaction.
  void store_settings(const Settings& overrides);

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
  std::int64_t page_size() const noexcept { return page_size_; }

  // A message if cache.db's size is not a whole number of pages (a file cut
  // short, which SQLite itself does not notice); nullopt if it is.
  std::optional<std::string> database_size_problem() const;

  // Test hook: make value-file system calls go through `ops`.
  void TEST_set_file_ops(detail::FileOps& ops) noexcept { files_.set_ops(ops); }

 private:
  std::unique_ptr<detail::Connection> open_connection(detail::Checkpointer& checkpointer);
  detail::ConnectionRegistry& current_registry(std::uint64_t fork_generation);
  void apply_settings(const Settings& settings);

  // Constant after construction.
  const std::filesystem::path directory_;
  const detail::UniqueFd directory_fd_;
  const std::uint64_t serial_;                      // unique per Impl, keys per-thread caches
  std::atomic<std::chrono::milliseconds> timeout_;  // changed by store_settings
  std::int64_t page_size_ = 4096;

  detail::ValueFiles files_;

  mutable detail::Mutex settings_mutex_;
  Settings settings_ DISKCACHE_GUARDED_BY(settings_mutex_);
  detail::ConnectionPragmas pragmas_ DISKCACHE_GUARDED_BY(settings_mutex_);
  std::atomic<std::int64_t> size_limit_{0};
  std::atomic<std::int64_t> cull_limit_{0};
  std::atomic<std::int64_t> min_file_size_{0};
  std::atomic<EvictionPolicy> eviction_policy_{EvictionPolicy::LeastRecentlyStored};
  std::atomic<bool> statistics_{false};

  // Bumped by close(), so per-thread caches drop their connection pointers.
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<detail::ConnectionRegistry*> registry_{nullptr};  // owned; leaked after fork()
};

}  // namespace diskcache

#endif  // DISKCACHE_SRC_SQLITE_ENGINE_HPP_
