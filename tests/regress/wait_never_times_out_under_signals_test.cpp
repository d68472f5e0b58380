// pop_front_wait and lease_front_wait never timed out in a process whose
// signal handler (installed without SA_RESTART) fires every 5 ms or faster:
// each signal interrupted the directory watch's ppoll, which was restarted
// with its whole timeout, so it never ran out. Now the wait keeps its
// deadline and resumes with what is left. Also: a timeout too long for the
// steady clock (1e300 s) overflowed converting to clock ticks and gave up at
// once, and a NaN timeout did the same; the first now waits (as long as a
// century), the second throws Error.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <limits>

#include "diskcache/deque.hpp"
#include "diskcache/store.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr int kTimedOut = 0;
constexpr int kTooLate = 2;
constexpr int kHung = 3;

// 2 ms between ticks, and the tick after which the child gives up (10 s).
constexpr long kTickMicroseconds = 2000;
constexpr int kHungAfterTicks = 5000;
volatile sig_atomic_t ticks = 0;

void on_tick(int) {
  ticks = ticks + 1;
  if (ticks >= kHungAfterTicks) ::_exit(kHung);
}

// In this (child) process: a no-op handler, without SA_RESTART, every 2 ms.
void tick_every_2ms() {
  struct sigaction action {};
  action.sa_handler = on_tick;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  ::sigaction(SIGALRM, &action, nullptr);
  const itimerval every{{0, kTickMicroseconds}, {0, kTickMicroseconds}};
  ::setitimer(ITIMER_REAL, &every, nullptr);
}

// Runs `wait` (which should give up after 200 ms) in a child ticked every
// 2 ms; kTimedOut if it returned nothing within 2 s.
template <class Wait>
int wait_in_ticked_child(Wait wait) {
  return testing::run_in_child([&] {
    tick_every_2ms();
    const auto start = std::chrono::steady_clock::now();
    const bool got = wait();
    if (got) return 1;
    return std::chrono::steady_clock::now() - start < 2s ? kTimedOut : kTooLate;
  });
}

TEST(WaitUnderSignals, PopFrontWaitTimesOut) {
  TempDir dir;
  EXPECT_EQ(wait_in_ticked_child([&] {
              Deque<int> deque(dir.path());
              return deque.pop_front_wait(200ms).has_value();
            }),
            kTimedOut);
}

TEST(WaitUnderSignals, LeaseFrontWaitTimesOut) {
  TempDir dir;
  EXPECT_EQ(wait_in_ticked_child([&] {
              Deque<int> deque(dir.path());
              return deque.lease_front_wait(10s, 200ms).has_value();
            }),
            kTimedOut);
}

TEST(WaitUnderSignals, TimeoutBeyondTheClockWaitsAndNanThrows) {
  TempDir dir;
  Store store(dir.path());
  int attempts = 0;
  EXPECT_TRUE(
      store.wait_until(std::chrono::duration<double>(1e300), [&] { return ++attempts == 3; }));
  EXPECT_EQ(attempts, 3);
  const std::chrono::duration<double> nan(std::numeric_limits<double>::quiet_NaN());
  EXPECT_THROW(store.wait_until(nan, [] { return false; }), Error);
}

}  // namespace
}  // namespace diskcache
