// diskcache::Cache<K, V, Disk>: a persistent, typed, multi-process cache.
// Start here.
//
// A Cache maps keys of type K to values of type V in a directory on disk.
// Items survive restarts, may expire, and are evicted when the cache exceeds
// its size limit. Keys and values are converted by the disk policy `Disk`
// (default disk::Auto: integers, doubles, strings and bytes are stored exactly
// as Python diskcache stores them, anything else with cereal).
//
//   diskcache::Cache<std::string, std::string> cache("/tmp/my_cache");
//   if (!cache.contains("item")) cache.set("item", slow_operation("item"));
//   std::string value = cache.at("item");
//
// The default Cache<> has diskcache::Value keys and values, so one cache can
// mix types as a Python one does:
//
//   diskcache::Cache<> cache;
//   cache.set("score", 99);
//   cache["user"] = "alice";
//   std::int64_t score = cache.get("score")->as<std::int64_t>();
//
// Thread safety: a Cache may be shared by any number of threads. Process
// safety: any number of processes (C++ or Python diskcache 5.x) may open the
// same directory at once. Fork safety: after fork() the child's first call
// opens its own connection; the parent's is never touched.
//
// Errors: every method may throw Timeout when the database stays locked
// longer than Settings::timeout (unless `retry`), IoError when the file
// system fails, CorruptionError when the directory holds damaged data, and
// SerializationError when stored bytes cannot be decoded as K or V.
// A failed write leaves the previous value in place (strong guarantee).
#ifndef DISKCACHE_CACHE_HPP_
#define DISKCACHE_CACHE_HPP_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <istream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/detail/bulk.hpp"
#include "diskcache/detail/decode.hpp"
#include "diskcache/detail/scan_range.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk_policy.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/memoize.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

// A value together with its expiry time and tag (see Cache::get_entry).
template <class V>
struct Entry {
  V value;
  // When the item expires; none: never.
  std::optional<std::chrono::system_clock::time_point> expire_time;
  // The item's tag; none: untagged.
  std::optional<Value> tag;
};

template <class K = Value, class V = Value, class Disk = disk::Auto>
requires DiskPolicyFor<Disk, K> && DiskPolicyFor<Disk, V>
class Cache {
 public:
  using key_type = K;
  using mapped_type = V;
  using disk_type = Disk;
  using duration = std::chrono::duration<double>;
  // Lazy input ranges of keys and of (key, value) pairs (see keys()).
  using key_range = detail::ScanRange<detail::DecodeKey<Disk, K>>;
  using item_range = detail::ScanRange<detail::DecodeItem<Disk, K, V>>;

  // Opens (creating if needed) the cache in `directory`; an empty path makes
  // a new temporary directory. Settings given in `settings` override the
  // stored ones and persist; the others keep their stored values.
  // Throws IoError (cannot create or write the directory), CorruptionError
  // (cache.db is not a cache, or is cut short), Error (a setting out of range).
  explicit Cache(std::filesystem::path directory = {}, const Settings& settings = {})
      : store_(std::move(directory), settings) {}

  // A Cache over an existing Store (shares its connections and settings).
  explicit Cache(Store store) : store_(std::move(store)) {}

  // Stores `value` under `key`, replacing any previous value, and culls
  // expired and (if over the size limit) evicted items. Returns true.
  // Throws SerializationError, storing nothing, for what SQLite would store
  // as something else: a NaN key, value or tag (SQLite keeps NULL), or for
  // text that is not valid UTF-8 (Python could not read it); Error for a
  // NaN expire.
  //   cache.set("session", token, {.expire = std::chrono::minutes(1), .tag = "web"});
  bool set(const K& key, const V& value, const SetOptions& options = {}) {
    return store_.set(encode(key), encode(value), options);
  }

  // Stores `value` only if `key` is absent or expired; atomic across
  // processes (exactly one concurrent add of a key succeeds). Returns whether
  // it stored.
  bool add(const K& key, const V& value, const SetOptions& options = {}) {
    return store_.add(encode(key), encode(value), options);
  }

  // The value under `key`, or nullopt if missing or expired. Throws
  // IoError for a value file too large to load (more than the machine's
  // memory, or the allocation fails); read() streams it instead.
  std::optional<V> get(const K& key, const GetOptions& options = {}) {
    const Cell cell = encode(key);
    std::optional<StoredItem> item = store_.get(cell, options.retry);
    if (!item) return std::nullopt;
    return decode<V>(item->value, cell);
  }

