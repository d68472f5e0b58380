// Recipes: coordination between threads and processes built on a cache, as
// Python diskcache's recipes.py: Averager, Lock, RLock, BoundedSemaphore,
// throttle, barrier and memoize_stampede.
//
// Each recipe keeps its state in one item of a cache (a Cache, a
// FanoutCache, where the item lives in its key's shard, or any container
// with store()), so every thread and process that opens the directory and
// names the same key shares it:
//
//   diskcache::Cache<> cache("/var/tmp/app");
//   diskcache::Lock lock(cache, "report-123");
//   {
//     diskcache::Guard hold(lock);  // waits until no process holds the lock
//     write_report();
//   }                               // released here, or when an exception leaves
//
// Python sees the same state where the layouts agree: a Lock is the
// presence of its key (Python's Lock stores None, this one NULL, and both
// only look at whether the key exists), and a BoundedSemaphore's count is a
// plain integer, so C++ and Python processes exclude each other through
// them. RLock, Averager and throttle keep tuples, which Python pickles and
// C++ stores with cereal: those work between C++ processes only, as does
// memoize_stampede, whose keys are not Python's.
//
// Waiting: acquire() sleeps until some process commits to the directory
// (an inotify watch, see Store::wait_until) and tries again, so a released
// lock is noticed at once without polling SQLite in a tight loop. Every
// call waits for the database lock as long as it takes (Python's
// retry=True), also on a FanoutCache. Locks do not know their holders'
// liveness: a process that dies holding one leaves it held until the
// item's `expire` passes, so give locks that may be abandoned an expiry.
//
// Thread safety: a recipe object may be shared by threads, with the
// exception of Guard, which belongs to its thread. Process safety: any
// number of processes may use the same key. Fork safety: as Cache; an
// RLock held by the parent is not held by the child (its owner is the
// process and thread id).
#ifndef DISKCACHE_RECIPES_HPP_
#define DISKCACHE_RECIPES_HPP_

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "diskcache/cell.hpp"
#include "diskcache/detail/shards.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/export.hpp"
#include "diskcache/memoize.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

// How the item holding a recipe's state is stored.
struct RecipeOptions {
  // Time after which the item expires, as if its recipe were reset (a lock
  // released, a semaphore full, an average empty); none: never. Each write
  // of the state starts the time again. Default: none.
  std::optional<std::chrono::duration<double>> expire{};
  // The item's tag, for evict(tag). Default: none.
  std::optional<Value> tag{};
};

namespace detail {

// The item a recipe keeps its state in: its key as stored (by the
// container's disk policy, so the same key as Python's for raw types), the
// store that holds it (on a FanoutCache, the key's shard), and how it is
// written.
struct RecipeItem {
  Store store;
  Cell key;
  RecipeOptions options;
};

template <class Container>
RecipeItem recipe_item(Container& cache, const typename Container::key_type& key,
                       RecipeOptions options) {
  using Disk = typename Container::disk_type;
  Cell cell = Disk::template encode<typename Container::key_type>(key).to_owning();
  Store store = shards_of(cache).for_key(cell);
  return RecipeItem{std::move(store), std::move(cell), std::move(options)};
}

// A memoized result with the seconds it took to compute (what
// memoize_stampede stores: Python's (result, delta) pair).
template <class Result>
struct TimedResult {
  Result result{};
  double seconds = 0;

  // One member for cereal and Boost: both call serialize(archive, version)
  // and both archives take `archive & object`.
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    // clang-format 14 reads `archive & x;` as a declaration.
    // clang-format off
    archive & result;
    archive & seconds;
    // clang-format on
  }
};

}  // namespace detail

// Holds an acquired Lock, RLock or BoundedSemaphore for its scope, like
// std::lock_guard:
//
//   diskcache::Guard hold(semaphore);
//
// The constructor acquires (waiting as long as it takes); the destructor
// releases. If releasing fails (IoError, CorruptionError) the destructor
// throws, so that a lock left held does not go unnoticed, unless an
// exception is already unwinding the scope; call release() to handle the
// error in place. A Guard belongs to the thread that made it.
template <class Lockable>
class [[nodiscard]] Guard {
 public:
  explicit Guard(Lockable& lockable) : lockable_(&lockable) { lockable.acquire(); }
  Guard(Guard&& other) noexcept : lockable_(std::exchange(other.lockable_, nullptr)) {}
  Guard& operator=(Guard&&) = delete;
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  ~Guard() noexcept(false) {
    if (lockable_ == nullptr) return;
    if (std::uncaught_exceptions() > uncaught_exceptions_) {
      try {
        lockable_->release();
      } catch (const Error&) {
      }
      return;
    }
    release();
  }

