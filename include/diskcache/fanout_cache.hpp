// diskcache::FanoutCache<K, V, Disk>: a Cache split into shards, so that
// writers to different keys rarely wait for each other.
//
// A FanoutCache is a directory of `shards` Caches, `000`, `001`, ... (eight by
// default). Each key lives in one shard, chosen by Python diskcache's
// portable hash of the stored key (adler32 of a string's UTF-8 or of bytes,
// an integer modulo 2^32 - 1, adler32 of a double's big-endian bytes)
// modulo the shard count, so a Python `FanoutCache` with the same number of
// shards opened on the directory finds every key C++ wrote, and the other
// way round. Each shard has its own SQLite write lock: writes to keys in
// different shards run in parallel.
//
//   diskcache::FanoutCache<std::string, std::string> cache("/var/tmp/pages");
//   if (!cache.set("home", render_home())) { /* busy: not stored, carry on */ }
//   std::optional<std::string> page = cache.get("home");
//
// Timeouts, as in Python: a FanoutCache waits at most `timeout` (10 ms by
// default) for a shard's lock; then a write returns false (incr nullopt)
// and a read misses, instead of throwing Timeout. It suits a cache in front
// of slower work, where skipping the cache now and then beats waiting.
// Calls given `retry` (and at(), operator[] and memoize) wait instead; the
// maintenance calls (expire, evict, cull, clear, check, reset, the tag
// index) always finish.
//
// The calls are those of Cache, fanned out: the per-key ones go to the
// key's shard; size, volume, expire, evict, cull, clear, check and stats
// add up (or join) the shards' results. Items expire and are evicted per
// shard; the size limit is split evenly between the shards. A queue on a
// cache (push, pull, peek, peekitem) is not offered, as in Python: use
// deque(name).
//
// Thread safety: as Cache; a FanoutCache may be shared by threads. Process
// safety: any number of processes (C++, or Python diskcache 5.x with the
// same shard count) may open the directory at once. Fork safety: as Cache.
#ifndef DISKCACHE_FANOUT_CACHE_HPP_
#define DISKCACHE_FANOUT_CACHE_HPP_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <istream>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/detail/bulk.hpp"
#include "diskcache/detail/chained_range.hpp"
#include "diskcache/detail/shards.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk_policy.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/index.hpp"
#include "diskcache/memoize.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/transaction.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

// A write transaction on several stores at once: what FanoutCache::transact()
// returns, holding every shard's write lock.
//
// Taken in the stores' order (so two of them never deadlock), committed at
// normal scope exit, rolled back when an exception leaves the scope, like
// Transaction. Isolation covers every shard; atomicity is per shard: the
// shards commit one after another, so a crash in the middle of the commit
// can keep some shards' writes and lose the others'.
// Thread safety: as Transaction; it belongs to the thread that made it.
class [[nodiscard]] FanoutTransaction {
 public:
  // Begins a transaction on each of `stores`, in order, waiting as long as
  // it takes. Throws IoError or CorruptionError if one cannot begin; those
  // already begun roll back then.
  explicit FanoutTransaction(std::vector<Store> stores) {
    transactions_.reserve(stores.size());
    for (Store& store : stores) transactions_.push_back(store.transact(/*retry=*/true));
  }
  FanoutTransaction(FanoutTransaction&&) noexcept = default;
  FanoutTransaction& operator=(FanoutTransaction&&) = delete;

  // Commits unless commit() or rollback() ran; rolls back if an exception
  // is unwinding the scope. A failed commit throws (see commit()).
  ~FanoutTransaction() noexcept(false) {
    if (transactions_.empty()) return;
    if (std::uncaught_exceptions() > uncaught_exceptions_) {
      rollback();
      return;
    }
    commit();
  }

