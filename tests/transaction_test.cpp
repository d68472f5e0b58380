// transact(): one commit for many writes, rollback without a trace, nesting,
// and sharing between containers on one directory.
#include "diskcache/transaction.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "diskcache/cache.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class TransactionTest : public ::testing::Test {
 protected:
  // Value files under the directory, i.e. everything except cache.db*.
  std::size_t value_file_count() const {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (entry.is_regular_file() && entry.path().filename().string().rfind("cache.db", 0) != 0) {
        ++count;
      }
    }
    return count;
  }

  // Size of the cache as another thread (with its own connection) sees it.
  std::int64_t size_seen_by_another_thread(Cache<std::string, std::string>& cache) {
    std::int64_t size = -1;
    std::thread([&] { size = cache.size(); }).join();
    return size;
  }

  TempDir dir_;
};

TEST_F(TransactionTest, WritesBecomeVisibleTogetherAtScopeExit) {
  Cache<std::string, std::string> cache(dir_.path());
  {
    auto transaction = cache.transact();
    for (int i = 0; i < 10000; ++i) cache.set("key" + std::to_string(i), "value");
    // Inside the scope this thread reads its own writes; nobody else does.
    EXPECT_EQ(cache.size(), 10000);
    EXPECT_EQ(cache.get("key9999"), "value");
    EXPECT_EQ(size_seen_by_another_thread(cache), 0);
  }
  EXPECT_EQ(size_seen_by_another_thread(cache), 10000);
}

// The WAL shows the commits themselves: ten sets outside a transaction are
// ten commits, 10,000 inside one are one; meanwhile a second connection sees
// neither a row nor a change of PRAGMA data_version.
TEST_F(TransactionTest, TenThousandSetsInOneTransactionAreOneCommit) {
  Cache<std::string, std::string> cache(dir_.path());
  testing::SqliteProbe probe(dir_.path());
  ASSERT_TRUE(probe.checkpoint_truncate());
  for (int i = 0; i < 10; ++i) cache.set("alone" + std::to_string(i), "value");
  EXPECT_EQ(testing::wal_commits(dir_.path()), 10);

  ASSERT_TRUE(probe.checkpoint_truncate());
  const std::int64_t version_before = probe.integer("PRAGMA data_version");
  {
    auto transaction = cache.transact();
    for (int i = 0; i < 10000; ++i) {
      cache.set("key" + std::to_string(i), "value");
      if (i == 5000) {
        EXPECT_EQ(testing::wal_commits(dir_.path()), 0);
        EXPECT_EQ(probe.integer("SELECT count(*) FROM Cache WHERE key LIKE 'key%'"), 0);
        EXPECT_EQ(probe.integer("PRAGMA data_version"), version_before);
      }
    }
  }
  EXPECT_EQ(testing::wal_commits(dir_.path()), 1);
  EXPECT_EQ(probe.integer("SELECT count(*) FROM Cache WHERE key LIKE 'key%'"), 10000);
  EXPECT_NE(probe.integer("PRAGMA data_version"), version_before);
}

