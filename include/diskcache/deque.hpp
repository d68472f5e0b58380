// diskcache::Deque<T, Disk>: a persistent double-ended queue shared by
// processes; the work queue between producers and consumers.
//
// A Deque is a directory holding a cache whose keys are the queue's
// positions, exactly as Python diskcache's Deque lays it out (integer keys
// from 500000000000000, eviction policy "none"), so a Python process can
// consume a C++ process's queue and the other way round.
//
//   diskcache::Deque<std::string> jobs("/var/tmp/jobs");
//   jobs.push_back("resize photo 1");                       // producer
//   if (auto job = jobs.pop_front_wait(std::chrono::seconds(5))) work(*job);
//
// Every pop is atomic across threads and processes: each item is delivered
// to exactly one consumer. An item popped by a consumer that then crashes
// is gone; for work that must survive a crashed worker, lease it instead:
//
//   if (auto job = jobs.lease_front(std::chrono::minutes(1))) {
//     work(**job);
//     job->ack();  // deleted for good; without ack it returns to the front
//   }
//
// Items are decoded as T by the disk policy (default disk::Auto: numbers,
// strings and bytes as Python stores them, other types with cereal).
//
// Poison items never block the queue. An item T cannot hold (a Python
// process pushed a str to a Deque<std::int64_t>, or a pickled object) is
// moved aside by the pop, peek or lease that meets it, into the queue's dead
// letters, and the call goes on with the next item; so is a leased item
// whose lease ended unacknowledged Settings::max_deliveries times.
// dead_letters() reads them, and so do Python (a diskcache.Deque on
// dead_letter_directory()) and the tool (deque pop --dead-letters):
//
//   auto dead = jobs.dead_letters();  // a Deque<diskcache::Value>
//   while (auto bad = dead.pop_front()) std::cerr << "cannot run " << *bad << '\n';
//
// Thread safety: a Deque may be shared by threads. Process safety: any
// number of processes (C++ or Python 5.x) may use the directory at once.
// Fork safety: as Cache.
#ifndef DISKCACHE_DEQUE_HPP_
#define DISKCACHE_DEQUE_HPP_

#include <chrono>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ranges>
#include <string>
#include <utility>

#include "diskcache/detail/bulk.hpp"
#include "diskcache/detail/decode.hpp"
#include "diskcache/detail/queue_iterator.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk_policy.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/transaction.hpp"

namespace diskcache {

template <class T, class Disk>
requires DiskPolicyFor<Disk, T>
class Deque;

// An item taken from a Deque under a lease (see Deque::lease_front). While
// the lease lasts, the item is out of the queue, invisible to every other
// consumer (Python's included). ack() deletes it for good; release(), or
// destroying the Lease without ack(), returns it to the front of the queue
// at once; if the holder dies, the first pop, peek or lease on the queue
// after the visibility timeout returns it.
template <class T>
class Lease {
 public:
  Lease(Lease&& other) noexcept
      : store_(std::move(other.store_)),
        leased_(std::move(other.leased_)),
        value_(std::move(other.value_)),
        active_(std::exchange(other.active_, false)) {}
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Returns the item to the queue unless ack() or release() ran. Errors are
  // swallowed: the item then comes back when its lease times out.
  ~Lease() {
    if (!active_) return;
    try {
      store_.release(leased_.id, leased_.token, /*retry=*/true);
    } catch (...) {
    }
  }

  const T& value() const noexcept { return value_; }
  T& value() noexcept { return value_; }
  const T& operator*() const noexcept { return value_; }
  T& operator*() noexcept { return value_; }
  const T* operator->() const noexcept { return &value_; }

  // Deletes the item for good. Returns false if the lease had already
  // ended: released, or reclaimed, i.e. its visibility timeout passed and
  // then a pop, peek or lease on the queue returned the item to it, so it
  // may be delivered again. A timeout that has passed does not end the lease
  // by itself: until a consumer reclaims the item, ack() still deletes it
  // and returns true.
  // Throws like the store; the lease then stays active, so ack() may be
  // tried again, and destroying the Lease returns the item to the queue.
  bool ack() {
    const bool acknowledged = store_.ack(leased_.id, leased_.token, /*retry=*/true);
    active_ = false;
    return acknowledged;
  }

