// The connection registry: which SQLite connection each thread uses for
// each directory open in this process, and what happens to those
// connections when a thread ends, when a Store closes and after fork().
// SqliteEngine's open(), connection(), changes() and close()
// (connection_registry.cpp) are built on it. Its rules:
//   * One engine (SqliteEngine) per canonical directory in a process: every
//     Store on the directory shares one connection per thread, so that a
//     transaction begun through one of them covers the others instead of
//     deadlocking against them on the database lock.
//   * One connection per thread per engine, opened on first use, outside
//     the registry's lock (opening enters the fork gate, and a thread that
//     ends holds the gate while it takes that lock). A thread finds its
//     connection again through a small thread-local cache, without a lock.
//   * A thread's connections close when the thread ends, under the lock of
//     the live registries, so their engine cannot go away meanwhile; left
//     open, they would last as long as the Store.
//   * close() bumps the engine's epoch, so every thread's cache forgets its
//     connection, and deletes the registry with its connections.
//   * fork(): the fork gate, then the lock of the open engines, then that
//     of the live registries are held across it, so the child inherits no
//     lock held by a thread it does not have. The child starts a new fork
//     generation with no live registry: its parent's registries, connections
//     and checkpointer are leaked, never used or closed (closing a parent's
//     connection can release the parent's locks or delete its WAL).
#ifndef DISKCACHE_SRC_CONNECTION_REGISTRY_HPP_
#define DISKCACHE_SRC_CONNECTION_REGISTRY_HPP_

#include <cstdint>
#include <memory>
#include <thread>
#include <unordered_map>

#include "change_signal.hpp"
#include "connection.hpp"

namespace diskcache::detail {

// An engine's connections of one process generation, one per thread, each
// closed when its thread ends; replaced wholesale after fork().
struct ConnectionRegistry {
  std::uint64_t fork_generation;
  // Declared before the connections, which point to it, so it outlives them.
  std::unique_ptr<Checkpointer> checkpointer;
  Mutex mutex;
  std::unordered_map<std::thread::id, std::unique_ptr<Connection>> connections
      DISKCACHE_GUARDED_BY(mutex);
  std::unique_ptr<ChangeSignal> changes DISKCACHE_GUARDED_BY(mutex);
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_CONNECTION_REGISTRY_HPP_
