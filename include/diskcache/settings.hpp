// Configuration: per-directory Settings and per-call options.
//
// Settings are stored in the cache directory's `Settings` table under the same
// names Python diskcache uses, so they persist and are shared with every
// process (C++ or Python) that opens the directory. When a directory is
// reopened, the stored settings apply unless the caller overrides them:
//
//   diskcache::Cache<> cache(dir, {.size_limit = 10 << 20,
//                                  .eviction_policy =
//                                      diskcache::EvictionPolicy::LeastRecentlyUsed});
//
// sets those two and keeps every other stored setting. Each field is a
// Setting<T>, which remembers whether the caller gave it.
//
// Per-call options (SetOptions, GetOptions) are plain aggregates.
#ifndef DISKCACHE_SETTINGS_HPP_
#define DISKCACHE_SETTINGS_HPP_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "diskcache/export.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

namespace detail {
// What a Setting<T> compares with besides another Setting: anything T
// compares with (an int for a Setting<int64_t>).
template <class U, class T, class Setting>
concept ComparableSettingValue =
    !std::is_same_v<std::decay_t<U>, Setting> && requires(const T& t, const U& u) {
  t == u;
};
}  // namespace detail

// A setting's value and whether the caller chose it. Converts to T, so code
// reads `std::int64_t limit = cache.settings().size_limit;`.
template <class T>
class Setting {
 public:
  // A value the caller chose (used by designated initializers). Accepts
  // anything convertible to T, e.g. std::chrono::seconds for a milliseconds
  // setting.
  template <std::convertible_to<T> U>
  Setting(U&& value) : value_(std::forward<U>(value)), given_(true) {}

  // The built-in default; does not override a stored value.
  static Setting by_default(T value) {
    Setting setting(std::move(value));
    setting.given_ = false;
    return setting;
  }

  operator const T&() const noexcept { return value_; }
  const T& value() const noexcept { return value_; }
  // True if the caller set this value (rather than leaving the default).
  bool given() const noexcept { return given_; }

  friend bool operator==(const Setting& a, const Setting& b) { return a.value_ == b.value_; }
  template <detail::ComparableSettingValue<T, Setting> U>
  friend bool operator==(const Setting& a, const U& b) {
    return a.value_ == b;
  }

 private:
  T value_;
  bool given_;
};

// Which items a full cache removes first. Stored in Settings as Python's
// names: "least-recently-stored", "least-recently-used",
// "least-frequently-used", "none".
enum class EvictionPolicy {
  // Oldest `set` first. Reads stay lock-free. Python's default.
  LeastRecentlyStored,
  // Least recently read first. Every hit writes its access time.
  LeastRecentlyUsed,
  // Least often read first. Every hit increments a counter.
  LeastFrequentlyUsed,
  // Never evict; size_limit is ignored. Used by Index and Deque.
  None,
};

// Python's name for `policy`, as stored in the Settings table.
DISKCACHE_EXPORT const char* to_string(EvictionPolicy policy) noexcept;

struct Settings {
  // Approximate limit of volume() in bytes; writes evict items (by
  // eviction_policy) once the cache reaches it. Persists. Default: 1 GiB.
  Setting<std::int64_t> size_limit = Setting<std::int64_t>::by_default(1LL << 30);

  // Maximum number of items a single write removes while culling expired and
  // evicted items; 0 turns automatic culling off (call cull() yourself).
  // Higher values keep the cache tighter at the cost of slower writes.
  // Persists. Default: 10.
  Setting<std::int64_t> cull_limit = Setting<std::int64_t>::by_default(10);

  // Persists. Default: LeastRecentlyStored.
  Setting<EvictionPolicy> eviction_policy =
      Setting<EvictionPolicy>::by_default(EvictionPolicy::LeastRecentlyStored);

  // Count hits and misses (see Cache::stats). Makes every get a write
  // transaction. Persists. Default: false.
  Setting<bool> statistics = Setting<bool>::by_default(false);

