// diskcache::Index<K, V, Disk>: a persistent map that never evicts, shared by
// threads and processes, with insertion-order iteration and key-order range
// queries.
//
// An Index is a cache directory whose eviction policy is "none", exactly as
// Python diskcache's Index lays it out, so Python's diskcache.Index(dir)
// and this class open the same directories and see the same items. Items
// stay until erased: no size limit or culling removes them.
//
//   diskcache::Index<std::string, std::int64_t> scores("/var/tmp/scores");
//   scores["alice"] = 90;
//   scores.set("bob", 75);
//   std::int64_t alice = scores.at("alice");       // KeyError if missing
//   for (const auto& [name, score] : scores.items()) ...   // insertion order
//   for (const auto& [name, score] : scores.range("a", "c")) ...  // key order
//
// Iteration (keys, values, items, forward or reverse) follows insertion
// order, as Python's Index (and dict) does; range() and lower_bound() follow
// the order of keys, for keys stored raw (see range()). All of them are lazy
// ranges read 100 keys per query, never the whole index in memory, with no
// read transaction held between pages (see Cache::keys).
//
// Complexity: a call on one key is O(log n) in the number of items; size()
// is O(1); clear() and iteration are O(n), in steps of 100 items.
//
// A call that needs the write lock waits for it as long as it takes
// (Python's Index passes retry=True everywhere) instead of throwing Timeout.
//
// Thread safety: an Index may be shared by any number of threads; a range
// it returns belongs to one thread at a time. Process safety: any number of
// processes (C++ or Python diskcache 5.x) may open the directory at once;
// every single call is atomic across them, and transact() makes several
// calls one atomic step. Fork safety: after fork() the child's first call
// opens its own connections (as Cache).
#ifndef DISKCACHE_INDEX_HPP_
#define DISKCACHE_INDEX_HPP_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/detail/bulk.hpp"
#include "diskcache/detail/scan_range.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/disk_policy.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/memoize.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/transaction.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

template <class K = Value, class V = Value, class Disk = disk::Auto>
requires DiskPolicyFor<Disk, K> && DiskPolicyFor<Disk, V>
class Index {
 public:
  using key_type = K;
  using mapped_type = V;
  using disk_type = Disk;
  using cache_type = Cache<K, V, Disk>;

  // Lazy input ranges of keys, values, (key, value) pairs.
  using key_range = detail::ScanRange<detail::DecodeKey<Disk, K>>;
  using value_range = detail::ScanRange<detail::DecodeValue<Disk, V>>;
  using item_range = detail::ScanRange<detail::DecodeItem<Disk, K, V>>;

  // Opens (creating if needed) the index in `directory`; an empty path makes
  // a new temporary directory. Sets the directory's eviction policy to None
  // (stored, as Python's Index does); other settings as Cache's constructor.
  // Throws IoError (cannot create or write the directory), CorruptionError
  // (cache.db is not a cache), Error (a setting out of range).
  explicit Index(std::filesystem::path directory = {}, Settings settings = {})
      : cache_(open_store(std::move(directory), std::move(settings))) {}

  // Opens the index in `directory` as above, then stores every (key, value)
  // of `items` as update() does (Python's Index(directory, mapping)).
  //   diskcache::Index<std::string, int> index(dir, std::map<std::string, int>{{"a", 1}});
  template <detail::PairRangeOf<K, V> Items>
  Index(std::filesystem::path directory, Items&& items, Settings settings = {})
      : Index(std::move(directory), std::move(settings)) {
    update(std::forward<Items>(items));
  }

  // An Index over the directory of an open container (Python's
  // Index.fromcache); shares its engine and keeps its settings, eviction
  // policy included.
  template <class Container>
  static Index from_cache(Container& container) {
    return Index(cache_type(container.store()));
  }

  // --- Items by key. Each call is one atomic step across processes.

  // Stores `value` under `key`, replacing any previous value (which keeps
  // the key's place in insertion order; a new key goes last).
  //   index.set("config", "v2");
  void set(const K& key, const V& value) { cache_.set(key, value, SetOptions{.retry = true}); }

