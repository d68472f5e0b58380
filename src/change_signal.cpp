#include "change_signal.hpp"

namespace diskcache::detail {

std::uint64_t ChangeSignal::ticket() {
  MutexLock lock(mutex_);
  return generation_;
}

void ChangeSignal::wait(std::uint64_t ticket, std::chrono::steady_clock::time_point deadline) {
  MutexLock lock(mutex_);
  while (generation_ == ticket) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return;
    if (polling_) {
      changed_.wait_until(mutex_, deadline);
      continue;
    }
    polling_ = true;
    lock.unlock();  // the watch is polled without the mutex
    const bool changed =
        watch_.wait(std::chrono::duration_cast<std::chrono::microseconds>(deadline - now) +
                    std::chrono::microseconds(1));
    lock.lock();
    polling_ = false;
    if (changed) ++generation_;
    // Wakes the others either way: one of them takes over the polling.
    changed_.notify_all();
  }
}

}  // namespace diskcache::detail