  // The value under `key` with its expiry time and tag, or nullopt.
  std::optional<Entry<V>> get_entry(const K& key, const GetOptions& options = {}) {
    const Cell cell = encode(key);
    std::optional<StoredItem> item = store_.get(cell, options.retry);
    if (!item) return std::nullopt;
    return entry_of(std::move(*item), cell);
  }

  // The value under `key`. Throws KeyError if it is missing or expired.
  V at(const K& key) {
    const Cell cell = encode(key);
    std::optional<StoredItem> item = store_.get(cell, /*retry=*/true);
    if (!item) throw missing(cell);
    return decode<V>(item->value, cell);
  }

  // Python's cache[key]: reads like at(), assigns like set(); both retry
  // while the database is locked. For a Cache of Values, as<T>() reads and
  // converts in one step: cache["hits"].as<std::int64_t>().
  class ItemProxy {
   public:
    operator V() const { return cache_->at(key_); }
    template <class T>
    T as() const requires std::same_as<V, Value> {
      return cache_->at(key_).template as<T>();
    }
    ItemProxy& operator=(const V& value) {
      cache_->set(key_, value, SetOptions{.retry = true});
      return *this;
    }

   private:
    friend class Cache;
    ItemProxy(Cache* cache, const K& key) : cache_(cache), key_(key) {}
    Cache* cache_;
    K key_;
  };
  ItemProxy operator[](const K& key) { return ItemProxy(this, key); }

  // Whether an unexpired item is stored under `key`.
  bool contains(const K& key) { return store_.contains(encode(key)); }

  // Removes `key`; returns whether an unexpired item was removed.
  bool erase(const K& key, bool retry = false) { return store_.erase(encode(key), retry); }

  // Removes `key` and returns its value, atomically; nullopt if missing.
  // A value that cannot be decoded as V throws SerializationError and stays.
  std::optional<V> pop(const K& key, bool retry = false) {
    const Cell cell = encode(key);
    std::optional<V> value;
    store_.pop(cell, retry, [&](const Cell&, const StoredItem& item) {
      value.emplace(decode<V>(item.value, cell));
    });
    return value;
  }
  // pop() with the item's expiry time and tag (Python's
  // pop(key, expire_time=True, tag=True)).
  std::optional<Entry<V>> pop_entry(const K& key, bool retry = false) {
    const Cell cell = encode(key);
    std::optional<Entry<V>> entry;
    store_.pop(cell, retry,
               [&](const Cell&, const StoredItem& item) { entry.emplace(entry_of(item, cell)); });
    return entry;
  }

  // Many items at once (the get_many, set_many and delete_many Python users
  // write loops for). Each takes any input range and works through it in
  // chunks of 1000 items, one write transaction per chunk: a chunk costs one
  // commit instead of one per item, and other writers take their turn
  // between chunks. A chunk is atomic, the whole call is not (call it inside
  // transact() for that); an exception rolls back only the chunk it
  // happens in. Throws as the single-item calls. A braced list works too.
  //   cache.set_many(std::map<std::string, int>{{"a", 1}, {"b", 2}});
  //   std::vector<std::optional<int>> values = cache.get_many({"a", "z"});
  // The value under each key, in the keys' order; nullopt for a missing or
  // expired key. Reads that write (statistics on, or a least-recently or
  // least-frequently used policy: see reads_write) share a transaction per
  // chunk; plain reads take no lock at all, as get() does.
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::vector<std::optional<V>> get_many(Keys&& keys, const GetOptions& options = {}) {
    std::vector<std::optional<V>> values;
    const auto get_one = [&](const K& key) { values.push_back(get(key, options)); };
    if (reads_write(settings())) {
      detail::for_each_in_chunks(
          keys, [&] { return transact(options.retry); }, get_one);
    } else {
      for (const K& key : keys) get_one(key);
    }
    return values;
  }
  // Stores each (key, value) pair, later pairs replacing earlier ones with
  // the same key, all with `options`. Returns how many it stored.
  template <detail::PairRangeOf<K, V> Items = std::initializer_list<std::pair<K, V>>>
  std::size_t set_many(Items&& items, const SetOptions& options = {}) {
    std::size_t stored = 0;
    detail::for_each_in_chunks(
        items, [&] { return transact(options.retry); },
        [&](const auto& item) { stored += set(item.first, item.second, options) ? 1 : 0; });
    return stored;
  }
  // Removes each key; returns how many unexpired items it removed.
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::size_t delete_many(Keys&& keys, bool retry = false) {
    std::size_t removed = 0;
    detail::for_each_in_chunks(
        keys, [&] { return transact(retry); },
        [&](const K& key) { removed += erase(key, retry) ? 1 : 0; });
    return removed;
  }