  // The value under `key`, or nullopt if there is none. Throws
  // SerializationError (naming the key) if the value cannot be decoded as V.
  std::optional<V> get(const K& key) { return cache_.get(key, GetOptions{.retry = true}); }

  // The value under `key`. Throws KeyError, naming the key and directory,
  // if there is none.
  V at(const K& key) { return cache_.at(key); }

  // Python's index[key]: reads like at(), assigns like set().
  //   index["hits"] = 1;
  //   V hits = index["hits"];
  typename cache_type::ItemProxy operator[](const K& key) { return cache_[key]; }

  bool contains(const K& key) { return cache_.contains(key); }

  // Removes `key`; returns whether it was there (Python's del index[key]
  // raises KeyError instead).
  bool erase(const K& key) { return cache_.erase(key, /*retry=*/true); }

  // Removes `key` and returns its value, atomically; nullopt if missing. A
  // value that cannot be decoded as V throws SerializationError and stays.
  std::optional<V> pop(const K& key) { return cache_.pop(key, /*retry=*/true); }

  // The value under `key`; if there is none, first stores `default_value`
  // there. Of processes racing to set a default, one wins and all of them
  // return its value.
  V setdefault(const K& key, const V& default_value) {
    while (true) {
      if (std::optional<V> value = get(key)) return std::move(*value);
      if (cache_.add(key, default_value, SetOptions{.retry = true})) return default_value;
    }
  }

  // Many items at once, a chunk of 1000 per transaction (see
  // Cache::get_many), waiting for the lock as long as it takes: the values
  // in the keys' order (nullopt: missing) / how many were stored / how many
  // were removed. A braced list works too: index.get_many({"a", "b"}).
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::vector<std::optional<V>> get_many(Keys&& keys) {
    return cache_.get_many(std::forward<Keys>(keys), GetOptions{.retry = true});
  }
  template <detail::PairRangeOf<K, V> Items = std::initializer_list<std::pair<K, V>>>
  std::size_t set_many(Items&& items) {
    return cache_.set_many(std::forward<Items>(items), SetOptions{.retry = true});
  }
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::size_t delete_many(Keys&& keys) {
    return cache_.delete_many(std::forward<Keys>(keys), /*retry=*/true);
  }
  // Python's index.update(mapping): set_many under Python's name.
  template <detail::PairRangeOf<K, V> Items = std::initializer_list<std::pair<K, V>>>
  void update(Items&& items) {
    set_many(std::forward<Items>(items));
  }

  // --- Items by insertion order.

  // The last (or first) item; nullopt if the index is empty (Python raises
  // KeyError).
  std::optional<std::pair<K, V>> peekitem(bool last = true) {
    return cache_.peekitem(last, /*retry=*/true);
  }

  // Removes and returns the last item (a stack) or the first (a queue), in
  // one transaction; nullopt if the index is empty. An item that cannot be
  // decoded throws SerializationError and stays.
  std::optional<std::pair<K, V>> popitem(bool last = true) {
    auto transaction = cache_.transact(/*retry=*/true);
    std::optional<std::pair<K, V>> item = cache_.peekitem(last, /*retry=*/true);
    if (item) cache_.erase(item->first, /*retry=*/true);
    return item;
  }

  // A queue in the index, as Cache::push and Cache::pull (and Python's
  // Index.push and pull): integer keys from 500000000000000 without prefix,
  // "prefix-500000000000000"... with one.
  K push(const V& value, const std::optional<std::string>& prefix = {}, Side side = Side::Back) {
    return cache_.push(value, prefix, side, SetOptions{.retry = true});
  }
  std::optional<std::pair<K, V>> pull(const std::optional<std::string>& prefix = {},
                                      Side side = Side::Front) {
    return cache_.pull(prefix, side, /*retry=*/true);
  }

  // Removes every item; returns how many. Works in batches, so other
  // writers are not held up for long (and may add items meanwhile).
  std::int64_t clear() { return cache_.clear(/*retry=*/true); }

  // Number of items (Python's len(index)). O(1): a stored counter.
  std::int64_t size() { return cache_.size(); }
  bool empty() { return size() == 0; }

