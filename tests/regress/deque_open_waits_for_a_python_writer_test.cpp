// Opening an existing cache no longer waited for a writer
// (open_waits_for_a_python_writer_test), but two ways of opening still did.
// Every Deque constructor called enable_leases(), which took the write lock
// with retry even when the Lease and Delivery tables were there: while a
// Python process held `with cache.transact():`, `Deque<>(dir)` on an
// existing queue waited until Python committed, for ever if it never did,
// whatever the timeout. And opening a directory already open in this
// process went through SqliteEngine::reset(), which wrote every given
// setting, so a second Cache(dir, settings) with the same settings as the
// first threw Timeout. Both now read first and write only what is missing
// or differs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/errors.hpp"
#include "python_writer.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::PythonWriter;
using testing::TempDir;

TEST(DequeOpenWaitsForAPythonWriter, OpeningAnExistingQueueDoesNotWait) {
  TempDir dir;
  Deque<Value>(dir.path()).push_back(Value("job"));
  PythonWriter writer(dir.path());
  // On a thread: an open that waits for the lock with retry would never
  // return while Python holds it, so the test releases Python if it must.
  std::future<std::int64_t> opened = std::async(std::launch::async, [&] {
    Deque<Value> jobs(dir.path(), std::nullopt, {.timeout = 200ms});
    return jobs.size();
  });
  if (opened.wait_for(20s) != std::future_status::ready) {
    ADD_FAILURE() << "opening the deque waited for Python's write lock";
    EXPECT_EQ(writer.release(), 0);
    opened.wait();
    return;
  }
  try {
    EXPECT_EQ(opened.get(), 1);
  } catch (const Timeout& error) {
    ADD_FAILURE() << "opening the deque waited for Python's write lock: " << error.what();
  }
  EXPECT_EQ(writer.release(), 0);
}

TEST(DequeOpenWaitsForAPythonWriter, OpeningACacheTwiceWithTheSameSettingsDoesNotWait) {
  TempDir dir;
  const Settings settings{.size_limit = 1 << 28, .timeout = 200ms};
  Cache<>(dir.path(), settings).set("k", "before");
  PythonWriter writer(dir.path());
  try {
    Cache<> first(dir.path(), settings);
    Cache<> second(dir.path(), settings);  // the same engine, reset with `settings`
    EXPECT_EQ(second.at("k"), Value("before"));
    EXPECT_FALSE(first.contains("during"));  // not committed yet
  } catch (const Timeout& error) {
    ADD_FAILURE() << "opening the cache again waited for Python's write lock: " << error.what();
  }
  EXPECT_EQ(writer.release(), 0);
}

TEST(DequeOpenWaitsForAPythonWriter, ReopeningWithADifferentSettingStillWaitsAndSaysSo) {
  TempDir dir;
  Cache<>(dir.path(), {.size_limit = 1 << 28}).set("k", "before");
  PythonWriter writer(dir.path());
  Cache<> first(dir.path(), {.timeout = 200ms});
  EXPECT_THROW((Cache<>(dir.path(), {.size_limit = 1 << 27, .timeout = 200ms})), Timeout);
  EXPECT_EQ(first.settings().size_limit, 1 << 28);
  EXPECT_EQ(writer.release(), 0);
}

}  // namespace
}  // namespace diskcache
