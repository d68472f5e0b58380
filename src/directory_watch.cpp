#include "directory_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <thread>

namespace diskcache::detail {

DirectoryWatch::DirectoryWatch(const std::filesystem::path& directory)
    : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (!fd_.valid()) return;
  // IN_MODIFY: WAL frames written; IN_CREATE/IN_MOVED_TO: a new WAL or
  // database file (after a checkpoint reset, or a rollback-journal database).
  if (::inotify_add_watch(fd_.get(), directory.c_str(),
                          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    fd_.reset();
  }
}

bool DirectoryWatch::wait(std::chrono::microseconds timeout) {
  if (!fd_.valid()) {
    std::this_thread::sleep_for(timeout);
    return false;
  }
  pollfd descriptor{fd_.get(), POLLIN, 0};
  // A signal interrupts ppoll; it resumes with what is left until the
  // deadline, not the whole timeout again, or signals arriving more often
  // than the timeout would keep it waiting for ever.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int ready;
  do {
    const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                               deadline - std::chrono::steady_clock::now());
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec limit{
        static_cast<std::time_t>(seconds.count()),
        static_cast<long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(left - seconds).count())};
    ready = ::ppoll(&descriptor, 1, &limit, nullptr);
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  // One wake-up per batch of changes is enough. A descriptor that fails
  // here fails the next poll too, which then just returns.
  drain();
  return true;
}

int DirectoryWatch::drain() noexcept {
  if (!fd_.valid()) return 0;
  alignas(inotify_event) char buffer[4096];
  while (true) {
    const ssize_t got = ::read(fd_.get(), buffer, sizeof buffer);
    if (got > 0 || (got < 0 && errno == EINTR)) continue;
    return got == 0 || errno == EAGAIN ? 0 : errno;
  }
}

}  // namespace diskcache::detail