  // --- Iteration in insertion order (reverse: newest first).
  // Lazy input ranges, as Cache::keys(): each begin() starts a pass; while
  // other processes write, an item present for the whole pass is visited
  // exactly once, and keys stored after the pass began are not visited.
  // values() and items() read each value when its item is visited.
  // Throws from begin() and ++: SerializationError (naming the key) for a
  // key or value that cannot be decoded, which ends the pass;
  // CorruptionError for a missing value file.
  //   for (const auto& [key, value] : index.items()) ...
  //   for (const K& key : index.keys(/*reverse=*/true)) ...
  key_range keys(bool reverse = false) { return {store(), insertion(reverse)}; }
  // Python's `for key in index`: for (const K& key : index) walks keys().
  using iterator = detail::OwningIterator<key_range>;
  iterator begin() { return iterator(keys()); }
  iterator end() const noexcept { return {}; }
  value_range values(bool reverse = false) { return {store(), insertion(reverse)}; }
  item_range items(bool reverse = false) { return {store(), insertion(reverse)}; }

  // --- Key order, for keys stored raw (integers, doubles, strings and bytes
  // with disk::Auto or disk::Raw): the order SQLite gives the key column.
  // Numbers compare by value (integers and doubles together), strings
  // bytewise (UTF-8 by code point, as std::string's <), bytes bytewise (as
  // std::vector<std::byte>'s <); all numbers sort before all strings, and
  // strings before bytes. Keys a policy encodes (raw = 0) are left out.

  // The items with lo <= key < hi, in key order, as the std::map range
  // [lower_bound(lo), lower_bound(hi)). Lazy, as items(). Empty if lo >= hi.
  //   for (const auto& [day, total] : totals.range(20240101, 20240201)) ...
  // Throws Error, naming the key and directory, if the disk policy does not
  // store `lo` or `hi` raw; SerializationError for a null Value bound.
  // Complexity: O(log n) to start, then O(log n) per page and per item.
  item_range range(const K& lo, const K& hi) {
    return {store(), ScanOptions{.order = ScanOrder::Key,
                                 .from = raw_bound(lo, "range"),
                                 .to = raw_bound(hi, "range")}};
  }

  // The items with key >= `key`, in key order, to the last key (as
  // std::map's lower_bound(key) .. end()). Throws as range().
  item_range lower_bound(const K& key) {
    return {store(), ScanOptions{.order = ScanOrder::Key, .from = raw_bound(key, "lower_bound")}};
  }

  // --- Whole-index operations.

  // Python's index == other for two Indexes: the same items in the same
  // insertion order. Reads both a page at a time. True at once for two
  // Indexes on the same directory. Unlike items(), a comparison does not
  // skip an item it cannot decode as K and V (it would call different
  // indexes equal): it throws SerializationError naming the key.
  friend bool operator==(const Index& a, const Index& b) {
    if (a.cache_.directory() == b.cache_.directory()) return true;
    if (a.cache_.size() != b.cache_.size()) return false;
    item_range left = every_item(a.cache_.store());
    item_range right = every_item(b.cache_.store());
    auto l = left.begin();
    auto r = right.begin();
    for (; l != left.end() && r != right.end(); ++l, ++r) {
      if (!(*l == *r)) return false;
    }
    return l == left.end() && r == right.end();
  }

  // Python's index == mapping for other mappings (std::map,
  // std::unordered_map, ...): the same keys with equal values, in any order.
  // Throws SerializationError for an item it cannot decode, as above.
  template <class Map>
  requires requires(const Map& map, const K& key) {
    { map.size() } -> std::convertible_to<std::size_t>;
    map.find(key) != map.end();
    map.find(key)->second == std::declval<const V&>();
  }
  friend bool operator==(const Index& index, const Map& map) {
    if (static_cast<std::size_t>(index.cache_.size()) != map.size()) return false;
    for (const auto& [key, value] : every_item(index.cache_.store())) {
      const auto found = map.find(key);
      if (found == map.end() || !(found->second == value)) return false;
    }
    return true;
  }

