// diskcache::Store: the untyped storage under every container.
//
// A Store is one cache directory: `cache.db` (SQLite in WAL mode) plus value
// files `ab/cd/<28 hex digits>.val`, in exactly the layout Python diskcache
// 5.x uses. It works on Cells (see cell.hpp) and knows nothing of C++ types;
// Cache, Index and Deque are typed views over it. Most users never touch a
// Store directly.
//
// The Store owns the schema and the Settings table, transactions and retry on
// busy, expiry, culling and eviction, tags, statistics, value-file lifecycle
// and check(). Its rules:
//   * A call that returned has committed.
//   * A value file is written under a temporary name, fsynced and renamed
//     before the row naming it commits; a replaced or removed value's file is
//     unlinked only after the row's change commits.
//   * Every read-modify-write runs in BEGIN IMMEDIATE; SQLITE_BUSY is retried
//     with capped backoff until Settings::timeout, then Timeout is thrown (or,
//     with retry, retried for ever).
//
// Thread safety: a Store may be shared by any number of threads; each thread
// gets its own SQLite connection, opened on first use and closed when the
// thread ends. Any number of
// processes may open the same directory. After fork() the child's first call
// opens fresh connections and never touches the parent's. fork() may be
// called while other threads use the library: it waits until they are out
// of SQLite and their write transactions have ended (a transact() scope held
// open in another thread holds fork() up until it ends), so the child
// inherits no SQLite lock or mutex held by a thread it does not have. A
// child forked inside a transaction of its own thread must not use that
// directory.
//
// A Store is a handle: each call is forwarded to its Engine (engine.hpp),
// the interface every storage implements. Store(directory, settings) opens
// the SQLite engine this page describes; Store(std::shared_ptr<Engine>)
// puts another one under the same calls. Copies of a Store, and every Store
// opened on the same directory in one process, share one engine
// (connections, settings, transactions); the engine closes when the last of
// them goes away.
//
// Where the code is: each section below names the file of the SQLite engine
// (class detail::SqliteEngine, src/sqlite_engine.hpp) that implements its
// calls. The handle itself, forwarding each call, is src/store.cpp.
#ifndef DISKCACHE_STORE_HPP_
#define DISKCACHE_STORE_HPP_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/cell.hpp"
#include "diskcache/change_watch.hpp"
#include "diskcache/engine.hpp"
#include "diskcache/export.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/transaction.hpp"
#include "diskcache/value.hpp"
#include "diskcache/version.hpp"

namespace diskcache {

namespace detail {
class StoreInternal;
}  // namespace detail

class DISKCACHE_EXPORT Store {
 public:
  class Cursor;

  // --- Opening and settings. Implemented in src/sqlite_engine_open.cpp
  // (opening, prepare_directory, settings, reset) and
  // src/connection_registry.cpp (one engine per directory in a process).

  // Opens (creating if needed) the cache in `directory`; an empty path creates
  // a new temporary directory. Settings the caller gave override the stored
  // ones and are written back; the rest keep their stored (or default) values.
  // An existing cache whose settings and schema are all there is opened
  // without writing (or waiting for the write lock).
  // Throws IoError if the directory cannot be created or written,
  // CorruptionError if cache.db is not a cache (not SQLite, or another
  // application's database) or is cut short (not a whole number of pages),
  // Timeout if the database stays locked.
  explicit Store(std::filesystem::path directory = {}, const Settings& settings = {});

  // A Store on `engine`, another storage than a cache directory (see
  // engine.hpp); its copies share `engine`. Throws Error if `engine` is null.
  explicit Store(std::shared_ptr<Engine> engine);

  // What opening does first, for containers that lay out directories of
  // their own (FanoutCache's shards): validates `settings`, then creates
  // `directory` and its missing parents with the mode Settings::file_mode
  // implies (an existing directory keeps its mode). An empty path creates a
  // new private temporary directory. Returns the directory.
  // Throws Error for an invalid setting (before creating anything), IoError
  // if a directory cannot be created or is not a directory.
  static std::filesystem::path prepare_directory(std::filesystem::path directory,
                                                 const Settings& settings);

  // The cache directory.
  const std::filesystem::path& directory() const noexcept;

  // Every setting's current value.
  Settings settings() const;

  // Changes the settings the caller gave in `settings` (others are left as
  // they are) and stores them. Throws Timeout, IoError.
  void reset(const Settings& settings);

