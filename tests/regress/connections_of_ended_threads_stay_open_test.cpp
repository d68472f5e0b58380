// The connections of threads that had ended stayed open until the Cache
// closed: each thread got its own SQLite connection, kept in a registry for
// the Cache's lifetime. 1,000 short-lived threads doing one operation each
// left 100 extra descriptors open (more with more threads alive at once), so
// a long-running server that serves each request on a new thread ran out of
// descriptors. A thread's connections now close when it ends.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

long open_descriptors() {
  long count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

TEST(ConnectionsOfEndedThreadsTest, EndedThreadsLeaveNoDescriptorOpen) {
  TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  cache.set("shared", "value");  // this thread's connection is open
  const long before = open_descriptors();

  const long threads = testing::env_size("DISKCACHE_ENDED_THREADS", 1000);
  constexpr long kAtOnce = 10;  // alive together, so their ids differ
  for (long started = 0; started < threads; started += kAtOnce) {
    std::vector<std::thread> batch;
    for (long i = started; i < std::min(threads, started + kAtOnce); ++i) {
      batch.emplace_back([&cache, i] {
        if (i % 2 == 0) {
          cache.set("key-" + std::to_string(i), "value");
        } else {
          (void)cache.get("shared");
        }
      });
    }
    for (std::thread& thread : batch) thread.join();
  }

  // SQLite keeps the descriptor of a connection closed while another one
  // holds a lock on cache.db (closing it would drop that lock) and reuses it
  // for the next open: at most one per thread alive at once. The 500 sets
  // also grew the WAL enough for the process's checkpointer to start: its
  // lock file and its connection (database and WAL) stay open, once per
  // directory however many threads come and go.
  constexpr long kCheckpointer = 3;
  const long after = open_descriptors();
  EXPECT_LE(after, before + kAtOnce + 1 + kCheckpointer)
      << after - before << " descriptors more after " << threads
      << " threads ended, with the cache still open";
  EXPECT_EQ(cache.get("shared"), "value");
  EXPECT_EQ(cache.size(), 1 + (threads + 1) / 2);
}

}  // namespace
}  // namespace diskcache
