// The recipes' state machines on the Store, after Python's recipes.py: each
// read-modify-write runs in one write transaction on the key's store.
#include "diskcache/recipes.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "diskcache/detail/decode.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/binary.hpp"

namespace diskcache {
namespace {

using Seconds = std::chrono::duration<double>;

double unix_now() { return Seconds(std::chrono::system_clock::now().time_since_epoch()).count(); }

// Calls `attempt` until it returns true, sleeping between tries until some
// process commits to the directory (or a few milliseconds pass).
void wait_until_done(Store& store, const std::function<bool()>& attempt) {
  while (!store.wait_until(std::chrono::hours(1), attempt)) {
  }
}

// The recipe's state, decoded as T, or nullopt if there is none. Throws
// SerializationError naming `what`, the key and the directory if the item
// holds something else.
template <class Disk, class T>
std::optional<T> read_state(detail::RecipeItem& item, const char* what) {
  std::optional<StoredItem> stored = item.store.get(item.key, /*retry=*/true);
  if (!stored) return std::nullopt;
  return detail::decode_stored<Disk, T>(stored->value, item.key, what, item.store.directory());
}

SetOptions write_options(const detail::RecipeItem& item) {
  return SetOptions{.expire = item.options.expire, .tag = item.options.tag, .retry = true};
}

void write_state(detail::RecipeItem& item, const Cell& state) {
  item.store.set(item.key, state, write_options(item));
}

Error not_acquired(const std::string& what, const detail::RecipeItem& item) {
  const std::string key = item.key.repr();
  const std::filesystem::path& directory = item.store.directory();
  return Error("cannot release " + what + " " + key + " in " + directory.string() +
                   ": not acquired" + (what == "lock" ? " by this thread" : ""),
               directory, key);
}

// `count` + 1 for a stored count; only a crafted state can hold INT64_MAX,
// which is refused rather than overflowed.
std::int64_t one_more(std::int64_t count, const char* what, const detail::RecipeItem& item) {
  std::int64_t result;
  if (__builtin_add_overflow(count, 1, &result)) {
    const std::string key = item.key.repr();
    const std::filesystem::path& directory = item.store.directory();
    throw SerializationError("cannot count one more in " + std::string(what) + " " + key + " in " +
                                 directory.string() + ": its count " + std::to_string(count) +
                                 " would overflow a 64-bit integer",
                             directory, key);
  }
  return result;
}

// The RLock holder: this thread of this process, as Python's "pid-tid".
std::string this_thread_owner() {
  return std::to_string(::getpid()) + "-" + std::to_string(::gettid());
}

struct RLockState {
  std::string owner;
  std::int64_t count = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(owner, count);
  }
};

struct AverageState {
  double total = 0;
  std::int64_t count = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(total, count);
  }
};

struct BucketState {
  double last = 0;   // Unix seconds of the last update
  double tally = 0;  // calls that may pass now
  template <class Archive>
  void serialize(Archive& archive) {
    archive(last, tally);
  }
};

std::optional<double> mean(const std::optional<AverageState>& state) {
  if (!state || state->count == 0) return std::nullopt;
  return state->total / static_cast<double>(state->count);
}

}  // namespace

// --- Lock

void Lock::acquire() {
  wait_until_done(item_.store, [this] { return try_acquire(); });
}

bool Lock::try_acquire() {
  // The read first: waiters woken by an unrelated commit take no write lock.
  return !item_.store.contains(item_.key) &&
         item_.store.add(item_.key, Cell::null(), write_options(item_));
}

void Lock::release() { item_.store.erase(item_.key, /*retry=*/true); }

bool Lock::locked() { return item_.store.contains(item_.key); }

// --- RLock