  // --- Items: single keys, bulk removal, statistics. Implemented in
  // src/sqlite_engine.cpp, on the row building blocks of src/sqlite_rows.cpp.

  // Stores `value` under `key`, replacing any previous value. Returns true.
  // Strong guarantee: if it throws, the previous value is intact and no
  // new value file remains. Throws SerializationError for a key, value or
  // tag SQLite would store as something else (NaN) or that is text Python
  // cannot decode (not UTF-8), Error for a NaN expire.
  bool set(const Cell& key, const Cell& value, const SetOptions& options = {});

  // Like set, but only if `key` is absent or expired. Returns whether it stored.
  bool add(const Cell& key, const Cell& value, const SetOptions& options = {});

  // The unexpired value under `key`, or nullopt. Throws CorruptionError if the
  // row names a value file that is missing or has the wrong size.
  std::optional<StoredItem> get(const Cell& key, bool retry = false);

  // Whether an unexpired value is stored under `key`. Never reads value files.
  bool contains(const Cell& key);

  // Removes `key`. Returns whether an unexpired item was removed.
  bool erase(const Cell& key, bool retry = false);

  // Inspects an item that a removing call (pop, pull) is about to return,
  // inside the transaction that removes it: if it throws, the removal rolls
  // back and the exception propagates. Typed containers decode the value
  // here, so an item that cannot be decoded is never lost.
  using ItemCheck = Engine::ItemCheck;

  // Removes `key` and returns its unexpired value, atomically: a value file is
  // read (and `check` run) inside the transaction that deletes the row, so a
  // failure to read or decode it rolls the deletion back.
  std::optional<StoredItem> pop(const Cell& key, bool retry = false, const ItemCheck& check = {});