  // Returns the item to the front of the queue now; false if the lease had
  // already ended (as for ack()).
  bool release() {
    const bool released = store_.release(leased_.id, leased_.token, /*retry=*/true);
    active_ = false;
    return released;
  }

  // Keeps the item for `visibility` from now (a long job's heartbeat);
  // false if the lease had already ended (as for ack()): another consumer
  // may hold the item now. Throws Error for a NaN `visibility` (the
  // deadline stays).
  bool renew(std::chrono::duration<double> visibility) {
    return store_.renew(leased_.id, leased_.token, visibility, /*retry=*/true);
  }

  // Whether neither ack() nor release() has run yet.
  bool active() const noexcept { return active_; }

 private:
  template <class U, class Disk>
  requires DiskPolicyFor<Disk, U>
  friend class Deque;
  Lease(Store store, Store::Leased leased, T value)
      : store_(std::move(store)), leased_(std::move(leased)), value_(std::move(value)) {}

  Store store_;
  Store::Leased leased_;
  T value_;
  bool active_ = true;
};

template <class T, class Disk = disk::Auto>
requires DiskPolicyFor<Disk, T>
class Deque {
 public:
  using value_type = T;
  using duration = std::chrono::duration<double>;

  // Opens (creating if needed) the deque in `directory`; an empty path makes
  // a new temporary directory. With `maxlen`, pushing to a full deque drops
  // an item from the other end (maxlen is a property of this object, not
  // stored). The directory's eviction policy is set to None, as Python's
  // Deque does, so no item is ever evicted.
  // Throws IoError, CorruptionError, Error as Cache's constructor.
  explicit Deque(std::filesystem::path directory = {},
                 std::optional<std::size_t> maxlen = std::nullopt, const Settings& settings = {})
      : Deque(open_store(std::move(directory), settings), maxlen) {}

  // Opens the deque as above, then pushes every element of `values` to the
  // back, in one transaction (Python's Deque(iterable, directory)): an
  // existing deque keeps its items and gains these after them.
  //   diskcache::Deque<std::string> jobs(dir, std::vector<std::string>{"a", "b"});
  template <detail::RangeOf<T> Values>
  Deque(std::filesystem::path directory, const Values& values,
        std::optional<std::size_t> maxlen = std::nullopt, const Settings& settings = {})
      : Deque(std::move(directory), maxlen, settings) {
    extend(values);
  }

  // A Deque over the directory of an open cache (Python's Deque.fromcache);
  // shares its engine.
  template <class Container>
  static Deque from_cache(Container& cache, std::optional<std::size_t> maxlen = std::nullopt) {
    return Deque(cache.store(), maxlen);
  }

  // Adds `value` at the back / front. With maxlen, a full deque first loses
  // its front / back item (in the same transaction).
  void push_back(const T& value) { push(value, Side::Back); }
  void push_front(const T& value) { push(value, Side::Front); }

  // Removes and returns the back / front item, atomically across processes;
  // nullopt if empty. An item that cannot be decoded as T is moved to the
  // dead letters (see the top of this file) and the next one is taken.
  // Throws CorruptionError if the item's value file is missing or damaged
  // (it stays), Timeout, IoError.
  std::optional<T> pop_back() { return pop(Side::Back); }
  std::optional<T> pop_front() { return pop(Side::Front); }

  // The back / front item, left in place; nullopt if empty. An item that
  // cannot be decoded as T is moved to the dead letters, as by pop.
  std::optional<T> peek_back() { return peek(Side::Back); }
  std::optional<T> peek_front() { return peek(Side::Front); }

  // pop_front(), waiting up to `timeout` for an item to arrive. A push by
  // any process (C++ or Python) wakes the waiter through an inotify watch on
  // the directory; without an event it still looks again every few
  // milliseconds. Returns nullopt if the time runs out.
  std::optional<T> pop_front_wait(duration timeout) {
    std::optional<T> item;
    store_.wait_until(timeout, [&] { return (item = pop_front()).has_value(); });
    return item;
  }