  // Releases now. REQUIRES: not released yet.
  void release() { std::exchange(lockable_, nullptr)->release(); }

 private:
  Lockable* lockable_;
  int uncaught_exceptions_ = std::uncaught_exceptions();  // at construction
};

// A lock across threads and processes (Python's Lock): held while its key
// exists. Not re-entrant: a second acquire() by the holder waits for ever;
// see RLock. Any thread or process may release it.
class DISKCACHE_EXPORT Lock {
 public:
  // The lock named `key` in `cache`. Stores nothing until acquired.
  template <class Container>
  Lock(Container& cache, const typename Container::key_type& key, RecipeOptions options = {})
      : item_(detail::recipe_item(cache, key, std::move(options))) {}

  // Waits until the lock is free, then takes it. Throws IoError or
  // CorruptionError as the cache's calls.
  void acquire();

  // Takes the lock if it is free; returns whether it did. Never waits for
  // the holder (only, briefly, for the database).
  bool try_acquire();

  // Releases the lock (deletes its key); does nothing if it is free.
  void release();

  // Whether some thread or process holds the lock.
  bool locked();

 private:
  detail::RecipeItem item_;
};

// A re-entrant lock across threads and processes (Python's RLock): its
// holder, one thread of one process, may acquire it again, and must release
// it as often. The state (holder "pid-tid", count) is stored with cereal,
// so it is shared with C++ processes only.
class DISKCACHE_EXPORT RLock {
 public:
  template <class Container>
  RLock(Container& cache, const typename Container::key_type& key, RecipeOptions options = {})
      : item_(detail::recipe_item(cache, key, std::move(options))) {}

  // Waits until the lock is free or held by this thread, then takes it once
  // more. Throws SerializationError (naming the key) if the key holds
  // something else, IoError, CorruptionError.
  void acquire();

  // Gives back one acquisition; the last one frees the lock. Throws Error
  // naming the key and directory if this thread does not hold the lock.
  void release();

 private:
  detail::RecipeItem item_;
};

// A semaphore across threads and processes (Python's BoundedSemaphore):
// at most `value` holders at a time. Its key holds the number of free
// places as a plain integer, so Python's BoundedSemaphore on the same key
// and value shares it.
class DISKCACHE_EXPORT BoundedSemaphore {
 public:
  // REQUIRES: value >= 1.
  template <class Container>
  BoundedSemaphore(Container& cache, const typename Container::key_type& key,
                   std::int64_t value = 1, RecipeOptions options = {})
      : item_(detail::recipe_item(cache, key, std::move(options))), value_(value) {}

  // Waits until a place is free, then takes it. Throws SerializationError
  // if the key holds something other than an integer.
  void acquire();

  // Gives a place back. Throws Error naming the key and directory if every
  // place is already free.
  void release();

 private:
  detail::RecipeItem item_;
  std::int64_t value_;
};

// A running average across processes (Python's Averager): add() values from
// anywhere, get() their mean. The state (total, count) is stored with
// cereal, for C++ processes only.
//
//   diskcache::Averager latency(cache, "latency");
//   latency.add(0.080);
//   latency.add(0.120);
//   std::optional<double> mean = latency.get();  // 0.1
class DISKCACHE_EXPORT Averager {
 public:
  template <class Container>
  Averager(Container& cache, const typename Container::key_type& key, RecipeOptions options = {})
      : item_(detail::recipe_item(cache, key, std::move(options))) {}

  // Adds `value`, atomically across processes.
  void add(double value);

  // The mean of the values added so far; nullopt if there are none.
  std::optional<double> get();

  // The mean (as get) and forgets every value, atomically.
  std::optional<double> pop();

 private:
  detail::RecipeItem item_;
};

// Where a Throttle reads the time and how it sleeps (Python's time_func and
// sleep_func): by default the system clock, in Unix seconds, and
// std::this_thread::sleep_for. Tests and simulations pass their own, e.g.
// a clock that sleep() moves forward, so a rate limit is checked without
// waiting. Every process sharing a bucket must use the same time scale.
struct ThrottleClock {
  std::function<double()> now;                // Unix time in seconds; empty: the system clock
  std::function<void(double seconds)> sleep;  // empty: std::this_thread::sleep_for
};