  // Commits every store, the last one first. Throws what Transaction::commit
  // throws; the stores not committed yet roll back then.
  void commit() {
    try {
      while (!transactions_.empty()) {
        transactions_.back().commit();
        transactions_.pop_back();
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

  // Undoes every store's writes of this scope. Never throws.
  void rollback() noexcept {
    for (Transaction& transaction : transactions_) {
      if (transaction.active()) transaction.rollback();
    }
    transactions_.clear();
  }

  // Whether commit() or rollback() has not run yet.
  bool active() const noexcept { return !transactions_.empty(); }

 private:
  std::vector<Transaction> transactions_;
  int uncaught_exceptions_ = std::uncaught_exceptions();  // at construction
};

// FanoutCache's constructor arguments by name, as Python's
// FanoutCache(directory, shards=8, timeout=0.010, **settings):
//   diskcache::FanoutCache<> cache(dir, {.shards = 4, .settings = {.size_limit = 1 << 30}});
struct FanoutOptions {
  // How many shards (sub-directories 000, 001, ...). Python's FanoutCache
  // finds the same keys only with the same count.
  std::size_t shards = 8;
  // How long a call waits for a shard's lock before it gives up (see
  // FanoutCache).
  std::chrono::milliseconds timeout = std::chrono::milliseconds(10);
  // Settings of every shard; size_limit is the whole cache's.
  Settings settings = {};
};

template <class K = Value, class V = Value, class Disk = disk::Auto>
requires DiskPolicyFor<Disk, K> && DiskPolicyFor<Disk, V>
class FanoutCache {
 public:
  using key_type = K;
  using mapped_type = V;
  using disk_type = Disk;
  using duration = std::chrono::duration<double>;
  using shard_type = Cache<K, V, Disk>;

  // Opens (creating if needed) the fanout cache in `directory` with
  // `shards` shards; an empty path makes a new temporary directory. Python's
  // FanoutCache finds the same keys only with the same shard count.
  // `settings` apply to every shard, except size_limit, which is the whole
  // cache's: each shard gets an even part of it. Without a size_limit, new
  // shards get an even part of the default 1 GiB and existing ones keep
  // theirs. Opening waits for locks up to settings.timeout (60 s); after
  // that, calls wait at most `timeout` (see above).
  // Throws Error if `shards` is 0 or a setting is out of range, IoError,
  // CorruptionError as Cache's constructor.
  explicit FanoutCache(std::filesystem::path directory = {}, std::size_t shards = 8,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(10),
                       const Settings& settings = {})
      : FanoutCache(detail::open_shards(std::move(directory), shards, timeout, settings)) {}
  // The same, with the arguments named (see FanoutOptions).
  FanoutCache(std::filesystem::path directory, const FanoutOptions& options)
      : FanoutCache(std::move(directory), options.shards, options.timeout, options.settings) {}

  // Stores `value` under `key` (see Cache::set). Returns false if the shard
  // stayed locked longer than the timeout (nothing stored then), unless
  // `options.retry`.
  //   cache.set("session", token, {.expire = std::chrono::minutes(1)});
  bool set(const K& key, const V& value, const SetOptions& options = {}) {
    return or_on_timeout(false, [&] { return shard(key).set(key, value, options); });
  }

  // Stores `value` only if `key` is absent or expired (see Cache::add).
  // Returns whether it stored; false on a timeout too.
  bool add(const K& key, const V& value, const SetOptions& options = {}) {
    return or_on_timeout(false, [&] { return shard(key).add(key, value, options); });
  }

  // The value under `key`; nullopt if it is missing, expired, or the shard
  // stayed locked past the timeout (reads take the lock only with
  // statistics on or a least-recently/frequently-used eviction policy).
  std::optional<V> get(const K& key, const GetOptions& options = {}) {
    return or_on_timeout(std::optional<V>(), [&] { return shard(key).get(key, options); });
  }

  // The value with its expiry time and tag; nullopt as get.
  std::optional<Entry<V>> get_entry(const K& key, const GetOptions& options = {}) {
    return or_on_timeout(std::optional<Entry<V>>(),
                         [&] { return shard(key).get_entry(key, options); });
  }

  // The value under `key`, waiting for the lock as long as it takes.
  // Throws KeyError if it is missing or expired.
  V at(const K& key) { return shard(key).at(key); }

  // Python's cache[key]: reads like at(), assigns like set with retry.
  typename shard_type::ItemProxy operator[](const K& key) { return shard(key)[key]; }

  // Whether an unexpired item is stored under `key`; false on a timeout.
  bool contains(const K& key) {
    return or_on_timeout(false, [&] { return shard(key).contains(key); });
  }

  // Removes `key`; returns whether an unexpired item was removed (false on a
  // timeout, unless `retry`).
  bool erase(const K& key, bool retry = false) {
    return or_on_timeout(false, [&] { return shard(key).erase(key, retry); });
  }

  // Removes `key` and returns its value, atomically; nullopt if missing, or
  // on a timeout unless `retry` (the item stays then).
  std::optional<V> pop(const K& key, bool retry = false) {
    return or_on_timeout(std::optional<V>(), [&] { return shard(key).pop(key, retry); });
  }

  // Adds `delta` to the integer under `key` and returns the new value,
  // atomically across processes (see Cache::incr); nullopt, and nothing
  // added, on a timeout unless `retry`. Throws KeyError if the key is
  // missing and `default_` is nullopt, SerializationError if the value is
  // not an integer.
  std::optional<std::int64_t> incr(const K& key, std::int64_t delta = 1,
                                   std::optional<std::int64_t> default_ = 0, bool retry = false) {
    return or_on_timeout(std::optional<std::int64_t>(),
                         [&] { return shard(key).incr(key, delta, default_, retry); });
  }
  // Subtracts `delta` (any value, INT64_MIN included) from the integer under
  // `key` (see Cache::decr); nullopt on a timeout unless `retry`.
  std::optional<std::int64_t> decr(const K& key, std::int64_t delta = 1,
                                   std::optional<std::int64_t> default_ = 0, bool retry = false) {
    return or_on_timeout(std::optional<std::int64_t>(),
                         [&] { return shard(key).decr(key, delta, default_, retry); });
  }

  // Sets the expiry of an unexpired `key` (see Cache::touch). Returns
  // whether the key was found; false on a timeout unless `retry`.
  bool touch(const K& key, std::optional<duration> expire = std::nullopt, bool retry = false) {
    return or_on_timeout(false, [&] { return shard(key).touch(key, expire, retry); });
  }

  // Large values as streams (see Cache::set_stream and Cache::read); false
  // and nullopt on a timeout, as set and get.
  bool set_stream(const K& key, std::istream& in, const SetOptions& options = {}) {
    return or_on_timeout(false, [&] { return shard(key).set_stream(key, in, options); });
  }
  bool add_stream(const K& key, std::istream& in, const SetOptions& options = {}) {
    return or_on_timeout(false, [&] { return shard(key).add_stream(key, in, options); });
  }
  std::optional<std::ifstream> read(const K& key, const GetOptions& options = {}) {
    return or_on_timeout(std::optional<std::ifstream>(),
                         [&] { return shard(key).read(key, options); });
  }

  // Number of items in all shards, expired ones included.
  std::int64_t size() {
    return sum([](shard_type& shard) { return shard.size(); });
  }
  // Whether no shard holds an item, expired ones included (as size()).
  bool empty() { return size() == 0; }

  // Many items at once (see Cache::get_many): the keys are grouped by
  // shard, and each shard works through its group in chunks of 1000, one
  // transaction per chunk. A shard that stays locked past the timeout
  // (unless `retry`) ends its group at the chunk that waited, as a single
  // call gives up: get_many gives nullopt for the keys from that chunk on,
  // set_many and delete_many leave them as they were, and the counts say
  // how many were stored or removed. A braced list works too.
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::vector<std::optional<V>> get_many(Keys&& keys, const GetOptions& options = {}) {
    std::vector<std::vector<std::pair<std::size_t, K>>> groups(shards_.size());
    std::size_t count = 0;
    for (const K& key : keys) groups[shard_index(key)].emplace_back(count++, key);
    std::vector<std::optional<V>> values(count);
    chunk_by_chunk(groups, [&](shard_type& shard, auto chunk) {
      const auto key_of = [](const std::pair<std::size_t, K>& entry) -> const K& {
        return entry.second;
      };
      std::vector<std::optional<V>> found =
          shard.get_many(chunk | std::views::transform(key_of), options);
      for (std::size_t i = 0; i < found.size(); ++i) values[chunk[i].first] = std::move(found[i]);
      return std::size_t{0};
    });
    return values;
  }
  template <detail::PairRangeOf<K, V> Items = std::initializer_list<std::pair<K, V>>>
  std::size_t set_many(Items&& items, const SetOptions& options = {}) {
    std::vector<std::vector<std::pair<K, V>>> groups(shards_.size());
    for (const auto& item : items) {
      groups[shard_index(item.first)].emplace_back(item.first, item.second);
    }
    return chunk_by_chunk(
        groups, [&](shard_type& shard, auto chunk) { return shard.set_many(chunk, options); });
  }
  template <detail::RangeOf<K> Keys = std::initializer_list<K>>
  std::size_t delete_many(Keys&& keys, bool retry = false) {
    std::vector<std::vector<K>> groups(shards_.size());
    for (const K& key : keys) groups[shard_index(key)].push_back(key);
    return chunk_by_chunk(
        groups, [&](shard_type& shard, auto chunk) { return shard.delete_many(chunk, retry); });
  }

  // The keys / items of every shard, shard after shard, each shard's in
  // insertion order (Python's iter(fanout_cache)): lazy ranges as
  // Cache::keys() and items(), with their guarantees per shard.
  //   for (const auto& key : cache.keys()) ...
  detail::ChainedRange<typename shard_type::key_range> keys() {
    std::vector<typename shard_type::key_range> ranges;
    for (shard_type& shard : shards_) ranges.push_back(shard.keys());
    return detail::ChainedRange<typename shard_type::key_range>(std::move(ranges));
  }
  detail::ChainedRange<typename shard_type::item_range> items() {
    std::vector<typename shard_type::item_range> ranges;
    for (shard_type& shard : shards_) ranges.push_back(shard.items());
    return detail::ChainedRange<typename shard_type::item_range>(std::move(ranges));
  }

  // Bytes on disk of all shards.
  std::int64_t volume() {
    return sum([](shard_type& shard) { return shard.volume(); });
  }

  // Remove expired items / items tagged `tag` / items over each shard's
  // size limit / every item from every shard; return how many in all.
  // Each goes on until every shard is done, as Python's FanoutCache does.
  // With `retry` (the default) each shard waits for its lock as long as it
  // takes; without, a shard waits at most the timeout at a time and is
  // tried again, batch by batch, as Python's retry=False does (a try that
  // times out is not counted, though the batches it removed stay removed).
  std::int64_t expire(bool retry = true) {
    return sum_until_done(retry, [](shard_type& shard, bool wait) { return shard.expire(wait); });
  }
  // expire() as if the clock read `now` (Python's expire(now=...)).
  std::int64_t expire(std::chrono::system_clock::time_point now, bool retry = true) {
    return sum_until_done(retry,
                          [&](shard_type& shard, bool wait) { return shard.expire(now, wait); });
  }
  std::int64_t evict(const Value& tag, bool retry = true) {
    return sum_until_done(retry,
                          [&](shard_type& shard, bool wait) { return shard.evict(tag, wait); });
  }
  std::int64_t cull(bool retry = true) {
    return sum_until_done(retry, [](shard_type& shard, bool wait) { return shard.cull(wait); });
  }
  std::int64_t clear(bool retry = true) {
    return sum_until_done(retry, [](shard_type& shard, bool wait) { return shard.clear(wait); });
  }

  // Every shard's problems (see Cache::check), waiting for each shard's
  // lock as long as it takes; with `fix`, repairs them.
  std::vector<std::string> check(bool fix = false) {
    std::vector<std::string> problems;
    for (shard_type& shard : shards_) {
      for (std::string& problem : shard.store().check(fix, /*retry=*/true)) {
        problems.push_back(std::move(problem));
      }
    }
    return problems;
  }

  // Hits and misses of all shards added up (see Cache::stats).
  Stats stats(bool enable = true, bool reset = false) {
    Stats total;
    for (shard_type& shard : shards_) {
      const Stats stats = shard.stats(enable, reset);
      total.hits += stats.hits;
      total.misses += stats.misses;
    }
    return total;
  }

  void create_tag_index() {
    for (shard_type& shard : shards_) until_done([&] { shard.create_tag_index(); });
  }
  void drop_tag_index() {
    for (shard_type& shard : shards_) until_done([&] { shard.drop_tag_index(); });
  }

  // The settings of the first shard, with size_limit the shards' limits
  // added up and timeout the FanoutCache's.
  Settings settings() const {
    Settings settings = shards_.front().settings();
    std::int64_t limit = 0;
    for (const shard_type& shard : shards_) limit += shard.settings().size_limit;
    settings.size_limit = Setting<std::int64_t>::by_default(limit);
    return settings;
  }

  // Changes the given settings of every shard (a size_limit is split
  // evenly; a timeout becomes the FanoutCache's), waiting for each shard's
  // lock as long as it takes. Throws Error if a setting is out of range.
  void reset(const Settings& settings) {
    Settings per_shard = settings;
    if (settings.size_limit.given()) {
      per_shard.size_limit =
          settings.size_limit.value() / static_cast<std::int64_t>(shards_.size());
    }
    for (shard_type& shard : shards_) until_done([&] { shard.reset(per_shard); });
  }

  // Wraps `fn` so that its results are cached under (name, arguments...),
  // each in the shard its key chooses (see Cache::memoize and memoize.hpp).
  // Calls wait for locks as long as it takes.
  //   auto square = cache.memoize("square", [](int x) { return x * x; });
  // REQUIRES: `name` is unique to this function within the directory.
  template <class Fn>
  Memoized<Disk, std::decay_t<Fn>> memoize(std::string name, Fn&& fn, MemoizeOptions options = {}) {
    return Memoized<Disk, std::decay_t<Fn>>(detail::shards_of(*this), std::move(name),
                                            std::forward<Fn>(fn), std::move(options));
  }
  // Named after the function (see Cache::memoize<&function>()).
  template <auto Function>
  requires detail::FunctionPointer<Function> Memoized<Disk, decltype(Function)> memoize(
      MemoizeOptions options = {}) {
    return memoize(detail::default_memoize_name<Function>(), Function, std::move(options));
  }
  template <class Fn>
  void memoize(Fn&&, MemoizeOptions = {}) {
    detail::refuse_unnamed_memoize<Fn>();
  }

  // Begins a write transaction on every shard, as Python's
  // FanoutCache.transact: no other writer can change any shard until the
  // guard's scope ends (see FanoutTransaction for what commits together).
  // Waits for the locks as long as it takes.
  //   { auto transaction = cache.transact(); cache.incr("total", 5); cache.incr("count"); }
  FanoutTransaction transact() { return FanoutTransaction(detail::shards_of(*this).all()); }

  // Begins a write transaction on the shard of `key` only (see
  // transaction.hpp): enough to read and write that one key atomically,
  // and other shards stay free for other writers. Waits for the lock as
  // long as it takes. REQUIRES: the scope touches only keys of that shard
  // (calls on other shards are not part of the transaction).
  //   { auto transaction = cache.transact("visits"); cache.set("visits", 1 + cache.at("visits")); }
  [[nodiscard]] Transaction transact(const K& key) { return shard(key).transact(/*retry=*/true); }

  // A Cache in the sub-directory `cache/<name>` (Python's cache(name)); a
  // name may contain '/' for deeper directories. Its settings are its own
  // (a plain Cache's, timeout included). Any K, V and disk policy may be
  // chosen. Throws Error naming the directory and name if `name` is empty,
  // absolute, or has an empty, "." or ".." part; what Cache's constructor
  // throws.
  //   auto sessions = cache.cache("sessions");
  template <class CacheKey = K, class CacheValue = V, class CacheDisk = Disk>
  Cache<CacheKey, CacheValue, CacheDisk> cache(const std::string& name,
                                               const Settings& settings = {}) const {
    return Cache<CacheKey, CacheValue, CacheDisk>(detail::sub_directory(directory_, "cache", name),
                                                  settings);
  }

  // A Deque in the sub-directory `deque/<name>` (Python's deque(name));
  // names as cache(name). Like every Deque it never evicts, which Python's
  // FanoutCache.deque leaves to the directory's stored policy.
  //   auto jobs = cache.deque<std::string>("jobs");
  template <class T = V, class DequeDisk = Disk>
  Deque<T, DequeDisk> deque(const std::string& name,
                            std::optional<std::size_t> maxlen = std::nullopt) const {
    return Deque<T, DequeDisk>(detail::sub_directory(directory_, "deque", name), maxlen);
  }

  // An Index in the sub-directory `index/<name>` (Python's index(name));
  // names as cache(name).
  //   auto users = cache.index<std::int64_t, std::string>("users");
  template <class IndexKey = K, class IndexValue = V, class IndexDisk = Disk>
  Index<IndexKey, IndexValue, IndexDisk> index(const std::string& name) const {
    return Index<IndexKey, IndexValue, IndexDisk>(detail::sub_directory(directory_, "index", name));
  }

  // The shard that holds `key`: a Cache of its own, whose calls throw
  // Timeout as Cache's do.
  shard_type& shard(const K& key) { return shards_[shard_index(key)]; }

  // Every shard, in order: the one in directory 000 first.
  std::vector<shard_type>& shards() noexcept { return shards_; }
  std::size_t shard_count() const noexcept { return shards_.size(); }
  const std::filesystem::path& directory() const noexcept { return directory_; }

  // Closes every shard's connections; the next call reopens them.
  // REQUIRES: no other thread uses the cache meanwhile.
  void close() {
    for (shard_type& shard : shards_) shard.close();
  }

 private:
  explicit FanoutCache(detail::OpenShards opened) : directory_(std::move(opened.directory)) {
    shards_.reserve(opened.stores.size());
    for (Store& store : opened.stores) shards_.emplace_back(std::move(store));
  }

  // `call()`, or `missed` if a shard stayed locked past the timeout: the
  // try-once behaviour of Python's FanoutCache.
  template <class Result, class Call>
  static Result or_on_timeout(Result missed, Call&& call) {
    try {
      return call();
    } catch (const Timeout&) {
      return missed;
    }
  }

  // Repeats `call` until it does not time out (each try waited `timeout`
  // for the lock already), as Python's FanoutCache does for maintenance.
  template <class Call>
  static void until_done(Call&& call) {
    while (true) {
      try {
        call();
        return;
      } catch (const Timeout&) {
      }
    }
  }

  // Calls `call(shard, chunk)` for each chunk of at most 1000 elements of
  // each shard's group (groups[i] for shards_[i]), in order, and adds up
  // what the calls return. A chunk whose shard stays locked past the
  // timeout ends that shard's group: it was rolled back, and the chunks
  // before it stay done.
  template <class Element, class Call>
  std::size_t chunk_by_chunk(const std::vector<std::vector<Element>>& groups, Call&& call) {
    std::size_t total = 0;
    for (std::size_t index = 0; index < groups.size(); ++index) {
      const std::span<const Element> group = groups[index];
      for (std::size_t first = 0; first < group.size(); first += detail::kBulkChunk) {
        const std::span<const Element> chunk =
            group.subspan(first, std::min(detail::kBulkChunk, group.size() - first));
        try {
          total += call(shards_[index], chunk);
        } catch (const Timeout&) {
          break;
        }
      }
    }
    return total;
  }

  std::size_t shard_index(const K& key) const {
    return detail::portable_hash(Disk::template encode<K>(key)) % shards_.size();
  }

  // The sum of `count(shard, retry)` over the shards, each call repeated
  // until it does not time out.
  template <class Count>
  std::int64_t sum_until_done(bool retry, Count&& count) {
    std::int64_t total = 0;
    for (shard_type& shard : shards_) until_done([&] { total += count(shard, retry); });
    return total;
  }

  template <class Count>
  std::int64_t sum(Count&& count) {
    std::int64_t total = 0;
    for (shard_type& shard : shards_) total += count(shard);
    return total;
  }

  // Constant after construction.
  std::filesystem::path directory_;
  std::vector<shard_type> shards_;
};

}  // namespace diskcache

#endif  // DISKCACHE_FANOUT_CACHE_HPP_