  // Takes the front item under a lease of `visibility_timeout` (see Lease):
  // acknowledged, it is gone; not acknowledged in time (the consumer
  // crashed), it returns to the front of the queue for the next consumer.
  // nullopt if empty. Delivery is at least once: a consumer that acks after
  // its lease ended learns so from ack() returning false. With
  // Settings::max_deliveries, an item whose lease ends unacknowledged for
  // the max_deliveries-th time goes to the dead letters instead of back to
  // the queue; an item that cannot be decoded as T goes there at once, as
  // by pop. A NaN `visibility_timeout` (a lease that would never end)
  // throws Error.
  std::optional<Lease<T>> lease_front(duration visibility_timeout) {
    return lease_at(Side::Front, visibility_timeout);
  }

  // lease_front() at the back: the newest item, for a consumer that takes
  // the latest work first.
  std::optional<Lease<T>> lease_back(duration visibility_timeout) {
    return lease_at(Side::Back, visibility_timeout);
  }

  // lease_front(), waiting up to `timeout` for an item as pop_front_wait.
  std::optional<Lease<T>> lease_front_wait(duration visibility_timeout, duration timeout) {
    std::optional<Lease<T>> lease;
    store_.wait_until(timeout, [&] {
      std::optional<Lease<T>> taken = lease_front(visibility_timeout);
      if (taken) lease.emplace(std::move(*taken));
      return lease.has_value();
    });
    return lease;
  }

  // The item `index` places from the front (negative: from the back, -1
  // being the last). Throws KeyError if out of range.
  T at(std::int64_t index) {
    const Cell key = key_at(index);
    std::optional<StoredItem> item = store_.get(key, /*retry=*/true);
    if (!item) throw out_of_range(index);
    return decode(item->value, key);
  }

  // Python's d[index]: the item, as at().
  T operator[](std::int64_t index) { return at(index); }

  // Replaces the item at `index` (as at). Throws KeyError if out of range.
  void set(std::int64_t index, const T& value) {
    auto transaction = store_.transact(/*retry=*/true);
    store_.set(key_at(index), encode(value), SetOptions{.retry = true});
  }

  // Removes the item at `index` (as at). Throws KeyError if out of range.
  void erase(std::int64_t index) {
    auto transaction = store_.transact(/*retry=*/true);
    store_.erase(key_at(index), /*retry=*/true);
  }

  // Number of items waiting in the queue, as Python's len(): leased items
  // are out of the queue and not counted (see leased_count()).
  std::int64_t size() { return store_.size(); }
  // Number of items out on a lease now, neither acknowledged nor back in
  // the queue (Python cannot see them).
  std::int64_t leased_count() { return store_.leased_count(std::nullopt); }
  bool empty() { return size() == 0; }
  // Removes every item; leases already given out stay valid.
  void clear() { store_.clear(/*retry=*/true); }

  // Pushes every element of `values` to the back (in order) / to the front
  // (so the last element ends up first, as Python's extendleft), in one
  // transaction.
  template <class Range>
  void extend(const Range& values) {
    auto transaction = store_.transact(/*retry=*/true);
    for (const auto& value : values) push_back(value);
  }
  template <class Range>
  void extend_front(const Range& values) {
    auto transaction = store_.transact(/*retry=*/true);
    for (const auto& value : values) push_front(value);
  }

  // Moves the last `steps` items to the front (negative: the first -steps to
  // the back), as std::rotate on a ring; one transaction.
  void rotate(std::int64_t steps = 1) {
    auto transaction = store_.transact(/*retry=*/true);
    const std::int64_t count = size();
    if (count == 0) return;
    steps %= count;
    const Side from = steps >= 0 ? Side::Back : Side::Front;
    const Side to = steps >= 0 ? Side::Front : Side::Back;
    for (std::int64_t i = 0; i < (steps >= 0 ? steps : -steps); ++i) {
      std::optional<std::pair<Cell, StoredItem>> item = store_.pull(std::nullopt, from, true);
      store_.push(item->second.value, std::nullopt, to, options_of(item->second));
    }
  }