  // Adds `delta` to the integer under `key` and returns the new value;
  // atomic across processes. A missing or expired key starts at `default_`;
  // with no default, throws KeyError. Throws SerializationError if the value
  // is not an integer or the result overflows.
  std::int64_t incr(const K& key, std::int64_t delta = 1, std::optional<std::int64_t> default_ = 0,
                    bool retry = false) {
    return store_.incr(encode(key), delta, default_, retry);
  }
  // Subtracts `delta` from the integer under `key` (a missing key starts at
  // `default_`) and returns the new value, as incr(key, -delta, ...) would
  // but for any delta: decr(k, INT64_MIN) gives INT64_MAX from -1. Throws
  // as incr.
  std::int64_t decr(const K& key, std::int64_t delta = 1, std::optional<std::int64_t> default_ = 0,
                    bool retry = false) {
    return store_.decr(encode(key), delta, default_, retry);
  }

  // Sets the expiry of an unexpired `key` to `expire` from now (nullopt:
  // never). Returns whether the key was found.
  bool touch(const K& key, std::optional<duration> expire = std::nullopt, bool retry = false) {
    std::optional<double> seconds;
    if (expire) seconds = expire->count();
    return store_.touch(encode(key), seconds, retry);
  }

  // The last (or first) item in insertion order; nullopt if empty.
  // Expired items met on the way are removed.
  std::optional<std::pair<K, V>> peekitem(bool last = true, bool retry = false) {
    auto item = store_.peekitem(last, retry);
    if (!item) return std::nullopt;
    return std::pair<K, V>(decode<K>(item->first, item->first),
                           decode<V>(item->second.value, item->first));
  }
  // peekitem() with the item's expiry time and tag.
  std::optional<std::pair<K, Entry<V>>> peekitem_entry(bool last = true, bool retry = false) {
    auto item = store_.peekitem(last, retry);
    if (!item) return std::nullopt;
    return keyed_entry(item->first, std::move(item->second));
  }

  // Lazy input ranges over the cache, read a page of 100 keys per query
  // (never the whole cache in memory, no read transaction held between
  // pages, so writers and checkpoints carry on):
  //
  //   for (const auto& key : cache.keys()) ...               // insertion order
  //   for (const auto& [key, value] : cache.items()) ...     // insertion order
  //   for (const auto& key : cache.iterkeys()) ...           // key order
  //
  // Insertion order is the order keys were first stored in (replacing a
  // value keeps its place), as Python's iter(cache); keys stored after the
  // iteration began are not visited. Key order is SQLite's order of the key
  // column, as Python's iterkeys(): numbers by value, then strings
  // (bytewise), then bytes (bytewise); keys a policy encodes (raw = 0) sort
  // by their encoded bytes among the bytes.
  // While other threads and processes write, an item present for the whole
  // iteration is visited exactly once; expired items are skipped. items()
  // reads each value when it is visited (the value stored then, one value
  // file at a time). Visiting is not an access: no hit is counted and no
  // least-recently-used order changes.
  // Each begin() starts a new pass; an iterator is valid while its range
  // lives. A range belongs to one thread at a time.
  //
  // An item whose key (or, for items(), value) cannot be decoded as K (V),
  // such as a tuple key Python stored in a Cache<std::string, ...>, never
  // stops the pass: it is skipped, and reported. range.skipped() counts the
  // items the current pass skipped, and a handler set with
  // on_undecodable(key, error) sees each one (its stored key Cell, and the
  // SerializationError naming key and directory); a handler that throws
  // ends the pass with its exception, which gives back stop-at-the-first:
  //
  //   auto keys = cache.keys().on_undecodable(
  //       [](const diskcache::Cell& key, const diskcache::SerializationError& e) {
  //         std::cerr << "skipped " << key.repr() << ": " << e.what() << '\n';
  //       });
  //   for (const auto& key : keys) use(key);
  //   if (keys.skipped() > 0) ...  // the others are still in the cache
  //
  // A Cache<> (Value keys and values) decodes everything Python stores.
  // Throws from begin() and ++: CorruptionError if a value file is missing;
  // Timeout; whatever the handler throws.
  // Complexity: O(log n) per page and per value read.
  // With `reverse`, newest first (Python's reversed(cache)).
  key_range keys(bool reverse = false) {
    return {store_, ScanOptions{.order = ScanOrder::Insertion, .reverse = reverse}};
  }
  item_range items(bool reverse = false) {
    return {store_, ScanOptions{.order = ScanOrder::Insertion, .reverse = reverse}};
  }
  // Python's `for key in cache`: for (const K& key : cache) walks keys() in
  // insertion order; the iterator owns its range, so no range need be named
  // (and skipped items are reported to no one: name keys() for that).
  using iterator = detail::OwningIterator<key_range>;
  iterator begin() { return iterator(keys()); }
  iterator end() const noexcept { return {}; }
  // Keys in key order, from the greatest with `reverse`.
  key_range iterkeys(bool reverse = false) {
    return {store_, ScanOptions{.order = ScanOrder::Key, .reverse = reverse}};
  }