  // Adds `delta` to the integer stored under `key` and returns the result.
  // A missing or expired key starts from `default_value`; with no default,
  // throws KeyError. Throws SerializationError if the stored value is not an
  // integer or the sum overflows int64.
  std::int64_t incr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry = false);
  // Subtracts `delta` from the integer stored under `key` (a missing key
  // starts from `default_value`) and returns the result; any `delta`,
  // INT64_MIN included, as long as the result fits in int64. Throws as incr.
  std::int64_t decr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry = false);

  // Sets the expiry of an unexpired `key` to `expire_seconds` from now (none:
  // never). Returns whether the key was found.
  bool touch(const Cell& key, std::optional<double> expire_seconds, bool retry = false);

  // The first (last = false) or last item in insertion order; expired items
  // met on the way are deleted. nullopt when the cache is empty.
  std::optional<std::pair<Cell, StoredItem>> peekitem(bool last = true, bool retry = false);

  // Number of items, expired ones included (Python's len()).
  std::int64_t size();

  // Estimated bytes on disk: database pages plus value files.
  std::int64_t volume();

  // Removes expired items; returns how many.
  std::int64_t expire(bool retry = false);
  // Removes the items that expire before `now_seconds` (Unix time), as if
  // the clock read that: Python's expire(now=...).
  std::int64_t expire_before(double now_seconds, bool retry = false);
  // Removes items tagged `tag`; returns how many.
  std::int64_t evict(const Value& tag, bool retry = false);
  // Removes expired items, then evicts by policy until volume() <= size_limit;
  // returns how many.
  std::int64_t cull(bool retry = false);
  // Removes every item; returns how many.
  std::int64_t clear(bool retry = false);

  // Returns the hit/miss counters, then turns counting on or off and
  // optionally resets the counters.
  Stats stats(bool enable = true, bool reset = false);

  void create_tag_index();
  void drop_tag_index();

  // --- Checking. Implemented in src/sqlite_engine_check.cpp.

  // Checks the database's integrity, value files against rows, each row's
  // mode against where its value is, and the stored count and size; returns
  // one message per problem. With `fix`, repairs what it can: removes rows
  // whose file is missing or damaged, rows no reader can use (an unknown
  // mode, a raw value naming a file, a file mode without one: get() throws
  // CorruptionError on them) with the file they name, unknown and temporary
  // files older than ten minutes (younger ones may be writes waiting for the
  // lock), empty directories, and corrects the count and size.
  // Throws IoError naming the file, having repaired nothing, if a value file
  // cannot be examined (EACCES, EMFILE, EIO): it may well be intact.
  std::vector<std::string> check(bool fix = false, bool retry = false);

  // --- Maintenance. Implemented in src/sqlite_engine_maintenance.cpp.

  // Rebuilds cache.db without its free pages (SQLite's VACUUM), then
  // checkpoints the WAL into it, so the file shrinks to what the items need.
  // Value files are untouched. Waits for other writers up to
  // Settings::timeout, then throws Timeout; other processes may keep
  // reading meanwhile. Takes time and space proportional to the database.
  // REQUIRES: no transaction open on this thread.
  void vacuum();

  // The version of the SQLite library in use, e.g. "3.40.1". Worth logging
  // with any report of a damaged cache (RELIABILITY.md).
  static std::string sqlite_version();

  // --- Queue on a cache, as Python's Cache.push/pull/peek. A queue is the
  // range of raw keys strictly between 0 and 999999999999999 (no prefix) or
  // between "prefix-000000000000000" and "prefix-999999999999999" (text),
  // ordered by key; other keys in that range take part too, as in Python.
  // Implemented in src/sqlite_engine_queue.cpp.

  // Stores `value` under a new key one past the key at `side` (Back: largest
  // + 1, Front: smallest - 1), or 500000000000000 in an empty queue, then
  // culls like set. Returns the key: an integer, or the text
  // "prefix-<number as %015d>". Throws Error if a key in a prefix's range
  // does not end in a number (nothing is stored).
  Cell push(const Cell& value, const std::optional<std::string>& prefix, Side side,
            const SetOptions& options = {});

  // Removes and returns the item at `side` (key and value), atomically;
  // expired items met there are removed and skipped. nullopt when the queue
  // is empty. The value file is read and `check` run inside the transaction
  // that deletes the row, so a failure in either leaves the item in place.
  std::optional<std::pair<Cell, StoredItem>> pull(const std::optional<std::string>& prefix,
                                                  Side side, bool retry = false,
                                                  const ItemCheck& check = {});

  // Like pull, but leaves the item in place (expired ones are still removed).
  std::optional<std::pair<Cell, StoredItem>> peek(const std::optional<std::string>& prefix,
                                                  Side side, bool retry = false);

  // The key `index` places from `side` of the queue `prefix` (0: the end
  // itself), or nullopt when the queue is shorter.
  std::optional<Cell> queue_key_at(const std::optional<std::string>& prefix, std::int64_t index,
                                   Side side);

  // Up to `limit` keys of the queue `prefix` in order from `side` (Front:
  // ascending), starting after `after` (none: at the end itself). Paging
  // with the last key returned walks the whole queue without holding a read
  // transaction between pages.
  std::vector<Cell> queue_keys(const std::optional<std::string>& prefix, Side side,
                               const std::optional<Cell>& after, std::int64_t limit);

  // --- Streamed values: Python's set(key, file, read=True), get(key, read=True).
  // Implemented in src/sqlite_engine_stream.cpp.

  // Stores the bytes read from `in` up to its end under `key`, as Python's
  // set(key, file, read=True) does: always in a value file, whatever the
  // size, as bytes (mode 2), copied 1 MiB at a time so the value is never
  // whole in memory; then culls like set. Returns true. `in`'s exception
  // mask is set aside while reading; `in` is left at its end.
  // Throws IoError if `in` has already failed (e.g. a file that did not
  // open) or goes bad (badbit) while being read, or if the value file cannot
  // be written; Timeout as set. Strong guarantee, as set.
  bool set_stream(const Cell& key, std::istream& in, const SetOptions& options = {});
  // set_stream only if `key` is missing or expired, as Python's add(key,
  // file, read=True): returns false, and stores nothing, if it is present.
  // `in` is read to its end either way (the key is checked under the write
  // lock, after the copy). Throws as set_stream.
  bool add_stream(const Cell& key, std::istream& in, const SetOptions& options = {});

  // An open value file (`stream`) and its size in bytes (`size`); see read.
  using ValueStream = Engine::ValueStream;

  // Opens the value file of the unexpired `key` for reading, as Python's
  // get(key, read=True); nullopt if `key` is missing or expired. Counts a
  // hit or miss and records the access as get does. The stream holds the
  // file open, so it stays readable after the key is replaced or removed.
  // Values written by set_stream are always files; set stores text (mode 3,
  // read as its UTF-8 bytes) and bytes in files from
  // Settings::disk_min_file_size on.
  // Throws Error if the value is stored inline in the database (mode 1: a
  // number, or text or bytes below disk_min_file_size; use get() instead),
  // SerializationError if it is a Python pickle (mode 4), CorruptionError if
  // the file is missing or has the wrong size, IoError, Timeout.
  std::optional<ValueStream> read(const Cell& key, bool retry = false);

  // --- Leases: at-least-once delivery from a queue (Deque::lease_front).
  // A leased item leaves its queue for the Lease table (which Python never
  // reads) until ack() deletes it, release() returns it, or its deadline
  // passes; reclaim_leases() then returns it to the front of its queue.
  // Implemented in src/sqlite_engine_lease.cpp.

  // An item taken from a queue under a lease: `id` and `token` name the
  // lease (the token is random, so a lease that ended is never confused with
  // a new one), `key` is the key it had in the queue, `item` the item.
  using Leased = Engine::Leased;

  // Creates the Lease table (leased items) and the Delivery table (the
  // deliveries of items back in their queue) if they do not exist yet, and
  // adds Lease's deliveries column to a table made before it. When all are
  // there it only reads, so it never waits for another writer; otherwise it
  // waits for the write lock for ever. Called by every Deque constructor.
  // Throws IoError, CorruptionError.
  // REQUIRES: called (by any process) before the other lease calls.
  void enable_leases();

  // Pulls the item at `side` of the queue `prefix` (see pull; `check` runs
  // inside the transaction) and leases it for `visibility`. Expired leases of
  // the queue are reclaimed first. nullopt when the queue is empty. A NaN
  // `visibility` throws Error and leaves the queue as it was.
  std::optional<Leased> lease(const std::optional<std::string>& prefix, Side side,
                              std::chrono::duration<double> visibility, bool retry = false,
                              const ItemCheck& check = {});
  // Deletes the leased item for good. Returns false if the lease had already
  // ended (its item was reclaimed, and may be delivered again).
  bool ack(std::int64_t id, std::int64_t token, bool retry = false);
  // Returns the leased item to the front of its queue now (to the dead
  // letters instead, once it has had Settings::max_deliveries leases);
  // false if the lease had already ended.
  bool release(std::int64_t id, std::int64_t token, bool retry = false);
  // Moves the lease's deadline to `visibility` from now; false if it had
  // already ended. A NaN `visibility` throws Error and keeps the deadline.
  bool renew(std::int64_t id, std::int64_t token, std::chrono::duration<double> visibility,
             bool retry = false);
  // Returns the items of the queue `prefix` whose lease deadline has passed
  // to the front of the queue (their original order kept); expired items are
  // dropped, and items that have had Settings::max_deliveries leases go to
  // the dead letters. Returns how many went back to the queue.
  std::int64_t reclaim_leases(const std::optional<std::string>& prefix, bool retry = false);
  // The number of items of the queue `prefix` out on a lease now (acked
  // ones are gone; reclaimed and released ones are back in the queue). They
  // are not counted by size(), which counts the items waiting in the queue.
  // 0 before enable_leases().
  std::int64_t leased_count(const std::optional<std::string>& prefix = std::nullopt);

  // --- Dead letters: a queue's items that no consumer can take (they cannot
  // be decoded, or they were leased Settings::max_deliveries times and never
  // acknowledged) are moved aside into a second queue, the dead letters, so
  // they never block the head. The SQLite engine keeps them in the cache
  // directory <directory>/cache.db-dead-letters (kDeadLetterDirectory), a
  // queue Python reads as diskcache.Deque(directory=...); its name contains
  // "cache.db", so Python's and this library's check(fix) on the queue leave
  // it alone. Implemented in src/sqlite_engine_dead_letters.cpp.

  // The name of the dead letters' directory inside a cache directory.
  static constexpr const char* kDeadLetterDirectory = "cache.db-dead-letters";

  // The Store of this store's dead letters (opened, and created with
  // eviction policy none, on first use); its queues have the prefixes of
  // the queues their items came from.
  Store dead_letters();

  // Moves the unexpired item under `key` of the queue `prefix` to the back of
  // the same queue of dead_letters(): its value (mode and bytes, a value
  // file's contents included), expire time and tag unchanged, under a new
  // key there. Returns false, moving nothing, if `key` holds no unexpired
  // item (another consumer took it). The item is written to the dead
  // letters (committed) before it is deleted here, so a crash in between
  // leaves it in both, never in neither. Inside a transaction the deletion
  // commits with it, the copy at once.
  // Throws CorruptionError if the item's value file is missing or damaged
  // (nothing moves), Timeout, IoError.
  bool dead_letter(const std::optional<std::string>& prefix, const Cell& key, bool retry = false);

  // --- Iteration: the items a page at a time (see Cursor).
  // Implemented in src/sqlite_engine_scan.cpp.

  // A Cursor over the unexpired items `options` selects, reading
  // kScanPage rows per query. Nothing is read until the first next().
  // Throws SerializationError if a bound is null, Error if bounds are given
  // for insertion order.
  Cursor scan(ScanOptions options);

  // Rows one query of a scan reads.
  static constexpr std::int64_t kScanPage = 100;

  // --- Waiting for changes, transactions, closing. Implemented in
  // src/sqlite_engine.cpp (wait_until, transact), src/sqlite_engine_watch.cpp
  // (watch_changes) and src/connection_registry.cpp (close); the write
  // transaction itself is src/transaction.cpp's, the Transaction around it
  // src/store.cpp's.

  // Calls `attempt` until it returns true or `timeout` passes; returns its
  // last result. Between attempts it sleeps until some process (C++ or
  // Python) commits to this directory, noticed through inotify, or at most a
  // few milliseconds (the fallback when no event arrives), so waiting does
  // not poll SQLite in a tight loop. Signals do not stretch the wait. A
  // timeout above a century waits a century; a NaN timeout throws Error.
  bool wait_until(std::chrono::duration<double> timeout, const std::function<bool()>& attempt);

  // A file descriptor that becomes readable when some process may have
  // changed the store, for event loops (see change_watch.hpp).
  ChangeWatch watch_changes();

  // Begins a write transaction on this thread (see transaction.hpp); nests
  // if one is open. Waits for the write lock up to Settings::timeout, then
  // throws Timeout; with `retry`, waits for ever.
  [[nodiscard]] Transaction transact(bool retry = false);

  // Closes every connection of this Store's engine, which every container on
  // the same directory in this process shares; the next call reopens.
  // REQUIRES: no other thread uses the directory meanwhile, no transaction
  // is open.
  void close();

 private:
  friend class detail::StoreInternal;  // the library's and tests' way in (src/store_internal.hpp)

  std::shared_ptr<Engine> engine_;  // never null
};

