// DirectoryWatch: sleeps until some process commits to a cache directory.
//
// Every commit in WAL mode write()s frames to "cache.db-wal" (and a new WAL
// is created after a checkpoint reset), whichever process or language makes
// it, so an inotify watch on the directory sees IN_MODIFY / IN_CREATE for
// that file without any cooperation from writers: a Python producer wakes a
// C++ consumer as quickly as a C++ one does. Value files live in
// sub-directories, which a (non-recursive) watch does not report.
//
// A wake-up means "something changed", not "an item for you arrived": the
// waiter looks again and may go back to sleep. If inotify is unavailable (the
// per-user instance limit, a file system without events) the watch degrades
// to sleeping for the timeout, i.e. to polling.
#ifndef DISKCACHE_SRC_DIRECTORY_WATCH_HPP_
#define DISKCACHE_SRC_DIRECTORY_WATCH_HPP_

#include <chrono>
#include <filesystem>

#include "file_ops.hpp"

namespace diskcache::detail {

class DirectoryWatch {
 public:
  // Starts watching `directory`. Events from this moment on are kept until
  // wait() consumes them, so a change between construction and wait() is
  // not missed. Never throws for lack of inotify (see above).
  explicit DirectoryWatch(const std::filesystem::path& directory);

  // Blocks until the directory changes or `timeout` passes; returns whether
  // it changed. Consumes all pending events.
  bool wait(std::chrono::microseconds timeout);

  // Whether changes are reported by events (false: wait() just sleeps).
  bool has_events() const noexcept { return fd_.valid(); }

  // The inotify descriptor (readable while events are pending; -1 without
  // events).
  int fd() const noexcept { return fd_.get(); }
  // Consumes the pending events without waiting. Returns 0, or the errno of
  // a read that failed for another reason than that none were left.
  int drain() noexcept;

 private:
  UniqueFd fd_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_DIRECTORY_WATCH_HPP_
