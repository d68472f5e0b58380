// diskcache::Engine: the storage behind a Store, and the place where another
// storage plugs in.
//
// Every container (Cache, FanoutCache, Index, Deque, memoize, the recipes)
// reaches storage through a Store, and a Store is a handle that forwards each
// call to an Engine. Store(directory, settings) opens the default engine:
// one cache directory of SQLite and value files in Python diskcache's
// format. Another engine implements this interface and is handed to
// Store(std::shared_ptr<Engine>); the containers then run on it unchanged.
//
//   class MyEngine final : public diskcache::Engine { ... };
//   diskcache::Store store(std::make_shared<MyEngine>(...));
//   diskcache::Cache<std::string, int> cache(store);  // now on MyEngine
//
// Each function's contract is the Store function of the same name
// (store.hpp): its effect, result, exceptions, atomicity and guarantees on
// failure are the ones users read there, and an engine keeps them all or
// throws Error saying what it cannot do. Default arguments are Store's: an
// engine always receives every argument.
//
// Thread safety: every copy of a Store, in every thread, shares its engine,
// so an engine's functions may run concurrently from any number of threads.
// A Cursor or Scope belongs to the thread that made it; a Watch is used by
// one thread at a time.
//
// This header also holds the vocabulary engines and Stores speak: items as
// stored, statistics, scans and the ends of a queue.
#ifndef DISKCACHE_ENGINE_HPP_
#define DISKCACHE_ENGINE_HPP_

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
#include "diskcache/export.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/value.hpp"
#include "diskcache/version.hpp"

namespace diskcache {

// A value as stored, with its metadata.
struct StoredItem {
  Cell value;                         // mode() tells how it was stored
  std::optional<double> expire_time;  // Unix seconds; none: never expires
  std::optional<Value> tag;           // none: no tag
  // Bytes the value takes: its value file's length, or the length of inline
  // text, bytes or pickle; 0 for numbers and null.
  std::int64_t size = 0;
};

// Cache hit and miss counters (see Store::stats), with a fact about the
// SQLite underneath worth reading beside them.
struct Stats {
  std::int64_t hits = 0;
  std::int64_t misses = 0;
  // Whether the SQLite in use has the WAL-reset race
  // (VersionInfo::sqlite_wal_reset_race); the same in every Stats of a
  // process. This library's own connections cannot trigger it; other
  // programs writing to the directory, such as Python's diskcache, still can
  // (docs/reliability.md, "The SQLite WAL-reset race").
  bool sqlite_wal_reset_race = version().sqlite_wal_reset_race;
  friend bool operator==(const Stats&, const Stats&) = default;
};

// The order a scan visits items in (see Store::scan).
enum class ScanOrder {
  // By rowid: the order keys were first stored in (replacing a value keeps
  // the key's place), as Python's iter(cache).
  Insertion,
  // By the key column as SQLite orders it, as Python's iterkeys(): numbers
  // (integers and doubles compared by value), then text (bytewise UTF-8),
  // then bytes (bytewise, a prefix first); an encoded key (raw = 0) just
  // before a raw key with the same stored bytes.
  Key,
};

// What a scan visits (see Store::scan).
struct ScanOptions {
  ScanOrder order = ScanOrder::Insertion;
  bool reverse = false;
  // Whether the Cursor reads values (item()); false: keys only.
  bool values = true;
  // Key order only: when either is given, only raw keys k with
  // from <= k < to (in SQLite's order) are visited.
  std::optional<Cell> from = std::nullopt;
  std::optional<Cell> to = std::nullopt;
};

// An end of a queue (Store::push, pull, peek, lease; Cache and Deque): Back
// holds the largest key, Front the smallest. Python's side='back' /
// side='front'.
enum class Side { Back, Front };

// The dead-letter rule of leases, which every engine applies when a lease
// ends unacknowledged (timed out, or released): whether an item leased
// `deliveries` times goes to the dead letters rather than back to its queue,
// given Settings::max_deliveries (0: never).
constexpr bool deliveries_exhausted(std::int64_t deliveries, std::int64_t max_deliveries) noexcept {
  return max_deliveries > 0 && deliveries >= max_deliveries;
}

// The interface every storage implements (see the top of this file). Not
// copyable: Stores share one through std::shared_ptr.
class DISKCACHE_EXPORT Engine {
 public:
  // Store::ItemCheck: inspects an item a removing call is about to return,
  // inside the transaction that removes it.
  using ItemCheck = std::function<void(const Cell& key, const StoredItem& item)>;

  // Store::ValueStream: an open value file and its size in bytes.
  struct ValueStream {
    std::ifstream stream;
    std::int64_t size = 0;
  };

  // Store::Leased: an item taken from a queue under a lease.
  struct Leased {
    std::int64_t id = 0;     // with `token`, names the lease
    std::int64_t token = 0;  // random: a lease that ended is never confused with a new one
    Cell key;                // the key it had in the queue
    StoredItem item;
  };

  class Cursor;
  class Scope;
  class Watch;

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // An engine's destructor lets go of what close() would, and never throws.
  virtual ~Engine();