// A rate limit across processes: at most `count` calls per `period`, a
// token bucket shared through the cache (Python's throttle). The bucket
// starts full, so the first `count` calls pass at once; after that, calls
// pass at `count` per `period`, evenly spread.
//
// Unlike Python's, making a Throttle does not refill an existing bucket:
// the processes that open it later share the state the first one made.
// The state is stored with cereal, for C++ processes only; times are the
// system clock's.
class DISKCACHE_EXPORT Throttle {
 public:
  // REQUIRES: count >= 1, period > 0.
  template <class Container>
  Throttle(Container& cache, const typename Container::key_type& key, std::int64_t count,
           std::chrono::duration<double> period, RecipeOptions options = {},
           ThrottleClock clock = {})
      : item_(detail::recipe_item(cache, key, std::move(options))),
        count_(count),
        rate_(static_cast<double>(count) / period.count()),
        clock_(with_defaults(std::move(clock))) {
    fill_if_new();
  }

  // Waits (sleeping) until a call may pass, then counts it.
  void wait();

 private:
  // Stores a full bucket unless one exists: the first process makes the
  // state, the later ones share it.
  void fill_if_new();
  // `clock` with the system clock and sleep_for where it has none.
  static ThrottleClock with_defaults(ThrottleClock clock);

  detail::RecipeItem item_;
  std::int64_t count_;
  double rate_;  // calls per second
  ThrottleClock clock_;
};

// A callable that runs `Fn` after waiting for its Throttle (see throttle()).
template <class Fn>
class Throttled {
 public:
  Throttled(Throttle throttle, Fn fn) : throttle_(std::move(throttle)), fn_(std::move(fn)) {}

  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    throttle_.wait();
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

 private:
  Throttle throttle_;
  Fn fn_;
};

// Wraps `fn` so that, across every process that wraps a function under the
// same key, at most `count` calls per `period` run (Python's @throttle);
// a call over the rate sleeps until its turn.
//
//   auto fetch = diskcache::throttle(cache, "api", 10, std::chrono::seconds(1), fetch_page);
//   fetch(url);  // at most 10 per second, whatever the number of processes
template <class Container, class Fn>
Throttled<std::decay_t<Fn>> throttle(Container& cache, const typename Container::key_type& key,
                                     std::int64_t count, std::chrono::duration<double> period,
                                     Fn&& fn, RecipeOptions options = {},
                                     ThrottleClock clock = {}) {
  return Throttled<std::decay_t<Fn>>(
      Throttle(cache, key, count, period, std::move(options), std::move(clock)),
      std::forward<Fn>(fn));
}

// A callable that runs `Fn` while holding its lock (see barrier()).
template <class Lockable, class Fn>
class Barrier {
 public:
  Barrier(Lockable lockable, Fn fn) : lockable_(std::move(lockable)), fn_(std::move(fn)) {}

  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    Guard<Lockable> hold(lockable_);
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

 private:
  Lockable lockable_;
  Fn fn_;
};

// Wraps `fn` so that every call holds `lockable` (a Lock, RLock or
// BoundedSemaphore) while it runs (Python's @barrier(cache, lock_factory)):
// with a Lock, one call at a time across all processes; with a
// BoundedSemaphore of value n, at most n.
//
//   auto rebuild = diskcache::barrier(diskcache::Lock(cache, "rebuild"), rebuild_index);
//   rebuild();  // never runs twice at once, in any process
template <class Lockable, class Fn>
Barrier<Lockable, std::decay_t<Fn>> barrier(Lockable lockable, Fn&& fn) {
  return Barrier<Lockable, std::decay_t<Fn>>(std::move(lockable), std::forward<Fn>(fn));
}

// Options of memoize_stampede.
struct StampedeOptions {
  // How long a result stays cached. Required: more than zero.
  std::chrono::duration<double> expire{};
  // How eagerly results are recomputed before they expire: a caller
  // recomputes early when -seconds * beta * ln(U) >= time left, for U
  // uniform in (0, 1] and `seconds` the last computation's duration.
  // Larger: earlier. Default: 1 (the optimum in Vattani et al., VLDB 2015).
  double beta = 1.0;
  // Tag, typed and ignore: as MemoizeOptions. Default: none, false, none.
  std::optional<Value> tag{};
  bool typed = false;
  std::set<std::size_t> ignore{};
};

// A memoized function that recomputes a result shortly before it expires,
// in one caller, while the others keep getting the cached result (Python's
// memoize_stampede). See memoize_stampede().
template <class Disk, class Fn>
class MemoizedStampede : public Memoized<Disk, Fn> {
 public:
  MemoizedStampede(detail::Shards shards, std::string name, Fn fn, StampedeOptions options)
      : Memoized<Disk, Fn>(std::move(shards), std::move(name), std::move(fn),
                           MemoizeOptions{.expire = options.expire,
                                          .tag = options.tag,
                                          .typed = options.typed,
                                          .ignore = options.ignore}),
        beta_(options.beta) {}

