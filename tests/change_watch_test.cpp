// ChangeWatch: the descriptor an event loop waits on becomes readable when
// another process (C++ or Python) pushes, stays quiet otherwise, and clear()
// makes it quiet again; without inotify it is a timer.
#include "diskcache/change_watch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

// Whether `fd` is readable within `milliseconds`.
bool readable(int fd, int milliseconds) {
  pollfd descriptor{fd, POLLIN, 0};
  return ::poll(&descriptor, 1, milliseconds) == 1 && (descriptor.revents & POLLIN) != 0;
}

TEST(ChangeWatchTest, APushFromAnotherProcessMakesTheDescriptorReadable) {
  TempDir dir;
  Deque<std::string> jobs(dir.path());
  ChangeWatch watch = jobs.watch();
  ASSERT_TRUE(watch.notices_changes()) << "inotify is unavailable here";
  EXPECT_FALSE(readable(watch.fd(), 50));

  ASSERT_EQ(testing::run_in_child([&] {
              Deque<std::string>(dir.path()).push_back("job");
              return 0;
            }),
            0);
  EXPECT_TRUE(readable(watch.fd(), 5000));
  watch.clear();
  EXPECT_FALSE(readable(watch.fd(), 50));
  EXPECT_EQ(jobs.pop_front(), "job");
}

TEST(ChangeWatchTest, APythonPushWakesTheLoop) {
  TempDir dir;
  Deque<Value> jobs(dir.path());
  ChangeWatch watch = jobs.watch();
  ASSERT_TRUE(watch.notices_changes()) << "inotify is unavailable here";
  watch.clear();
  EXPECT_FALSE(readable(watch.fd(), 50));
  ASSERT_EQ(testing::run_python("deque.py", "push-later " + dir.path().string()), 0);
  EXPECT_TRUE(readable(watch.fd(), 5000));
  watch.clear();
  EXPECT_EQ(jobs.pop_front(), Value("from python"));
}

TEST(ChangeWatchTest, AChangeWhileLookingLeavesTheDescriptorReadable) {
  TempDir dir;
  Cache<> cache(dir.path());
  ChangeWatch watch = cache.watch();
  ASSERT_TRUE(watch.notices_changes()) << "inotify is unavailable here";
  cache.set("before", 1);  // a change the clear below must consume
  ASSERT_TRUE(readable(watch.fd(), 5000));
  watch.clear();  // as a loop does before it looks
  EXPECT_FALSE(readable(watch.fd(), 50));
  cache.push("arrived");  // lands while the loop looks
  EXPECT_TRUE(readable(watch.fd(), 5000));
}

// Where the kernel cannot report changes, the watch is a timer: readable
// every few milliseconds without any write, quiet again after clear(). The
// fallback is forced for real: a child process takes every inotify instance
// its user may have (fs.inotify.max_user_instances), makes the watch, and
// gives the instances back at once, so other processes of the user miss
// inotify only for that moment.
TEST(ChangeWatchTest, WithoutInotifyTheDescriptorIsATimer) {
  constexpr int kCannotExhaust = 77;
  TempDir dir;
  const int status = testing::run_in_child([&] {
    Cache<> cache(dir.path());
    // The process's own descriptor limit must not be what stops the loop
    // below: the timer needs a descriptor too.
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    std::vector<int> instances;
    int fd;
    while ((fd = ::inotify_init1(IN_CLOEXEC)) >= 0) {
      instances.push_back(fd);
      if (instances.size() > 100000) return kCannotExhaust;
    }
    const int error = errno;
    const int spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::optional<ChangeWatch> watch;
    if (error == EMFILE && spare >= 0) {
      ::close(spare);
      watch.emplace(cache.watch());
    }
    for (int instance : instances) ::close(instance);
    if (!watch) {
      std::fprintf(stderr, "inotify_init1 failed with errno %d after %zu instances%s\n", error,
                   instances.size(), spare < 0 ? ", at the descriptor limit" : "");
      return kCannotExhaust;
    }
    if (watch->notices_changes()) return 1;
    if (!readable(watch->fd(), 100)) return 2;
    // The timer may tick again between clear() and the look: one quiet look
    // in a few tries shows that clear() consumed the ticks.
    for (int attempt = 0; attempt < 10; ++attempt) {
      watch->clear();
      if (!readable(watch->fd(), 0)) return 0;
    }
    return 3;
  });
  if (status == kCannotExhaust) {
    GTEST_SKIP() << "could not use up this user's inotify instances (see the child's output)";
  }
  EXPECT_NE(status, 1) << "notices_changes() is true without inotify";
  EXPECT_NE(status, 2) << "the timer did not make the descriptor readable within 100 ms";
  EXPECT_NE(status, 3) << "clear() did not make the timer's descriptor quiet";
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace diskcache
