#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace diskcache::tool {

Progress::Progress(std::string label, std::int64_t total, std::function<std::int64_t()> poll)
    : label_(std::move(label)),
      total_(total),
      poll_(std::move(poll)),
      start_(std::chrono::steady_clock::now()) {
  if (::isatty(STDERR_FILENO)) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    detail::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Progress::run() {
  detail::MutexLock lock(mutex_);
  while (!stopping_) {
    draw(false);
    const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    while (!stopping_ && wake_.wait_until(mutex_, next)) {
    }
  }
  draw(true);
}

void Progress::draw(bool last) {
  if (poll_) {
    try {
      done_.store(poll_(), std::memory_order_relaxed);
    } catch (...) {
      // A count that cannot be read now (a locked database) waits for the next redraw.
    }
  }
  const std::int64_t done = done_.load(std::memory_order_relaxed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %lld/%lld %.1fs", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
                 static_cast<int>(fraction * 100), static_cast<long long>(done),
                 static_cast<long long>(total_), seconds);
  } else {
    std::fprintf(stderr, "\r%s %lld %.1fs", label_.c_str(), static_cast<long long>(done), seconds);
  }
  // The finished line is erased, so the command's own output starts clean.
  std::fputs(last ? "\r\033[K" : "\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace diskcache::tool
