// SqliteEngine::watch_changes: the directory's inotify events as a file
// descriptor of its own (every commit in WAL mode writes cache.db-wal; see
// directory_watch.hpp), or a 10 ms timer where inotify is unavailable.
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "directory_watch.hpp"
#include "diskcache/errors.hpp"
#include "sqlite_engine.hpp"

namespace diskcache::detail {
namespace {

class InotifyWatch final : public Engine::Watch {
 public:
  explicit InotifyWatch(const std::filesystem::path& directory)
      : directory_(directory), watch_(directory) {}
  bool usable() const noexcept { return watch_.has_events(); }

  int fd() const noexcept override { return watch_.fd(); }
  void clear() override {
    if (const int error = watch_.drain()) {
      throw_errno(error, "cannot read the change events of " + directory_.string(), directory_);
    }
  }
  bool notices_changes() const noexcept override { return true; }

 private:
  const std::filesystem::path directory_;
  DirectoryWatch watch_;
};

// Readable every kPeriod: the loop polls the queue when changes cannot be
// noticed.
class TimerWatch final : public Engine::Watch {
 public:
  static constexpr long kPeriodNanoseconds = 10'000'000;

  explicit TimerWatch(const std::filesystem::path& directory)
      : directory_(directory), fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!fd_.valid())
      throw_errno(errno, "cannot create a timer to watch " + directory.string(), directory);
    const itimerspec every{{0, kPeriodNanoseconds}, {0, kPeriodNanoseconds}};
    if (::timerfd_settime(fd_.get(), 0, &every, nullptr) != 0) {
      throw_errno(errno, "cannot start a timer to watch " + directory.string(), directory);
    }
  }

  int fd() const noexcept override { return fd_.get(); }
  void clear() override {
    std::uint64_t expirations = 0;
    while (::read(fd_.get(), &expirations, sizeof expirations) < 0) {
      const int error = errno;
      if (error == EAGAIN) return;  // no tick since the last clear()
      if (error != EINTR) {
        throw_errno(error, "cannot read the timer watching " + directory_.string(), directory_);
      }
    }
  }
  bool notices_changes() const noexcept override { return false; }

 private:
  const std::filesystem::path directory_;
  UniqueFd fd_;
};

}  // namespace

std::unique_ptr<Engine::Watch> SqliteEngine::watch_changes() {
  auto watch = std::make_unique<InotifyWatch>(directory_);
  if (watch->usable()) return watch;
  return std::make_unique<TimerWatch>(directory_);
}

}  // namespace diskcache::detail