  // Number of items, expired ones included (Python's len(cache)).
  std::int64_t size() { return store_.size(); }
  // Whether the cache holds no item, expired ones included (as size()).
  bool empty() { return size() == 0; }
  // Bytes on disk: database pages plus value files.
  std::int64_t volume() { return store_.volume(); }

  // Removes expired items / items tagged `tag` / items over the size limit
  // (expired first, then by eviction policy) / all items; each returns how
  // many it removed. They work in batches, so other writers are not blocked
  // for long.
  std::int64_t expire(bool retry = false) { return store_.expire(retry); }
  // expire() as if the clock read `now` (Python's expire(now=...)): removes
  // the items that expire before it, e.g. those a later time would find
  // expired.
  std::int64_t expire(std::chrono::system_clock::time_point now, bool retry = false) {
    return store_.expire_before(duration(now.time_since_epoch()).count(), retry);
  }
  std::int64_t evict(const Value& tag, bool retry = false) { return store_.evict(tag, retry); }
  std::int64_t cull(bool retry = false) { return store_.cull(retry); }
  std::int64_t clear(bool retry = false) { return store_.clear(retry); }

  // Problems found in the database and value files (empty: healthy);
  // with `fix`, also repairs them. See Store::check.
  std::vector<std::string> check(bool fix = false) { return store_.check(fix); }

  // Hit and miss counts so far; then enables (or disables) counting and
  // optionally resets the counters.
  Stats stats(bool enable = true, bool reset = false) { return store_.stats(enable, reset); }

  void create_tag_index() { store_.create_tag_index(); }
  void drop_tag_index() { store_.drop_tag_index(); }

  // Current settings / change some of them (those given) persistently.
  Settings settings() const { return store_.settings(); }
  void reset(const Settings& settings) { store_.reset(settings); }

  // Wraps `fn` so that its results are cached in this cache under
  // (name, arguments...) (see memoize.hpp): a call with arguments seen
  // before, by any process, returns the stored result without calling `fn`.
  //   auto slow_square = cache.memoize("square", [](int x) { return x * x; },
  //                                    {.expire = std::chrono::hours(1)});
  //   int nine = slow_square(3);
  // REQUIRES: `name` is unique to this function within the directory.
  template <class Fn>
  Memoized<Disk, std::decay_t<Fn>> memoize(std::string name, Fn&& fn, MemoizeOptions options = {}) {
    return Memoized<Disk, std::decay_t<Fn>>(store_, std::move(name), std::forward<Fn>(fn),
                                            std::move(options));
  }
  // memoize named after the function, as Python's memoize() without a name
  // uses the function's module and qualified name:
  //   auto area = cache.memoize<&geometry::area>();  // named "geometry::area"
  // A name that not every build repeats (a template specialization, an
  // anonymous namespace) does not compile, nor does memoize(fn) without a
  // name: a lambda's type has no lasting name (see memoize.hpp).
  template <auto Function>
  requires detail::FunctionPointer<Function> Memoized<Disk, decltype(Function)> memoize(
      MemoizeOptions options = {}) {
    return memoize(detail::default_memoize_name<Function>(), Function, std::move(options));
  }
  template <class Fn>
  void memoize(Fn&&, MemoizeOptions = {}) {
    detail::refuse_unnamed_memoize<Fn>();
  }

