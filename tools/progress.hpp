// A progress line on stderr for long work (check, clear, dump, load), drawn
// only when stderr is a terminal, so scripts and logs never see it.
//
//   Progress progress("load", total);
//   for (...) { ...; progress.advance(); }
//
// A thread redraws the line ten times a second from an atomic counter, so
// advance() costs the work loop nothing; the line is erased at the end.
#ifndef DISKCACHE_TOOLS_PROGRESS_HPP_
#define DISKCACHE_TOOLS_PROGRESS_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "diskcache/detail/mutex.hpp"

namespace diskcache::tool {

class Progress {
 public:
  // `total` items to go; 0 when unknown (the line then shows the count and
  // the time so far). `poll`, if given, is called on the drawing thread and
  // returns the count done, for work the caller cannot count itself.
  Progress(std::string label, std::int64_t total, std::function<std::int64_t()> poll = {});
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  void advance(std::int64_t count = 1) noexcept {
    done_.fetch_add(count, std::memory_order_relaxed);
  }

 private:
  void run();
  void draw(bool last);

  // Constant after construction.
  const std::string label_;
  const std::int64_t total_;
  const std::function<std::int64_t()> poll_;
  const std::chrono::steady_clock::time_point start_;

  std::atomic<std::int64_t> done_{0};
  detail::Mutex mutex_;
  detail::CondVar wake_;
  bool stopping_ DISKCACHE_GUARDED_BY(mutex_) = false;
  std::thread thread_;  // runs run() only when stderr is a terminal
};

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_PROGRESS_HPP_
