#include "kill_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "diskcache/detail/mutex.hpp"

namespace diskcache::detail {
namespace {

// Process-wide, so a fork()ed crash-test child arms its own copy.
struct KillPoints {
  // Until a test arms a kill, a point costs this one load: a library built
  // with the points in (any build with tests) runs at full speed.
  std::atomic<bool> armed{false};
  Mutex mutex;
  std::string armed_name DISKCACHE_GUARDED_BY(mutex);
  std::uint64_t armed_nth DISKCACHE_GUARDED_BY(mutex) = 0;   // 0: not armed
  std::uint64_t armed_hits DISKCACHE_GUARDED_BY(mutex) = 0;  // of armed_name since arming
  std::uint64_t odds DISKCACHE_GUARDED_BY(mutex) = 0;        // 0: no random kills
  std::uint64_t random_state DISKCACHE_GUARDED_BY(mutex) = 0;
  int log_fd DISKCACHE_GUARDED_BY(mutex) = -1;
};

KillPoints& points() {
  static auto* state = new KillPoints;  // never destroyed: reached at exit
  return *state;
}

std::uint64_t next_random(std::uint64_t& state) {
  // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

[[noreturn]] void die(int log_fd, const char* name) noexcept {
  if (log_fd >= 0) {
    char line[128];
    const int length = std::snprintf(line, sizeof line, "kill %s\n", name);
    if (length > 0) [[maybe_unused]]
      auto ignored = ::write(log_fd, line, static_cast<size_t>(length));
  }
  ::raise(SIGKILL);
  ::_exit(137);  // not reached
}

// The trace file's descriptor; -1 (the default) traces nothing.
std::atomic<int> g_trace_fd{-1};

}  // namespace

void kill_point(const char* name) noexcept {
  KillPoints& state = points();
  if (!state.armed.load(std::memory_order_acquire)) return;
  MutexLock lock(state.mutex);
  if (state.armed_nth != 0 && state.armed_name == name && ++state.armed_hits == state.armed_nth) {
    die(state.log_fd, name);
  }
  if (state.odds != 0 && next_random(state.random_state) % state.odds == 0) {
    die(state.log_fd, name);
  }
}

bool TEST_kill_points_compiled() noexcept {
#ifdef DISKCACHE_KILL_POINTS
  return true;
#else
  return false;
#endif
}

void TEST_arm_kill_point(const std::string& name, std::uint64_t nth, int log_fd) noexcept {
  KillPoints& state = points();
  MutexLock lock(state.mutex);
  state.armed_hits = 0;  // counted from now: a fork()ed child inherits its parent's hits
  state.armed_name = name;
  state.armed_nth = nth;
  state.log_fd = log_fd;
  state.armed.store(true, std::memory_order_release);
}

void TEST_arm_random_kill(std::uint64_t odds, std::uint64_t seed, int log_fd) noexcept {
  KillPoints& state = points();
  MutexLock lock(state.mutex);
  state.odds = odds;
  state.random_state = seed;
  state.log_fd = log_fd;
  state.armed.store(true, std::memory_order_release);
}

void trace(const char* event) noexcept {
  const int fd = g_trace_fd.load(std::memory_order_acquire);
  if (fd < 0) return;
  char line[96];
  const int length =
      std::snprintf(line, sizeof line, "%ld %s\n", static_cast<long>(::getpid()), event);
  if (length <= 0) return;
  [[maybe_unused]] const auto ignored = ::write(fd, line, static_cast<size_t>(length));
}

void TEST_trace_to(int fd) noexcept { g_trace_fd.store(fd, std::memory_order_release); }

}  // namespace diskcache::detail
