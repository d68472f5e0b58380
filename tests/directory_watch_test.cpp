// DirectoryWatch: a commit by another process, C++ or Python, wakes a waiter.
#include "directory_watch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using detail::DirectoryWatch;
using testing::TempDir;

class DirectoryWatchTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(DirectoryWatchTest, UsesInotifyHere) {
  // The tests below prove events only when events are available.
  Cache<> cache(dir_.path());
  EXPECT_TRUE(DirectoryWatch(dir_.path()).has_events());
}

TEST_F(DirectoryWatchTest, QuietDirectoryTimesOut) {
  Cache<> cache(dir_.path());
  cache.set("before", 1);
  DirectoryWatch watch(dir_.path());
  EXPECT_FALSE(watch.wait(50ms));
}

TEST_F(DirectoryWatchTest, CommitInAnotherProcessWakesTheWaiter) {
  Cache<> cache(dir_.path());
  DirectoryWatch watch(dir_.path());
  const pid_t writer = testing::spawn_child([&] {
    std::this_thread::sleep_for(100ms);
    Cache<> other(dir_.path());
    other.set("pushed", 1);
    return 0;
  });
  // Reads by this process do not count as changes; the child's commit does.
  EXPECT_FALSE(cache.contains("pushed"));
  EXPECT_TRUE(watch.wait(30s));
  EXPECT_EQ(testing::wait_child(writer), 0);
  std::this_thread::sleep_for(50ms);
  watch.wait(0us);  // drain the rest of the commit's events
  EXPECT_TRUE(cache.contains("pushed"));
  EXPECT_FALSE(watch.wait(50ms));
}

TEST_F(DirectoryWatchTest, ChangeBeforeWaitIsNotMissed) {
  Cache<> cache(dir_.path());
  DirectoryWatch watch(dir_.path());
  EXPECT_EQ(testing::run_in_child([&] {
              Cache<> other(dir_.path());
              other.set("early", 1);
              return 0;
            }),
            0);
  EXPECT_TRUE(watch.wait(0us));
}

TEST_F(DirectoryWatchTest, PythonCommitWakesTheWaiter) {
  Cache<> cache(dir_.path());
  DirectoryWatch watch(dir_.path());
  const pid_t writer = testing::spawn_child([&] {
    return testing::run_python("write_item.py", dir_.path().string() + " from-python 1 0.2");
  });
  bool woke = false;
  // Python opening the cache may itself write (settings); wait for the item.
  for (int i = 0; i < 100 && !cache.contains("from-python"); ++i) woke |= watch.wait(30s);
  EXPECT_TRUE(woke);
  EXPECT_TRUE(cache.contains("from-python"));
  EXPECT_EQ(testing::wait_child(writer), 0);
}

}  // namespace
}  // namespace diskcache
