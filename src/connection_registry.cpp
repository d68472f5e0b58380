// The connection registry (see connection_registry.hpp): one engine per
// directory, one connection per thread, released when the thread ends and
// left alone after fork().
#include "connection_registry.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "diskcache/errors.hpp"
#include "sqlite_engine.hpp"

namespace diskcache {
namespace {

// Bumped in every child after fork(); connections opened under an older
// generation belong to the parent and are never used or closed by the child.
std::atomic<std::uint64_t> g_fork_generation{0};

// The engines open in this process, by canonical directory, so that every
// container on one directory shares one connection per thread: a
// transaction begun through one of them covers the others, instead of
// deadlocking against them on the database lock.
struct OpenDirectories {
  detail::Mutex mutex;
  std::map<std::filesystem::path, std::weak_ptr<detail::SqliteEngine>> engines
      DISKCACHE_GUARDED_BY(mutex);
};

OpenDirectories& open_directories() {
  static auto* directories = new OpenDirectories;  // never destroyed: used at exit
  return *directories;
}

// The connection registries of this process's open engines. A thread that
// ends closes its connections in those still here; an engine takes its
// registry out before deleting it, and a fork()ed child starts with none:
// its parent's registries are abandoned, never touched.
struct LiveRegistries {
  detail::Mutex mutex;
  std::set<detail::ConnectionRegistry*> registries DISKCACHE_GUARDED_BY(mutex);
};

LiveRegistries& live_registries() {
  static auto* live = new LiveRegistries;  // never destroyed: threads end at exit
  return *live;
}

struct CachedConnection {
  std::uint64_t serial = 0;
  std::uint64_t epoch = 0;
  std::uint64_t fork_generation = 0;
  detail::Connection* connection = nullptr;
};
// A few recently used stores per thread, so the hot path takes no lock.
thread_local std::array<CachedConnection, 4> t_cached_connections;
// Set once this thread's connections are released at its end.
thread_local bool t_thread_ending = false;

// The registries this thread took a connection from. When the thread ends,
// its connection in each that is still live closes: left open it would last
// as long as the Store, one per thread that ever used it. The connection
// closes under the live-registries lock, so its engine (whose directory and
// timeout it refers to) cannot go away meanwhile.
class ThreadConnections {
 public:
  ThreadConnections() = default;
  ThreadConnections(const ThreadConnections&) = delete;
  ThreadConnections& operator=(const ThreadConnections&) = delete;
  ~ThreadConnections() {
    t_thread_ending = true;
    t_cached_connections = {};
    const detail::ForkGate::Use fork_gate;  // before the lock, as fork() takes them
    LiveRegistries& live = live_registries();
    detail::MutexLock lock(live.mutex);
    for (detail::ConnectionRegistry* registry : registries_) {
      // A pointer no longer live belongs to a closed engine or a parent
      // process; one reused by a new registry holds no other thread's entry.
      if (live.registries.count(registry) == 0) continue;
      std::unique_ptr<detail::Connection> connection;
      detail::MutexLock registry_lock(registry->mutex);
      if (auto found = registry->connections.find(std::this_thread::get_id());
          found != registry->connections.end()) {
        connection = std::move(found->second);
        registry->connections.erase(found);
      }
    }
  }

  void note(detail::ConnectionRegistry* registry) {
    if (std::find(registries_.begin(), registries_.end(), registry) != registries_.end()) return;
    if (registries_.size() >= kPruneAt) forget_closed();
    registries_.push_back(registry);
  }

 private:
  static constexpr std::size_t kPruneAt = 16;

  // Drops registries closed since, so a thread that outlives many Stores
  // does not collect them.
  void forget_closed() {
    LiveRegistries& live = live_registries();
    detail::MutexLock lock(live.mutex);
    std::vector<detail::ConnectionRegistry*> still_live;
    for (detail::ConnectionRegistry* registry : registries_) {
      if (live.registries.count(registry) != 0) still_live.push_back(registry);
    }
    registries_.swap(still_live);
  }