  // Keep an index on (tag, rowid) so evict(tag) is fast. Persists.
  // Default: false.
  Setting<bool> tag_index = Setting<bool>::by_default(false);

  // Values of at least this many bytes are kept in their own file instead of
  // the database. Persists. Default: 32 KiB.
  Setting<std::int64_t> disk_min_file_size = Setting<std::int64_t>::by_default(1LL << 15);

  // How many times a queue item may be leased (Deque::lease_front) without
  // being acknowledged: when the lease of its max_deliveries-th delivery
  // ends (timed out and reclaimed, or released), the item moves to the
  // queue's dead letters (Store::dead_letters) instead of back to the front,
  // so a job that crashes every consumer stops going round. 0: no limit,
  // the item always goes back. Deliveries are counted across processes and
  // reclaims; a plain pop is not a delivery. Persists (Python keeps the row
  // and ignores it). Default: 0.
  Setting<std::int64_t> max_deliveries = Setting<std::int64_t>::by_default(0);

  // SQLite pragmas, applied to every connection. Persist. Only these
  // pragmas are ever executed, with validated values.
  // PRAGMA auto_vacuum: 0 NONE, 1 FULL, 2 INCREMENTAL. Default: 1.
  Setting<std::int64_t> sqlite_auto_vacuum = Setting<std::int64_t>::by_default(1);
  // PRAGMA cache_size in pages (negative: KiB). Default: 8192.
  Setting<std::int64_t> sqlite_cache_size = Setting<std::int64_t>::by_default(8192);
  // PRAGMA journal_mode. Only "wal" supports concurrent readers and writers.
  // Default: "wal".
  Setting<std::string> sqlite_journal_mode = Setting<std::string>::by_default("wal");
  // PRAGMA mmap_size in bytes. Default: 64 MiB (as Python diskcache).
  Setting<std::int64_t> sqlite_mmap_size = Setting<std::int64_t>::by_default(1LL << 26);
  // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. NORMAL survives any
  // process crash but a power loss may roll back the last commits; FULL
  // survives power loss at the cost of one more fsync per write. Value files
  // are fsynced in both. Default: 1 (NORMAL).
  Setting<std::int64_t> sqlite_synchronous = Setting<std::int64_t>::by_default(1);

  // How long a call waits for a lock held by another connection before it
  // throws Timeout. Not stored (each opener chooses its own). Default: 60 s.
  Setting<std::chrono::milliseconds> timeout =
      Setting<std::chrono::milliseconds>::by_default(std::chrono::seconds(60));

  // Permission bits of the files this process creates in the directory
  // (value files, and cache.db when it creates it); directories it creates
  // get the same bits plus execute wherever read is granted (0600: 0700,
  // 0660: 0770). Masked by the process umask, as open(2) is. The default
  // keeps a cache private to its owner; 0660 shares it with a group. Must
  // include owner read and write (0600). Not stored (each opener chooses
  // its own). Default: 0600.
  Setting<int> file_mode = Setting<int>::by_default(0600);
};

// Whether a read under `settings` writes to the database (a hit or miss
// counted, an access time or count recorded), so that it takes the write
// lock: with statistics on, or a least-recently or least-frequently used
// eviction policy. Other reads take no lock.
inline bool reads_write(const Settings& settings) {
  const EvictionPolicy policy = settings.eviction_policy;
  return settings.statistics || policy == EvictionPolicy::LeastRecentlyUsed ||
         policy == EvictionPolicy::LeastFrequentlyUsed;
}

// Options of one write (set, add, push, set_stream).
struct SetOptions {
  // Time until the item expires; none: never. Any std::chrono duration.
  std::optional<std::chrono::duration<double>> expire{};
  // A tag to group items for evict(tag); Python stores str tags.
  std::optional<Value> tag{};
  // Keep retrying while the database is locked instead of throwing Timeout.
  bool retry = false;
};

// Options of one read (get, get_entry).
struct GetOptions {
  // Keep retrying while the database is locked instead of throwing Timeout.
  bool retry = false;
};

}  // namespace diskcache

#endif  // DISKCACHE_SETTINGS_HPP_
