// ChangeSignal: lets any number of threads of one process sleep until some
// process commits to a cache directory, over one inotify watch.
//
// Creating and closing an inotify instance costs about a millisecond (the
// kernel waits for an RCU grace period on close), more than a whole queue
// operation, so the watch is made once per directory and process and kept.
// One waiting thread at a time polls it; the others sleep on a condition
// variable and are woken with it. Every change bumps a generation number:
// a waiter takes a ticket (the current generation) *before* it looks at the
// queue, so a commit between its look and its sleep still wakes it.
#ifndef DISKCACHE_SRC_CHANGE_SIGNAL_HPP_
#define DISKCACHE_SRC_CHANGE_SIGNAL_HPP_

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "directory_watch.hpp"
#include "diskcache/detail/mutex.hpp"

namespace diskcache::detail {

class ChangeSignal {
 public:
  explicit ChangeSignal(const std::filesystem::path& directory) : watch_(directory) {}
  ChangeSignal(const ChangeSignal&) = delete;
  ChangeSignal& operator=(const ChangeSignal&) = delete;

  // The current generation; wait(ticket, ...) returns once it has moved on.
  std::uint64_t ticket();

  // Blocks until a change newer than `ticket` is seen or `deadline` passes.
  void wait(std::uint64_t ticket, std::chrono::steady_clock::time_point deadline);

 private:
  Mutex mutex_;
  CondVar changed_;
  std::uint64_t generation_ DISKCACHE_GUARDED_BY(mutex_) = 0;
  bool polling_ DISKCACHE_GUARDED_BY(mutex_) = false;  // a thread is in watch_.wait
  DirectoryWatch watch_;                               // read only by the polling thread
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_CHANGE_SIGNAL_HPP_