  // The cached result for `args`; on a miss, or (with a probability that
  // grows as the expiry nears) early, the function's fresh result. Of the
  // callers that decide to recompute early, one does (it marks the key for
  // the last computation's duration) and the others return the cached
  // result. Throws as Memoized::operator().
  template <class... Args>
  auto operator()(Args&&... args) {
    using Held = detail::held_arguments_t<Fn, Args...>;
    Held held(std::forward<Args>(args)...);
    using Result = std::remove_cvref_t<decltype(std::apply(this->fn_, std::move(held)))>;
    static_assert(!std::is_void_v<Result>,
                  "memoize_stampede: a function returning void has no result to cache");
    const Cell key = this->encode_key(this->name_, held);
    Store& store = this->shards_.for_key(key);
    if (std::optional<StoredItem> item = store.get(key, /*retry=*/true)) {
      auto cached =
          this->template decode_result<detail::TimedResult<Result>>(item->value, key, store);
      if (!recompute_now(cached.seconds, item->expire_time)) return std::move(cached.result);
      // Python's key + (ENOVAL,): a name no function has (it holds a NUL).
      // It lasts twice the last computation (Python: once), so that one a
      // little slower than the last is not started a second time.
      const Cell marker = this->encode_key(this->name_ + std::string("\0recomputing", 12), held);
      const SetOptions marking{.expire = std::chrono::duration<double>(2 * cached.seconds),
                               .retry = true};
      if (!this->shards_.for_key(marker).add(marker, Cell::null(), marking)) {
        return std::move(cached.result);
      }
    }
    return compute(store, key, std::move(held));
  }

  double beta() const noexcept { return beta_; }

 private:
  using Seconds = std::chrono::duration<double>;

  // Whether a result that took `seconds` to compute and expires at
  // `expire_time` (Unix seconds) should be recomputed now.
  bool recompute_now(double seconds, std::optional<double> expire_time) const {
    if (!expire_time) return false;  // touched to never expire
    const double now = Seconds(std::chrono::system_clock::now().time_since_epoch()).count();
    // Fresh randomness per call, so forked processes do not draw alike.
    std::random_device random;
    const double uniform = (static_cast<double>(random()) + 1.0) / 4294967296.0;  // (0, 1]
    return -seconds * beta_ * std::log(uniform) >= *expire_time - now;
  }

  template <class Held>
  auto compute(Store& store, const Cell& key, Held&& held) {
    using Result = std::remove_cvref_t<decltype(std::apply(this->fn_, std::move(held)))>;
    const auto start = std::chrono::steady_clock::now();
    detail::TimedResult<Result> timed{std::apply(this->fn_, std::move(held)), 0};
    timed.seconds = Seconds(std::chrono::steady_clock::now() - start).count();
    store.set(
        key, Disk::template encode<detail::TimedResult<Result>>(timed),
        SetOptions{.expire = this->options_.expire, .tag = this->options_.tag, .retry = true});
    return std::move(timed.result);
  }

  double beta_;
};

// Wraps `fn` like memoize() (results cached under (name, arguments...),
// across processes), adding protection against cache stampedes: when a
// much-used result expires, plain memoize makes every caller that misses
// recompute at once; here, as the expiry nears, callers recompute early
// with a growing probability, and only the first of them does it, so a hot
// result is refreshed about once per expiry whatever the number of
// callers. The caller that recomputes waits for the function (Python runs
// it on a background thread and returns the old result); the others return
// the cached result meanwhile.
//
//   auto report = diskcache::memoize_stampede(cache, "report", build_report,
//                                             {.expire = std::chrono::minutes(5)});
//   Report today = report("2024-05-01");
//
// Stored results are (result, seconds to compute) pairs, encoded by the
// container's disk policy (so not disk::Raw; the result type must be
// default constructible). Throws Error if options.expire is not positive.
template <class Container, class Fn>
MemoizedStampede<typename Container::disk_type, std::decay_t<Fn>> memoize_stampede(
    Container& cache, std::string name, Fn&& fn, StampedeOptions options) {
  if (options.expire.count() <= 0) {
    throw Error("memoize_stampede \"" + name + "\" in " + cache.directory().string() +
                    ": expire must be more than zero",
                cache.directory());
  }
  return MemoizedStampede<typename Container::disk_type, std::decay_t<Fn>>(
      detail::shards_of(cache), std::move(name), std::forward<Fn>(fn), std::move(options));
}

}  // namespace diskcache

#endif  // DISKCACHE_RECIPES_HPP_