  // --- Opening and settings (store.hpp, "Opening and settings"). An engine
  // is opened by its own factory or constructor; Store never opens one.

  // Where the engine keeps its items: the cache directory for SQLite, the
  // location another engine is named by. Every error message names it.
  virtual const std::filesystem::path& directory() const noexcept = 0;
  // Store::settings: every setting's current value.
  virtual Settings settings() const = 0;
  // Store::reset: changes and keeps the settings `settings` gives
  // (Setting::given); the others stay as they are.
  virtual void reset(const Settings& settings) = 0;

  // --- Items (store.hpp, "Items"). A call that returns has committed; one
  // that throws has changed nothing (the strong guarantee of Store::set).

  // Store::set and Store::add: store `value` under `key` (add: only if the
  // key is absent or expired), then cull as the settings say.
  virtual bool set(const Cell& key, const Cell& value, const SetOptions& options) = 0;
  virtual bool add(const Cell& key, const Cell& value, const SetOptions& options) = 0;
  // Store::get, contains, erase: one key, unexpired items only. get counts a
  // hit or miss and records the access when the settings ask for it.
  virtual std::optional<StoredItem> get(const Cell& key, bool retry) = 0;
  virtual bool contains(const Cell& key) = 0;
  virtual bool erase(const Cell& key, bool retry) = 0;
  // Store::pop: removes and returns the item; `check` runs before the
  // removal commits, and if it throws, the item stays.
  virtual std::optional<StoredItem> pop(const Cell& key, bool retry, const ItemCheck& check) = 0;
  // Store::incr and Store::decr: atomic across every user of the storage;
  // KeyError without a default, SerializationError on overflow.
  virtual std::int64_t incr(const Cell& key, std::int64_t delta,
                            std::optional<std::int64_t> default_value, bool retry) = 0;
  virtual std::int64_t decr(const Cell& key, std::int64_t delta,
                            std::optional<std::int64_t> default_value, bool retry) = 0;
  // Store::touch: a new expiry (seconds from now; none: never) for an
  // unexpired key.
  virtual bool touch(const Cell& key, std::optional<double> expire_seconds, bool retry) = 0;
  // Store::peekitem: the first or last item in insertion order.
  virtual std::optional<std::pair<Cell, StoredItem>> peekitem(bool last, bool retry) = 0;
  // Store::size and Store::volume: items (expired ones included) and bytes.
  virtual std::int64_t size() = 0;
  virtual std::int64_t volume() = 0;
  // Store::expire, evict, cull, clear: bulk removal, returning how many
  // items went; may commit in batches, so other writers get in between.
  // expire removes the items whose expiry time is before `now` (Unix
  // seconds; nullopt: the engine's clock now).
  virtual std::int64_t expire(std::optional<double> now, bool retry) = 0;
  virtual std::int64_t evict(const Value& tag, bool retry) = 0;
  virtual std::int64_t cull(bool retry) = 0;
  virtual std::int64_t clear(bool retry) = 0;
  // Store::stats: the hit and miss counters, then counting on or off.
  virtual Stats stats(bool enable, bool reset) = 0;
  // Store::create_tag_index and drop_tag_index: an index that makes evict
  // fast (an engine without one may do nothing).
  virtual void create_tag_index() = 0;
  virtual void drop_tag_index() = 0;

  // --- Checking and maintenance (store.hpp, "Checking", "Maintenance").

  // Store::check: one message per problem found; with `fix`, repaired.
  virtual std::vector<std::string> check(bool fix, bool retry) = 0;
  // Store::vacuum: gives back the space removed items left.
  virtual void vacuum() = 0;

  // --- Queue on a cache (store.hpp, "Queue on a cache"): keys exactly as
  // Python diskcache makes them, so both see one queue.

  // Store::push: stores `value` under a new key past the `side` end.
  virtual Cell push(const Cell& value, const std::optional<std::string>& prefix, Side side,
                    const SetOptions& options) = 0;
  // Store::pull and Store::peek: the item at `side`; pull removes it, after
  // `check` has run, in one atomic step.
  virtual std::optional<std::pair<Cell, StoredItem>> pull(const std::optional<std::string>& prefix,
                                                          Side side, bool retry,
                                                          const ItemCheck& check) = 0;
  virtual std::optional<std::pair<Cell, StoredItem>> peek(const std::optional<std::string>& prefix,
                                                          Side side, bool retry) = 0;
  // Store::queue_key_at and Store::queue_keys: keys of a queue by position,
  // and a page of them, without holding anything open between pages.
  virtual std::optional<Cell> queue_key_at(const std::optional<std::string>& prefix,
                                           std::int64_t index, Side side) = 0;
  virtual std::vector<Cell> queue_keys(const std::optional<std::string>& prefix, Side side,
                                       const std::optional<Cell>& after, std::int64_t limit) = 0;

  // --- Streamed values (store.hpp, "Streamed values").

  // Store::set_stream: stores what `in` yields, never whole in memory.
  virtual bool set_stream(const Cell& key, std::istream& in, const SetOptions& options) = 0;
  // Store::add_stream: set_stream only if `key` is missing or expired.
  virtual bool add_stream(const Cell& key, std::istream& in, const SetOptions& options) = 0;
  // Store::read: the value as a stream that stays readable after the key
  // is replaced or removed.
  virtual std::optional<ValueStream> read(const Cell& key, bool retry) = 0;