  // Begins a write transaction on this thread: the writes (and reads) until
  // the returned guard's scope ends form one commit, undone if an exception
  // leaves the scope. Nests; shared by every container on this directory in
  // this process. See transaction.hpp.
  //   { auto transaction = cache.transact(); cache.set(1, "a"); cache.set(2, "b"); }
  // Throws Timeout if the write lock stays taken longer than
  // Settings::timeout (with `retry`, waits for ever).
  [[nodiscard]] Transaction transact(bool retry = false) { return store_.transact(retry); }

  const std::filesystem::path& directory() const noexcept { return store_.directory(); }

  // Closes the database connections; the next call reopens them.
  // REQUIRES: no other thread uses the cache meanwhile.
  void close() { store_.close(); }

  // Queue on a cache (Python's push, pull, peek). A queue's keys are integers
  // from 500000000000000 (no prefix) or texts "prefix-500000000000000", ...
  // (the number as %015d); pushing to the back adds 1 to the largest key,
  // pushing to the front subtracts 1 from the smallest. Each prefix is its
  // own queue, and Python code sees the same queues:
  //
  //   diskcache::Cache<> cache(dir);
  //   cache.push("first");                               // 500000000000000
  //   cache.push("urgent", {}, diskcache::Side::Front);  // 499999999999999
  //   auto job = cache.pull();  // {499999999999999, "urgent"}
  //   cache.push(42, "jobs");                            // "jobs-500000000000000"
  //
  // Caution: as in Python, any raw key inside a queue's range belongs to it,
  // for instance a plain integer key 5 to the queue without prefix.

  // Stores `value` at `side` of the queue `prefix` with `options` (expiry,
  // tag, retry) and culls like set. Returns the new key. Throws
  // SerializationError if K cannot hold the queue's keys (an integer
  // without prefix, text with one); Error if a key found in the prefix's
  // range does not end in a number. Either way nothing is stored.
  K push(const V& value, const std::optional<std::string>& prefix = {}, Side side = Side::Back,
         const SetOptions& options = {}) {
    // Checked before storing, so a key K cannot hold is never pushed.
    const Cell example =
        prefix ? Cell::text(*prefix + "-500000000000000") : Cell::integer(500000000000000);
    decode<K>(example, example);
    const Cell key = store_.push(encode(value), prefix, side, options);
    return decode<K>(key, key);
  }

  // Removes and returns the item (key, value) at `side` of the queue
  // `prefix`, atomically: across processes each item is pulled once.
  // Expired items there are removed and skipped. nullopt when empty.
  // An item that cannot be decoded as K and V throws SerializationError, one
  // whose value file is missing CorruptionError; either way it stays in the
  // queue (check(true) removes rows whose file is missing).
  std::optional<std::pair<K, V>> pull(const std::optional<std::string>& prefix = {},
                                      Side side = Side::Front, bool retry = false) {
    std::optional<std::pair<K, V>> result;
    store_.pull(prefix, side, retry, [&](const Cell& key, const StoredItem& item) {
      result.emplace(decode<K>(key, key), decode<V>(item.value, key));
    });
    return result;
  }
  // pull() with the item's expiry time and tag (Python's
  // pull(expire_time=True, tag=True)).
  std::optional<std::pair<K, Entry<V>>> pull_entry(const std::optional<std::string>& prefix = {},
                                                   Side side = Side::Front, bool retry = false) {
    std::optional<std::pair<K, Entry<V>>> result;
    store_.pull(prefix, side, retry, [&](const Cell& key, const StoredItem& item) {
      result.emplace(keyed_entry(key, item));
    });
    return result;
  }