  // Reverses the order of the items, in one transaction.
  void reverse() {
    auto transaction = store_.transact(/*retry=*/true);
    detail::QueueKeyWalk front(store_, std::nullopt, Side::Front);
    detail::QueueKeyWalk back(store_, std::nullopt, Side::Back);
    while (true) {
      std::optional<Cell> low = front.next();
      std::optional<Cell> high = back.next();
      // The walks meet in the middle. Keys of the queue without prefix are
      // numbers below 10^15, exact as doubles.
      const auto number = [](const Cell& key) {
        return key.kind() == Cell::Kind::Integer ? static_cast<double>(key.integer()) : key.real();
      };
      if (!low || !high || number(*low) >= number(*high)) return;
      std::optional<StoredItem> low_item = store_.get(*low, /*retry=*/true);
      std::optional<StoredItem> high_item = store_.get(*high, /*retry=*/true);
      store_.set(*low, high_item->value, options_of(*high_item));
      store_.set(*high, low_item->value, options_of(*low_item));
    }
  }

  // Iteration, front to back (begin/end) or back to front (reversed()): a
  // lazy walk that reads keys a page at a time and each value as it gets
  // there. Other processes may push and pop meanwhile: an item popped before
  // the walk reaches it is skipped, an item pushed beyond the walk's
  // position is met. Leased items are not in the queue, so not visited.
  //   for (const std::string& job : jobs) std::cout << job << '\n';
  // Throws SerializationError for an item T cannot hold, ending the walk:
  // a walk only reads, so it moves nothing to the dead letters (the next
  // pop or peek that meets the item does); Timeout, IoError.
  using iterator = detail::QueueIterator<T, Disk>;
  iterator begin() { return iterator(store_, std::nullopt, Side::Front); }
  iterator end() const noexcept { return {}; }

  struct Reversed {
    Deque* deque;
    iterator begin() { return iterator(deque->store_, std::nullopt, Side::Back); }
    iterator end() const noexcept { return {}; }
  };
  // The items back to front: for (const T& item : deque.reversed()) ...
  Reversed reversed() noexcept { return Reversed{this}; }

  // How many items equal `value` (a walk over the whole queue).
  std::int64_t count(const T& value) requires std::equality_comparable<T> {
    std::int64_t found = 0;
    for (const T& item : *this) found += item == value ? 1 : 0;
    return found;
  }

  // Python's `value in deque` and deque.index(value): whether an item
  // equals `value`, and the position of the first that does, from the
  // front (nullopt where Python raises ValueError). Walks the queue.
  bool contains(const T& value) requires std::equality_comparable<T> {
    return index(value).has_value();
  }
  std::optional<std::int64_t> index(const T& value) requires std::equality_comparable<T> {
    std::int64_t position = 0;
    for (const T& item : *this) {
      if (item == value) return position;
      ++position;
    }
    return std::nullopt;
  }

  // Python's comparisons of deques: item by item, front to back, with
  // anything iterable (another Deque, a std::vector, ...); a shorter
  // sequence that matches the start of a longer one comes first. Each
  // walks both sequences while other processes may change them, so the
  // answer holds for the moment of the walk.
  //   if (jobs == std::vector<std::string>{"a", "b"}) ...
  template <std::ranges::input_range Other>
  requires std::equality_comparable_with<T, std::ranges::range_reference_t<Other>>
  bool equals(Other&& other) {
    auto theirs = std::ranges::begin(other);
    const auto their_end = std::ranges::end(other);
    for (const T& item : *this) {
      if (theirs == their_end || !(item == *theirs)) return false;
      ++theirs;
    }
    return theirs == their_end;
  }
  template <std::ranges::input_range Other>
  requires std::three_way_comparable_with<T, std::ranges::range_reference_t<Other>>
  auto compare(Other&& other) {
    auto theirs = std::ranges::begin(other);
    const auto their_end = std::ranges::end(other);
    using Order = std::compare_three_way_result_t<T, std::ranges::range_reference_t<Other>>;
    for (const T& item : *this) {
      if (theirs == their_end) return Order(std::strong_ordering::greater);
      if (const auto order = item <=> *theirs; order != 0) return Order(order);
      ++theirs;
    }
    return theirs == their_end ? Order(std::strong_ordering::equal)
                               : Order(std::strong_ordering::less);
  }
  template <std::ranges::input_range Other>
  friend bool operator==(Deque& deque, Other&& other) requires
      std::equality_comparable_with<T, std::ranges::range_reference_t<Other>> {
    return deque.equals(std::forward<Other>(other));
  }
  template <std::ranges::input_range Other>
  friend auto operator<=>(Deque& deque, Other&& other) requires
      std::three_way_comparable_with<T, std::ranges::range_reference_t<Other>> {
    return deque.compare(std::forward<Other>(other));
  }