  // Begins a write transaction (see transaction.hpp): the calls in the
  // guard's scope form one atomic step, committed at scope exit, undone if
  // an exception leaves it. Waits for the lock as long as it takes.
  //   { auto transaction = index.transact(); index.set("a", 1); index.set("b", 2); }
  [[nodiscard]] Transaction transact() { return cache_.transact(/*retry=*/true); }

  // Wraps `fn` so its results are stored in this index under (name,
  // arguments...) (see memoize.hpp): results are never evicted, so a
  // memoized function is computed once per distinct arguments, by any
  // process. Memoized entries are items of the index, and its iteration
  // meets keys it cannot decode as K: give memoized functions an Index of
  // their own.
  //   diskcache::Index<> results(dir);
  //   auto area = results.memoize("area", [](double r) { return 3.14159 * r * r; });
  template <class Fn>
  Memoized<Disk, std::decay_t<Fn>> memoize(std::string name, Fn&& fn, MemoizeOptions options = {}) {
    return cache_.memoize(std::move(name), std::forward<Fn>(fn), std::move(options));
  }
  // Named after the function (see Cache::memoize<&function>()).
  template <auto Function>
  requires detail::FunctionPointer<Function> Memoized<Disk, decltype(Function)> memoize(
      MemoizeOptions options = {}) {
    return cache_.template memoize<Function>(std::move(options));
  }
  template <class Fn>
  void memoize(Fn&&, MemoizeOptions = {}) {
    detail::refuse_unnamed_memoize<Fn>();
  }

  const std::filesystem::path& directory() const noexcept { return cache_.directory(); }

  // The cache underneath (Python's index.cache), for its other calls:
  // expiry, tags, check(), stats(). Items it evicts or expires leave the
  // index too.
  cache_type& cache() noexcept { return cache_; }
  Store& store() noexcept { return cache_.store(); }

 private:
  explicit Index(cache_type cache) : cache_(std::move(cache)) {}

  static Store open_store(std::filesystem::path directory, Settings settings) {
    settings.eviction_policy = EvictionPolicy::None;
    return Store(std::move(directory), settings);
  }

  static ScanOptions insertion(bool reverse) {
    return ScanOptions{.order = ScanOrder::Insertion, .reverse = reverse};
  }

  // Every item in insertion order, an undecodable one a SerializationError
  // rather than a skip: what the comparisons walk.
  static item_range every_item(Store store) {
    item_range items(std::move(store), insertion(/*reverse=*/false));
    items.on_undecodable([](const Cell&, const SerializationError& error) { throw error; });
    return items;
  }

  // `key` as a scan bound: its raw cell, owning its bytes.
  Cell raw_bound(const K& key, const char* call) {
    Cell cell = Disk::template encode<K>(key).to_owning();
    if (cell.is_null()) {
      throw SerializationError(std::string("Index::") + call + " in " + directory().string() +
                                   ": a null value cannot be a key",
                               directory());
    }
    if (!stored_raw(key, cell)) {
      const std::string text = cell.repr();
      throw Error(std::string("Index::") + call + " in " + directory().string() +
                      " needs keys stored raw (integers, doubles, strings, bytes), but the "
                      "disk policy encodes the key " +
                      text,
                  directory(), text);
    }
    return cell;
  }

  // Whether `cell`, the policy's form of `key`, is the key's raw form
  // (disk::Raw's), which orders as the key does. Policies also store
  // encodings raw (disk::Binary's blobs, disk::Json's text) so that Python
  // reads them; those order by their bytes, not as the keys.
  static bool stored_raw(const K& key, const Cell& cell) {
    if (!cell.raw()) return false;
    if constexpr (!disk::detail::is_raw_v<K>) {
      return false;
    } else if constexpr (std::is_same_v<K, Value>) {
      return true;
    } else if constexpr (std::is_unsigned_v<K> && sizeof(K) >= sizeof(std::int64_t)) {
      // Above INT64_MAX a uint64_t has no raw form.
      return std::in_range<std::int64_t>(key) && cell == disk::detail::encode_raw(key, "");
    } else {
      return cell == disk::detail::encode_raw(key, "");
    }
  }

  // Mutable: comparing two Indexes only reads, but through the connection.
  mutable cache_type cache_;
};

}  // namespace diskcache

#endif  // DISKCACHE_INDEX_HPP_