void RLock::acquire() {
  const std::string owner = this_thread_owner();
  auto free_for_me = [&](const std::optional<RLockState>& state) {
    return !state || state->count == 0 || state->owner == owner;
  };
  wait_until_done(item_.store, [&] {
    if (!free_for_me(read_state<disk::Binary, RLockState>(item_, "rlock"))) return false;
    auto transaction = item_.store.transact(/*retry=*/true);
    const std::optional<RLockState> state = read_state<disk::Binary, RLockState>(item_, "rlock");
    if (!free_for_me(state)) return false;
    const std::int64_t count = one_more(state ? state->count : 0, "rlock", item_);
    write_state(item_, disk::Binary::encode(RLockState{owner, count}));
    return true;
  });
}

void RLock::release() {
  auto transaction = item_.store.transact(/*retry=*/true);
  const std::optional<RLockState> state = read_state<disk::Binary, RLockState>(item_, "rlock");
  if (!state || state->count <= 0 || state->owner != this_thread_owner()) {
    throw not_acquired("lock", item_);
  }
  if (state->count == 1) {
    item_.store.erase(item_.key, /*retry=*/true);
  } else {
    write_state(item_, disk::Binary::encode(RLockState{state->owner, state->count - 1}));
  }
}

// --- BoundedSemaphore

void BoundedSemaphore::acquire() {
  auto free_places = [this] {
    return read_state<disk::Auto, std::int64_t>(item_, "semaphore").value_or(value_);
  };
  wait_until_done(item_.store, [&] {
    if (free_places() <= 0) return false;
    auto transaction = item_.store.transact(/*retry=*/true);
    const std::int64_t free = free_places();
    if (free <= 0) return false;
    write_state(item_, Cell::integer(free - 1));
    return true;
  });
}

void BoundedSemaphore::release() {
  auto transaction = item_.store.transact(/*retry=*/true);
  const std::int64_t free =
      read_state<disk::Auto, std::int64_t>(item_, "semaphore").value_or(value_);
  if (free >= value_) throw not_acquired("semaphore", item_);
  write_state(item_, Cell::integer(free + 1));
}

// --- Averager

void Averager::add(double value) {
  auto transaction = item_.store.transact(/*retry=*/true);
  AverageState state =
      read_state<disk::Binary, AverageState>(item_, "average").value_or(AverageState{});
  state.total += value;
  state.count = one_more(state.count, "average", item_);
  write_state(item_, disk::Binary::encode(state));
}

std::optional<double> Averager::get() {
  return mean(read_state<disk::Binary, AverageState>(item_, "average"));
}

std::optional<double> Averager::pop() {
  std::optional<AverageState> state;
  item_.store.pop(item_.key, /*retry=*/true, [&](const Cell& key, const StoredItem& item) {
    state = detail::decode_stored<disk::Binary, AverageState>(item.value, key, "average",
                                                              item_.store.directory());
  });
  return mean(state);
}

// --- Throttle

ThrottleClock Throttle::with_defaults(ThrottleClock clock) {
  if (!clock.now) clock.now = unix_now;
  if (!clock.sleep)
    clock.sleep = [](double seconds) { std::this_thread::sleep_for(Seconds(seconds)); };
  return clock;
}

void Throttle::fill_if_new() {
  const BucketState full{clock_.now(), static_cast<double>(count_)};
  item_.store.add(item_.key, disk::Binary::encode(full), write_options(item_));
}

void Throttle::wait() {
  const double capacity = static_cast<double>(count_);
  while (true) {
    double delay = 0;
    {
      auto transaction = item_.store.transact(/*retry=*/true);
      const double now = clock_.now();
      // A bucket that expired or was cleared starts full again.
      const BucketState state = read_state<disk::Binary, BucketState>(item_, "throttle")
                                    .value_or(BucketState{now, capacity});
      const double tally = std::min(state.tally + (now - state.last) * rate_, capacity);
      if (tally >= 1) {
        write_state(item_, disk::Binary::encode(BucketState{now, tally - 1}));
      } else {
        delay = (1 - tally) / rate_;
      }
    }
    if (delay == 0) return;
    clock_.sleep(delay);
  }
}

}  // namespace diskcache