// Walks the items of a scan, a page of rows at a time. Each page is one short
// read statement, reset before the Cursor returns, so no read transaction
// stays open between pages and checkpoints can reset the WAL meanwhile.
// Memory holds one page and one value, never the whole cache.
//
// Other processes may write meanwhile: an item present for the whole scan is
// visited exactly once (with the value it has when visited); an item added
// or removed during the scan may or may not be visited. In insertion order
// only items already stored when the scan started are visited. Expired items
// are skipped. Visiting an item is not an access: it changes no statistics
// and no least-recently-used order.
//
// Thread safety: one thread at a time; it uses that thread's connection.
// Inside a transaction the pages see the transaction's writes.
//
// Implemented in src/sqlite_engine_scan.cpp (the handle: src/store.cpp).
class DISKCACHE_EXPORT Store::Cursor {
 public:
  Cursor(Cursor&&) noexcept;
  Cursor& operator=(Cursor&&) noexcept;
  ~Cursor();

  // Moves to the next item; false when there are no more. With values,
  // reads the item's value file now; an item whose file vanished (replaced
  // or removed by a writer) is read again under its key, or skipped if it
  // is gone. Throws CorruptionError if the file stays missing or has the
  // wrong size, Timeout, IoError.
  bool next();

  // The current item's key and (when values were asked for) its value.
  // REQUIRES: the last next() returned true.
  const Cell& key() const noexcept;
  StoredItem& item() noexcept;

 private:
  friend class Store;
  Cursor(std::shared_ptr<Engine> engine, std::unique_ptr<Engine::Cursor> cursor) noexcept;

  // Declared first, so destroyed last: the engine outlives its cursor.
  std::shared_ptr<Engine> engine_;
  std::unique_ptr<Engine::Cursor> cursor_;
};

}  // namespace diskcache

#endif  // DISKCACHE_STORE_HPP_