  // The item at `side` of the queue `prefix`, left in place; expired items
  // there are removed. nullopt when empty.
  std::optional<std::pair<K, V>> peek(const std::optional<std::string>& prefix = {},
                                      Side side = Side::Front, bool retry = false) {
    auto item = store_.peek(prefix, side, retry);
    if (!item) return std::nullopt;
    return std::pair<K, V>(decode<K>(item->first, item->first),
                           decode<V>(item->second.value, item->first));
  }
  // peek() with the item's expiry time and tag.
  std::optional<std::pair<K, Entry<V>>> peek_entry(const std::optional<std::string>& prefix = {},
                                                   Side side = Side::Front, bool retry = false) {
    auto item = store_.peek(prefix, side, retry);
    if (!item) return std::nullopt;
    return keyed_entry(item->first, std::move(item->second));
  }

  // A file descriptor that becomes readable when some process writes to
  // the cache, e.g. pushes to one of its queues, for event loops (see
  // change_watch.hpp).
  ChangeWatch watch() { return store_.watch_changes(); }

  // Large values as streams (Python's set(key, file, read=True) and
  // read(key)). set_stream copies `in` up to its end into a value file, 1 MiB
  // at a time, so the value is never whole in memory; it is always a file
  // and always bytes (mode 2), whatever its size and V: get(key) returns it
  // as V's policy decodes bytes (for Value: Bytes), Python's get as bytes.
  // Returns true; culls like set. Throws IoError if `in` has already failed
  // or goes bad (badbit) while being read; `in`'s exception mask is set
  // aside. Strong guarantee: on failure the previous value stays and no
  // file is left.
  //   std::ifstream video("clip.mp4", std::ios::binary);
  //   cache.set_stream("clip", video);
  //   if (std::optional<std::ifstream> clip = cache.read("clip")) out << clip->rdbuf();
  bool set_stream(const K& key, std::istream& in, const SetOptions& options = {}) {
    return store_.set_stream(encode(key), in, options);
  }
  // set_stream only if `key` is missing or expired (Python's add(key, file,
  // read=True)); false, storing nothing, if it is present. `in` is read to
  // its end either way: the key is checked after the copy, under the lock.
  bool add_stream(const K& key, std::istream& in, const SetOptions& options = {}) {
    return store_.add_stream(encode(key), in, options);
  }

  // The value under `key` as a binary stream over its value file, or nullopt
  // if missing or expired. The stream stays readable after the key is
  // replaced or erased. Works for every value set_stream wrote, and for text
  // and bytes set() stored in files (from Settings::disk_min_file_size on).
  // Throws Error if the value is stored inline in the database (a number, a
  // short string: use get()), SerializationError if it is a Python pickle.
  std::optional<std::ifstream> read(const K& key, const GetOptions& options = {}) {
    std::optional<Store::ValueStream> file = store_.read(encode(key), options.retry);
    if (!file) return std::nullopt;
    return std::move(file->stream);
  }

  // The untyped engine underneath.
  Store& store() noexcept { return store_; }

 private:
  template <class T>
  static Cell encode(const T& object) {
    return Disk::template encode<T>(object);
  }

  // Decodes `cell`, the value stored under `key` (or the key itself).
  template <class T>
  T decode(const Cell& cell, const Cell& key) const {
    return detail::decode_stored<Disk, T>(cell, key, "key", store_.directory());
  }

  // The Entry of `item`, stored under `key`.
  // (A StoredItem passed as an rvalue gives up its tag.)
  template <class Item>
  Entry<V> entry_of(Item&& item, const Cell& key) const {
    Entry<V> entry{decode<V>(item.value, key), std::nullopt, std::forward<Item>(item).tag};
    if (item.expire_time) entry.expire_time = to_time_point(*item.expire_time);
    return entry;
  }
  template <class Item>
  std::pair<K, Entry<V>> keyed_entry(const Cell& key, Item&& item) const {
    return {decode<K>(key, key), entry_of(std::forward<Item>(item), key)};
  }

  KeyError missing(const Cell& key) const {
    const std::string text = key.repr();
    return KeyError("key " + text + " not found in " + store_.directory().string(),
                    store_.directory(), text);
  }

  static std::chrono::system_clock::time_point to_time_point(double seconds) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(duration(seconds)));
  }

  Store store_;
};

}  // namespace diskcache

#endif  // DISKCACHE_CACHE_HPP_
