// ChangeWatch: the descriptor an event loop waits on becomes readable when
// another process (C++ or Python) pushes, stays quiet otherwise, and clear()
// makes it quiet again.
#include "diskcache/change_watch.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <string>

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
  watch.clear();
  ASSERT_EQ(testing::run_python("deque.py", "push-later " + dir.path().string()), 0);
  EXPECT_TRUE(readable(watch.fd(), 5000));
  watch.clear();
  EXPECT_EQ(jobs.pop_front(), Value("from python"));
}

TEST(ChangeWatchTest, AChangeWhileLookingLeavesTheDescriptorReadable) {
  TempDir dir;
  Cache<> cache(dir.path());
  ChangeWatch watch = cache.watch();
  watch.clear();          // as a loop does before it looks
  cache.push("arrived");  // lands while the loop looks
  EXPECT_TRUE(readable(watch.fd(), 5000));
}

}  // namespace
}  // namespace diskcache
