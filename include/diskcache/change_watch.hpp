// diskcache::ChangeWatch: a file descriptor that becomes readable when a
// queue may have new items, for event loops (epoll, poll, select, Asio,
// libuv) that cannot block a thread in Deque::pop_front_wait.
//
//   diskcache::Deque<std::string> jobs(dir);
//   diskcache::ChangeWatch watch = jobs.watch();   // before the first look
//   // register watch.fd() for reading (EPOLLIN) in the loop, then on each wake-up:
//   watch.clear();                                  // first, so no change is missed
//   while (std::optional<std::string> job = jobs.pop_front()) handle(*job);
//
// The descriptor becomes readable when any process, C++ or Python, commits
// to the directory after the watch was made or last cleared: a push, but
// also any other write. A wake-up means "look again", not "an item is
// yours": another consumer may take it first, so pop until empty and wait
// again. Clear before looking: a change that lands while you look then
// leaves the descriptor readable, and the next wait returns at once.
//
// Where the kernel cannot report changes (the per-user inotify limit is
// reached, or the file system sends no events), fd() is a timer that
// becomes readable every 10 ms, so the same loop polls; notices_changes()
// tells which. The descriptor is owned by the watch: do not close it, and
// remove it from the loop before the watch is destroyed.
//
// Thread safety: one thread at a time per watch; any number of watches.
#ifndef DISKCACHE_CHANGE_WATCH_HPP_
#define DISKCACHE_CHANGE_WATCH_HPP_

#include <memory>
#include <utility>

#include "diskcache/engine.hpp"

namespace diskcache {

class ChangeWatch {
 public:
  explicit ChangeWatch(std::unique_ptr<Engine::Watch> watch) : watch_(std::move(watch)) {}

  // The descriptor to wait on for reading.
  int fd() const noexcept { return watch_->fd(); }
  // Makes fd() unreadable until the next change (or timer tick). Never
  // blocks; throws IoError only if reading the descriptor fails (it was
  // closed behind the watch's back, say).
  void clear() { watch_->clear(); }
  // Whether fd() reports changes (true) or is a 10 ms timer (false).
  bool notices_changes() const noexcept { return watch_->notices_changes(); }

 private:
  std::unique_ptr<Engine::Watch> watch_;
};

}  // namespace diskcache

#endif  // DISKCACHE_CHANGE_WATCH_HPP_