TEST_F(TransactionTest, ExceptionLeavingTheScopeLeavesNoRowsAndNoFiles) {
  Cache<std::string, std::string> cache(dir_.path(), Settings{.disk_min_file_size = 16});
  cache.set("kept", std::string(100, 'k'));
  ASSERT_EQ(value_file_count(), 1U);
  try {
    auto transaction = cache.transact();
    cache.set("kept", std::string(200, 'x'));  // replaces a file-backed value
    cache.set("new", std::string(300, 'n'));
    cache.erase("kept");
    throw std::runtime_error("abandon");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(cache.get("kept"), std::string(100, 'k'));
  EXPECT_FALSE(cache.contains("new"));
  EXPECT_EQ(cache.size(), 1);
  EXPECT_EQ(value_file_count(), 1U);
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(TransactionTest, ReplacedFileIsRemovedOnlyAfterCommit) {
  Cache<std::string, std::string> cache(dir_.path(), Settings{.disk_min_file_size = 16});
  cache.set("a", std::string(100, '1'));
  {
    auto transaction = cache.transact();
    cache.set("a", std::string(100, '2'));
    // Old and new file both exist until the commit.
    EXPECT_EQ(value_file_count(), 2U);
  }
  EXPECT_EQ(value_file_count(), 1U);
  EXPECT_EQ(cache.get("a"), std::string(100, '2'));
}

TEST_F(TransactionTest, InnerScopeRollsBackAloneAndOuterCommits) {
  Cache<std::string, std::string> cache(dir_.path());
  {
    auto outer = cache.transact();
    cache.set("outer", "1");
    try {
      auto inner = cache.transact();
      cache.set("inner", "2");
      throw std::runtime_error("inner fails");
    } catch (const std::runtime_error&) {
    }
    {
      auto inner = cache.transact();
      cache.set("second inner", "3");
    }
    EXPECT_FALSE(cache.contains("inner"));
  }
  EXPECT_EQ(cache.get("outer"), "1");
  EXPECT_EQ(cache.get("second inner"), "3");
  EXPECT_FALSE(cache.contains("inner"));
}

TEST_F(TransactionTest, OuterRollbackUndoesCommittedInnerScope) {
  Cache<std::string, std::string> cache(dir_.path());
  try {
    auto outer = cache.transact();
    {
      auto inner = cache.transact();
      cache.set("inner", "1");
    }
    throw std::runtime_error("outer fails");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(cache.contains("inner"));
}

TEST_F(TransactionTest, ExplicitCommitAndRollback) {
  Cache<std::string, std::string> cache(dir_.path());
  auto first = cache.transact();
  EXPECT_TRUE(first.active());
  cache.set("committed", "1");
  first.commit();
  EXPECT_FALSE(first.active());
  EXPECT_EQ(size_seen_by_another_thread(cache), 1);

  auto second = cache.transact();
  cache.set("rolled back", "2");
  second.rollback();
  EXPECT_FALSE(second.active());
  EXPECT_FALSE(cache.contains("rolled back"));
}

TEST_F(TransactionTest, MovedGuardOwnsTheTransaction) {
  Cache<std::string, std::string> cache(dir_.path());
  {
    auto make = [&] {
      auto transaction = cache.transact();
      cache.set("a", "1");
      return transaction;
    };
    Transaction transaction = make();
    EXPECT_TRUE(transaction.active());
    EXPECT_EQ(size_seen_by_another_thread(cache), 0);
  }
  EXPECT_EQ(size_seen_by_another_thread(cache), 1);
}

TEST_F(TransactionTest, ContainersOnOneDirectoryShareTheTransaction) {
  // A short timeout: a second connection waiting on the first would fail fast.
  Cache<std::string, std::string> strings(dir_.path(), Settings{.timeout = 200ms});
  Cache<> mixed(dir_.path() / "." / "", Settings{.timeout = 200ms});
  try {
    auto transaction = strings.transact();
    strings.set("text", "1");
    mixed.set(7, 2.5);
    mixed.incr("counter");
    EXPECT_EQ(strings.size(), 3);
    throw std::runtime_error("undo both");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(mixed.size(), 0);
  {
    auto transaction = mixed.transact();
    strings.set("text", "1");
    mixed.set(7, 2.5);
  }
  EXPECT_EQ(strings.get("text"), "1");
  EXPECT_EQ(mixed.get(7), Value(2.5));
}

TEST_F(TransactionTest, HoldsTheWriteLockAgainstOtherProcesses) {
  Cache<std::string, std::string> cache(dir_.path());
  auto transaction = cache.transact();
  cache.set("mine", "1");
  const int status = testing::run_in_child([&] {
    Cache<std::string, std::string> other(dir_.path(), Settings{.timeout = 100ms});
    // Reads see the last commit; writes wait for the lock and time out.
    if (other.contains("mine")) return 1;
    try {
      other.set("theirs", "2");
    } catch (const Timeout&) {
      return 0;
    }
    return 2;
  });
  EXPECT_EQ(status, 0);
  transaction.commit();
  EXPECT_FALSE(cache.contains("theirs"));
  EXPECT_TRUE(cache.contains("mine"));
}

TEST_F(TransactionTest, WaitingForTheLockTimesOut) {
  Cache<std::string, std::string> cache(dir_.path());
  const pid_t holder = testing::spawn_child([&] {
    Cache<std::string, std::string> other(dir_.path());
    auto transaction = other.transact();
    other.set("held", "1");
    std::this_thread::sleep_for(1s);
    return 0;
  });
  // Wait until the child holds the lock (its uncommitted write is invisible,
  // so watch for the lock itself).
  cache.reset(Settings{.timeout = 50ms});
  bool timed_out = false;
  for (int attempt = 0; attempt < 100 && !timed_out; ++attempt) {
    try {
      auto transaction = cache.transact();
      transaction.rollback();
      std::this_thread::sleep_for(5ms);
    } catch (const Timeout& error) {
      timed_out = true;
      EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
    }
  }
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(testing::wait_child(holder), 0);
  // Once the holder is gone, transact() succeeds again.
  auto transaction = cache.transact();
  EXPECT_TRUE(cache.contains("held"));
}

}  // namespace
}  // namespace diskcache