  std::vector<detail::ConnectionRegistry*> registries_;
};

thread_local ThreadConnections t_thread_connections;

// The fork handlers. These locks are held across fork(), so the child never
// inherits one locked by a thread that does not exist there. The fork gate
// comes first: a thread inside it may need the others to get out. A lock
// taken in one handler and released in another is beyond the analysis.
void before_fork() DISKCACHE_NO_THREAD_SAFETY_ANALYSIS {
  detail::ForkGate::prepare();
  open_directories().mutex.lock();
  live_registries().mutex.lock();
}

void in_parent_after_fork() DISKCACHE_NO_THREAD_SAFETY_ANALYSIS {
  live_registries().mutex.unlock();
  open_directories().mutex.unlock();
  detail::ForkGate::parent();
}

void in_child_after_fork() DISKCACHE_NO_THREAD_SAFETY_ANALYSIS {
  g_fork_generation.fetch_add(1, std::memory_order_relaxed);
  live_registries().registries.clear();
  live_registries().mutex.unlock();
  open_directories().mutex.unlock();
  detail::ForkGate::child();
}

void register_fork_handler() {
  static const bool registered = [] {
    pthread_atfork(before_fork, in_parent_after_fork, in_child_after_fork);
    return true;
  }();
  (void)registered;
}

}  // namespace

std::shared_ptr<detail::SqliteEngine> detail::SqliteEngine::open(std::filesystem::path directory,
                                                                 const Settings& overrides) {
  register_fork_handler();
  directory = Store::prepare_directory(std::move(directory), overrides);
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::canonical(directory, error);
  if (error) {
    throw IoError("cannot resolve cache directory " + directory.string() + ": " + error.message(),
                  directory, {}, error.value());
  }
  OpenDirectories& open = open_directories();
  const auto find_open = [&]() -> std::shared_ptr<SqliteEngine> {
    detail::MutexLock lock(open.mutex);
    auto found = open.engines.find(canonical);
    if (found == open.engines.end()) return nullptr;
    if (auto engine = found->second.lock()) return engine;
    open.engines.erase(found);
    return nullptr;
  };
  if (std::shared_ptr<SqliteEngine> engine = find_open()) {
    engine->reset(overrides);
    return engine;
  }
  // Opening may wait for the database lock, so it happens outside the
  // registry's lock; if another thread opened the directory meanwhile, its
  // engine wins and this one closes again.
  auto engine = std::make_shared<SqliteEngine>(std::move(directory), overrides);
  detail::MutexLock lock(open.mutex);
  auto [slot, inserted] = open.engines.try_emplace(canonical, engine);
  if (!inserted) {
    if (auto winner = slot->second.lock()) return winner;
    slot->second = engine;
  }
  return engine;
}

detail::ConnectionRegistry& detail::SqliteEngine::current_registry(std::uint64_t fork_generation) {
  detail::ConnectionRegistry* registry = registry_.load(std::memory_order_acquire);
  while (registry == nullptr || registry->fork_generation != fork_generation) {
    auto fresh = std::make_unique<detail::ConnectionRegistry>();
    fresh->fork_generation = fork_generation;
    fresh->checkpointer =
        std::make_unique<detail::Checkpointer>(directory_, directory_fd_.get(), timeout_, files_);
    LiveRegistries& live = live_registries();
    {
      detail::MutexLock lock(live.mutex);
      live.registries.insert(fresh.get());
    }
    if (registry_.compare_exchange_strong(registry, fresh.get(), std::memory_order_acq_rel)) {
      // A registry of an older generation belongs to the parent process:
      // it is leaked on purpose, its mutex may even be held by a thread
      // that does not exist in this process.
      return *fresh.release();
    }
    detail::MutexLock lock(live.mutex);
    live.registries.erase(fresh.get());
  }
  return *registry;
}

detail::Connection& detail::SqliteEngine::connection() {
  auto& cache = t_cached_connections;
  thread_local std::size_t next_slot = 0;

  const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
  const std::uint64_t epoch = epoch_.load(std::memory_order_acquire);
  for (const CachedConnection& cached : cache) {
    if (cached.serial == serial_ && cached.epoch == epoch && cached.fork_generation == generation) {
      return *cached.connection;
    }
  }

  detail::ConnectionRegistry& registry = current_registry(generation);
  detail::Connection* connection = nullptr;
  {
    detail::MutexLock lock(registry.mutex);
    auto found = registry.connections.find(std::this_thread::get_id());
    if (found != registry.connections.end()) connection = found->second.get();
  }
  if (connection == nullptr) {
    // Opened outside the registry's lock: opening enters the fork gate,
    // and a thread ending holds the gate while it takes that lock.
    std::unique_ptr<detail::Connection> opened = open_connection(*registry.checkpointer);
    connection = opened.get();
    detail::MutexLock lock(registry.mutex);
    registry.connections[std::this_thread::get_id()] = std::move(opened);
  }
  // A connection taken after this thread's connections were released (by
  // a thread_local destructor running later) stays until the Store closes.
  if (!t_thread_ending) t_thread_connections.note(&registry);
  cache[next_slot] = {serial_, epoch, generation, connection};
  next_slot = (next_slot + 1) % cache.size();
  return *connection;
}

detail::ChangeSignal& detail::SqliteEngine::changes() {
  detail::ConnectionRegistry& registry =
      current_registry(g_fork_generation.load(std::memory_order_relaxed));
  detail::MutexLock lock(registry.mutex);
  if (!registry.changes) registry.changes = std::make_unique<detail::ChangeSignal>(directory_);
  return *registry.changes;
}

void detail::SqliteEngine::close() {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  detail::ConnectionRegistry* registry = registry_.exchange(nullptr, std::memory_order_acq_rel);
  if (registry == nullptr) return;
  if (registry->fork_generation == g_fork_generation.load(std::memory_order_relaxed)) {
    const detail::ForkGate::Use fork_gate;  // closing the connections enters SQLite
    {
      LiveRegistries& live = live_registries();
      detail::MutexLock lock(live.mutex);
      live.registries.erase(registry);
    }
    delete registry;
  }
  // Otherwise the connections are the parent's: leave them untouched.
}

}  // namespace diskcache