  // --- Leases (store.hpp, "Leases"): at-least-once delivery; a leased item
  // comes back to its queue when its lease ends unacknowledged.

  virtual void enable_leases() = 0;
  virtual std::optional<Leased> lease(const std::optional<std::string>& prefix, Side side,
                                      std::chrono::duration<double> visibility, bool retry,
                                      const ItemCheck& check) = 0;
  virtual bool ack(std::int64_t id, std::int64_t token, bool retry) = 0;
  virtual bool release(std::int64_t id, std::int64_t token, bool retry) = 0;
  virtual bool renew(std::int64_t id, std::int64_t token, std::chrono::duration<double> visibility,
                     bool retry) = 0;
  virtual std::int64_t reclaim_leases(const std::optional<std::string>& prefix, bool retry) = 0;
  // Store::leased_count: items of the queue `prefix` out on a lease now.
  virtual std::int64_t leased_count(const std::optional<std::string>& prefix) = 0;

  // --- Dead letters (store.hpp, "Dead letters"): where a queue's items go
  // that no consumer can take, so they never block its head.

  // Store::dead_letters: the engine holding this one's dead letters, a
  // queue of its own that other programs can read.
  virtual std::shared_ptr<Engine> dead_letters() = 0;
  // Store::dead_letter: moves the unexpired item under `key` to the back of
  // the queue `prefix` of dead_letters(); false if there is none. Never
  // loses the item: it is written there before it leaves this queue.
  virtual bool dead_letter(const std::optional<std::string>& prefix, const Cell& key,
                           bool retry) = 0;

  // --- Iteration (store.hpp, "Iteration").

  // Store::scan: a Cursor over the items `options` selects. It reads at
  // most Store::kScanPage items at a time and holds nothing open between
  // pages. REQUIRES: the engine outlives the Cursor (Store::Cursor sees to
  // it).
  virtual std::unique_ptr<Cursor> scan(ScanOptions options) = 0;

  // --- Waiting for changes, transactions, closing (store.hpp, "Waiting for
  // changes, transactions, closing").

  // Store::wait_until: calls `attempt` until it returns true or `timeout`
  // passes, sleeping between attempts until a change is likely rather than
  // polling in a tight loop.
  virtual bool wait_until(std::chrono::duration<double> timeout,
                          const std::function<bool()>& attempt) = 0;
  // Store::watch_changes: a Watch whose descriptor event loops poll (see
  // Watch below and change_watch.hpp).
  virtual std::unique_ptr<Watch> watch_changes() = 0;
  // Store::transact: begins a write transaction on this thread, or nests
  // one in the thread's open one; every call the thread makes on this
  // engine meanwhile belongs to it. Transaction decides when the Scope
  // commits. REQUIRES: the engine outlives the Scope (Transaction sees to
  // it).
  virtual std::unique_ptr<Scope> transact(bool retry) = 0;
  // Store::close: lets go of what the engine holds open (connections); the
  // next call opens again.
  virtual void close() = 0;

 protected:
  Engine() = default;
};

// The engine's side of a Store::Cursor: the same three calls, with the same
// contract (store.hpp).
class DISKCACHE_EXPORT Engine::Cursor {
 public:
  Cursor() = default;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  virtual ~Cursor();

  virtual bool next() = 0;
  virtual const Cell& key() const noexcept = 0;
  virtual StoredItem& item() noexcept = 0;
};

// The engine's side of a Transaction: one write scope, outermost or nested.
// Transaction (transaction.hpp) decides when to commit and when to roll back;
// the Scope only does it.
class DISKCACHE_EXPORT Engine::Scope {
 public:
  Scope() = default;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  // Rolls the scope's writes back unless commit() succeeded. Never throws:
  // a rollback that fails is left to the storage to finish.
  virtual ~Scope();

  // Commits the outermost scope, or keeps a nested scope's writes for the
  // scope around it. Throws Timeout, IoError, CorruptionError or Error if it
  // fails; destroying the Scope then rolls back.
  // REQUIRES: called at most once.
  virtual void commit() = 0;
};

// The engine's side of a ChangeWatch (change_watch.hpp): a file descriptor
// that becomes readable (POLLIN) once some process has committed to the
// store since the last clear(), or at least every few milliseconds where
// changes cannot be noticed.
class DISKCACHE_EXPORT Engine::Watch {
 public:
  Watch() = default;
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;
  // Closes the descriptor. Never throws.
  virtual ~Watch();

  // The descriptor to poll; valid, and owned by the Watch, for its life.
  virtual int fd() const noexcept = 0;
  // Consumes what made fd() readable. Never blocks; throws IoError if
  // reading the descriptor fails.
  virtual void clear() = 0;
  // False when fd() is a timer rather than a notification of changes.
  virtual bool notices_changes() const noexcept = 0;
};

}  // namespace diskcache

#endif  // DISKCACHE_ENGINE_HPP_