  // Removes the item nearest the front that equals `value`; returns whether
  // there was one (Python's remove raises ValueError instead). If another
  // process takes that item first, the next equal item is removed instead.
  bool remove(const T& value) requires std::equality_comparable<T> {
    std::optional<Cell> after;
    while (true) {
      std::vector<Cell> keys = store_.queue_keys(std::nullopt, Side::Front, after, 100);
      if (keys.empty()) return false;
      for (const Cell& key : keys) {
        if (!holds(key, value)) continue;
        // Looked at again under the write lock: it may have been popped.
        auto transaction = store_.transact(/*retry=*/true);
        if (holds(key, value)) {
          store_.erase(key, /*retry=*/true);
          return true;
        }
      }
      after = std::move(keys.back());
    }
  }

  // Begins a write transaction (see transaction.hpp): the calls in its scope
  // form one commit.
  [[nodiscard]] Transaction transact(bool retry = true) { return store_.transact(retry); }

  // A file descriptor that becomes readable when the queue may have new
  // items, for event loops that cannot block a thread in pop_front_wait
  // (see change_watch.hpp): clear() it, pop until empty, wait again.
  //   diskcache::ChangeWatch watch = jobs.watch();
  ChangeWatch watch() { return store_.watch_changes(); }

  // --- Dead letters: the items moved aside (see the top of this file), in
  // the order they were moved, values, expire times and tags unchanged.

  // The dead letters as a Deque of their own (opened, created if needed),
  // items decoded as U with policy D; by default Deque<Value>, which reads
  // whatever Python can store, so that a dead letter can always be read
  // (as T it likely cannot). Popping from it takes a dead letter for good.
  template <class U = Value, class D = disk::Auto>
  requires DiskPolicyFor<D, U> Deque<U, D> dead_letters() {
    return Deque<U, D>(store_.dead_letters(), std::nullopt);
  }

  // Where the dead letters are: <directory>/cache.db-dead-letters, a Deque
  // directory Python opens as diskcache.Deque(directory=...).
  std::filesystem::path dead_letter_directory() const {
    return directory() / Store::kDeadLetterDirectory;
  }

  // Moves the front / back item to the dead letters without decoding it
  // (an operator's way to unblock a queue by hand). Returns false if the
  // queue is empty, or another consumer took that item first.
  bool dead_letter_front() { return dead_letter_at(Side::Front); }
  bool dead_letter_back() { return dead_letter_at(Side::Back); }

  std::optional<std::size_t> maxlen() const noexcept { return maxlen_; }
  // Changes maxlen (Python's maxlen setter): a deque longer than the new
  // maxlen loses items from the front until it fits, in one transaction.
  // nullopt: no limit.
  void set_maxlen(std::optional<std::size_t> maxlen) {
    maxlen_ = maxlen;
    if (!maxlen) return;
    auto transaction = store_.transact(/*retry=*/true);
    trim_to(*maxlen, Side::Front);
  }
  const std::filesystem::path& directory() const noexcept { return store_.directory(); }
  Store& store() noexcept { return store_; }

 private:
  // Takes the item at `side` under a lease (see lease_front).
  std::optional<Lease<T>> lease_at(Side side, duration visibility_timeout) {
    std::optional<T> value;
    std::optional<Store::Leased> leased = setting_poison_aside([&](std::optional<Cell>& poison) {
      return store_.lease(std::nullopt, side, visibility_timeout, /*retry=*/true,
                          [&](const Cell& key, const StoredItem& item) {
                            value.emplace(decode_noting(item.value, key, poison));
                          });
    });
    if (!leased) return std::nullopt;
    return Lease<T>(store_, std::move(*leased), std::move(*value));
  }

  template <class U, class D>
  requires DiskPolicyFor<D, U>
  friend class Deque;

  Deque(Store store, std::optional<std::size_t> maxlen)
      : store_(std::move(store)), maxlen_(maxlen) {
    store_.enable_leases();
  }

  static Store open_store(std::filesystem::path directory, const Settings& settings) {
    Settings deque_settings = settings;
    deque_settings.eviction_policy = EvictionPolicy::None;
    return Store(std::move(directory), deque_settings);
  }

  static Cell encode(const T& value) { return Disk::template encode<T>(value); }

  T decode(const Cell& cell, const Cell& key) const {
    return detail::decode_stored<Disk, T>(cell, key, "deque item", store_.directory());
  }

  static SetOptions options_of(const StoredItem& item) {
    SetOptions options{.tag = item.tag, .retry = true};
    if (item.expire_time) {
      const double now = duration(std::chrono::system_clock::now().time_since_epoch()).count();
      options.expire = duration(*item.expire_time - now);
    }
    return options;
  }

  void push(const T& value, Side side) {
    const Cell cell = encode(value);
    if (!maxlen_) {
      store_.push(cell, std::nullopt, side, SetOptions{.retry = true});
      return;
    }
    auto transaction = store_.transact(/*retry=*/true);
    store_.push(cell, std::nullopt, side, SetOptions{.retry = true});
    trim_to(*maxlen_, side == Side::Back ? Side::Front : Side::Back);
  }

  // Removes items from `end` until at most `length` are left.
  // REQUIRES: inside a transaction, so the length cannot change meanwhile.
  void trim_to(std::size_t length, Side end) {
    while (store_.size() > static_cast<std::int64_t>(length)) {
      store_.pull(std::nullopt, end, /*retry=*/true);
    }
  }

  // decode(), noting in `poison` the key of an item T cannot hold.
  T decode_noting(const Cell& cell, const Cell& key, std::optional<Cell>& poison) const {
    try {
      return decode(cell, key);
    } catch (const SerializationError&) {
      poison = key.to_owning();
      throw;
    }
  }

  // Calls `take(poison)` (a pull, peek or lease that decodes with
  // decode_noting) until it meets no item T cannot hold; each one it meets is
  // moved to the dead letters first. A SerializationError from anything else
  // propagates.
  template <class Take>
  auto setting_poison_aside(Take&& take) {
    while (true) {
      std::optional<Cell> poison;
      try {
        return take(poison);
      } catch (const SerializationError&) {
        if (!poison) throw;
      }
      store_.dead_letter(std::nullopt, *poison, /*retry=*/true);
    }
  }

  std::optional<T> pop(Side side) {
    store_.reclaim_leases(std::nullopt, /*retry=*/true);
    return setting_poison_aside([&](std::optional<Cell>& poison) {
      std::optional<T> value;
      store_.pull(std::nullopt, side, /*retry=*/true, [&](const Cell& key, const StoredItem& item) {
        value.emplace(decode_noting(item.value, key, poison));
      });
      return value;
    });
  }

  std::optional<T> peek(Side side) {
    store_.reclaim_leases(std::nullopt, /*retry=*/true);
    return setting_poison_aside([&](std::optional<Cell>& poison) -> std::optional<T> {
      std::optional<std::pair<Cell, StoredItem>> item =
          store_.peek(std::nullopt, side, /*retry=*/true);
      if (!item) return std::nullopt;
      return decode_noting(item->second.value, item->first, poison);
    });
  }

  bool dead_letter_at(Side side) {
    store_.reclaim_leases(std::nullopt, /*retry=*/true);
    std::optional<Cell> key = store_.queue_key_at(std::nullopt, 0, side);
    return key && store_.dead_letter(std::nullopt, *key, /*retry=*/true);
  }

  bool holds(const Cell& key, const T& value) {
    std::optional<StoredItem> item = store_.get(key, /*retry=*/true);
    return item && decode(item->value, key) == value;
  }

  Cell key_at(std::int64_t index) {
    const bool from_back = index < 0;
    std::optional<Cell> key = store_.queue_key_at(std::nullopt, from_back ? -index - 1 : index,
                                                  from_back ? Side::Back : Side::Front);
    if (!key) throw out_of_range(index);
    return *key;
  }

  KeyError out_of_range(std::int64_t index) const {
    return KeyError(
        "deque index " + std::to_string(index) + " out of range in " + store_.directory().string(),
        store_.directory(), std::to_string(index));
  }

  Store store_;
  std::optional<std::size_t> maxlen_;
};

}  // namespace diskcache

#endif  // DISKCACHE_DEQUE_HPP_
