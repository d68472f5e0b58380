// Dead letters and delivery counts: items a typed Deque cannot decode, and
// items leased max_deliveries times without an ack, go to the queue's dead
// letters instead of blocking its head; the move loses nothing, even when
// the mover is killed half way; Python reads the dead letters and keeps
// using the queue.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "kill_point.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {

// Failure messages show Values as Python would.
void PrintTo(const Value& value, std::ostream* out) { *out << value.repr(); }

namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class DeadLetterTest : public ::testing::Test {
 protected:
  // Every dead letter of the deque in dir_, popped front to back.
  std::vector<Value> pop_dead_letters() {
    Deque<Value> dead(dir_.path() / Store::kDeadLetterDirectory);
    std::vector<Value> items;
    while (std::optional<Value> item = dead.pop_front()) items.push_back(*item);
    return items;
  }

  TempDir dir_;
};

TEST_F(DeadLetterTest, UndecodableItemsGoAsideAndEveryTakingCallGoesOn) {
  Deque<Value> any(dir_.path());
  for (const Value& item :
       {Value(1), Value("a"), Value(2), Value("b"), Value(3), Value("c"), Value(4), Value("d")}) {
    any.push_back(item);
  }
  Deque<std::int64_t> numbers(dir_.path());
  EXPECT_EQ(numbers.pop_front(), 1);
  EXPECT_EQ(numbers.pop_back(), 4);    // "d" went aside
  EXPECT_EQ(numbers.peek_front(), 2);  // "a" went aside
  EXPECT_EQ(numbers.pop_front_wait(1s), 2);
  std::optional<Lease<std::int64_t>> lease = numbers.lease_front(1h);  // "b" went aside
  ASSERT_TRUE(lease);
  EXPECT_EQ(**lease, 3);
  EXPECT_TRUE(lease->ack());
  EXPECT_EQ(numbers.pop_front(), std::nullopt);  // "c" went aside
  EXPECT_TRUE(numbers.empty());
  EXPECT_EQ(numbers.dead_letters().size(), 4);
  EXPECT_EQ(pop_dead_letters(), (std::vector<Value>{"d", "a", "b", "c"}));
}

TEST_F(DeadLetterTest, TheMoveKeepsValueFileTagAndExpiry) {
  Store store(dir_.path());
  store.enable_leases();
  const std::string big(100'000, 'x');
  const Cell key = store.push(Cell::blob(big), std::nullopt, Side::Back,
                              SetOptions{.expire = 1h, .tag = Value("urgent")});
  ASSERT_TRUE(store.dead_letter(std::nullopt, key));
  EXPECT_FALSE(store.dead_letter(std::nullopt, key)) << "moved twice";
  EXPECT_EQ(store.size(), 0);

  Store dead = store.dead_letters();
  EXPECT_EQ(dead.directory(), dir_.path() / Store::kDeadLetterDirectory);
  std::optional<std::pair<Cell, StoredItem>> item = dead.peek(std::nullopt, Side::Front);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->second.value.bytes(), big);
  EXPECT_EQ(item->second.value.mode(), Mode::Binary);
  EXPECT_EQ(item->second.tag, Value("urgent"));
  ASSERT_TRUE(item->second.expire_time);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(*item->second.expire_time - now, 3600, 60);

  // Checking the queue leaves the dead letters' value file alone.
  EXPECT_EQ(store.check(/*fix=*/true), std::vector<std::string>{});
  EXPECT_EQ(testing::files_under(dir_.path() / Store::kDeadLetterDirectory).size(), 1U);
  EXPECT_EQ(dead.check(/*fix=*/false), std::vector<std::string>{});
  EXPECT_EQ(dead.get(item->first)->value.bytes(), big);
}

TEST_F(DeadLetterTest, AnItemGoesAsideAfterItsLastUnacknowledgedDelivery) {
  Deque<std::string> deque(dir_.path(), std::nullopt, Settings{.max_deliveries = 3});
  deque.push_back("crashes every worker");
  deque.push_back("fine");
  for (int delivery = 1; delivery <= 3; ++delivery) {
    std::optional<Lease<std::string>> lease = deque.lease_front(1h);
    ASSERT_TRUE(lease);
    EXPECT_EQ(**lease, "crashes every worker") << "delivery " << delivery;
    EXPECT_EQ(deque.leased_count(), 1);
    EXPECT_EQ(deque.size(), 1);
    EXPECT_TRUE(lease->release());
  }
  EXPECT_EQ(deque.leased_count(), 0);
  EXPECT_EQ(deque.peek_front(), "fine");
  EXPECT_EQ(pop_dead_letters(), std::vector<Value>{"crashes every worker"});
}

TEST_F(DeadLetterTest, DeliveriesAreCountedAcrossKilledConsumers) {
  {
    Deque<std::string> deque(dir_.path(), std::nullopt, Settings{.max_deliveries = 2});
    deque.push_back("job");
  }
  for (int consumer = 1; consumer <= 2; ++consumer) {
    const int status = testing::run_in_child([&] {
      Deque<std::string> deque(dir_.path());
      std::optional<Lease<std::string>> lease = deque.lease_front(10ms);
      if (!lease || **lease != "job") return 1;
      ::_exit(0);  // dies holding the lease: no ack, no release
    });
    ASSERT_EQ(status, 0) << "consumer " << consumer;
    std::this_thread::sleep_for(20ms);
  }
  Deque<std::string> deque(dir_.path());
  EXPECT_EQ(deque.pop_front(), std::nullopt);  // reclaiming sends it aside
  EXPECT_EQ(deque.leased_count(), 0);
  EXPECT_EQ(pop_dead_letters(), std::vector<Value>{"job"});
}

TEST_F(DeadLetterTest, ANewItemUnderAReusedKeyStartsWithNoDeliveries) {
  Deque<std::string> deque(dir_.path(), std::nullopt, Settings{.max_deliveries = 2});
  deque.push_back("first");
  ASSERT_TRUE(deque.lease_front(1h)->release());  // one delivery, back under a new key
  EXPECT_EQ(deque.pop_front(), "first");          // a plain pop: its count is stale now
  deque.push_back("second");                      // the same key, as the queue is empty
  ASSERT_TRUE(deque.lease_front(1h)->release());
  EXPECT_EQ(deque.peek_front(), "second") << "counted the first item's delivery";
  EXPECT_EQ(deque.dead_letters().size(), 0);
}

TEST_F(DeadLetterTest, MaxDeliveriesIsValidated) {
  try {
    Deque<std::string> deque(dir_.path(), std::nullopt, Settings{.max_deliveries = -1});
    FAIL() << "a negative max_deliveries was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("max_deliveries = -1"), std::string::npos)
        << error.what();
  }
  { Deque<std::string> deque(dir_.path()); }
  testing::SqliteProbe(dir_.path())
      .row("UPDATE Settings SET value = 'many' WHERE key = 'max_deliveries'");
  EXPECT_THROW(Deque<std::string>{dir_.path()}, CorruptionError);
}

TEST_F(DeadLetterTest, AnOldLeaseTableGainsItsDeliveriesColumn) {
  { Cache<> cache(dir_.path()); }
  {
    testing::SqliteProbe probe(dir_.path());
    probe.row(
        "CREATE TABLE Lease (id INTEGER PRIMARY KEY, token INTEGER NOT NULL,"
        " deadline REAL NOT NULL, queue TEXT, key BLOB, expire_time REAL, tag BLOB,"
        " mode INTEGER, value BLOB)");
    probe.row(
        "INSERT INTO Lease(token, deadline, queue, key, mode, value)"
        " VALUES (1, 0, NULL, 500000000000000, 1, 'leased before the upgrade')");
  }
  Deque<std::string> deque(dir_.path(), std::nullopt, Settings{.max_deliveries = 1});
  EXPECT_EQ(testing::SqliteProbe(dir_.path())
                .integer("SELECT COUNT(*) FROM pragma_table_info('Lease')"
                         " WHERE name = 'deliveries'"),
            1);
  // Its lease counts as one delivery, so with max_deliveries = 1 it goes aside.
  EXPECT_EQ(deque.pop_front(), std::nullopt);
  EXPECT_EQ(pop_dead_letters(), std::vector<Value>{"leased before the upgrade"});
}

TEST_F(DeadLetterTest, AMoverKilledHalfWayDuplicatesTheItemAndNeverLosesIt) {
  if (!detail::TEST_kill_points_compiled()) GTEST_SKIP() << "built without kill points";
  Deque<Value>(dir_.path()).push_back("not a number");
  const int status = testing::run_in_child([&] {
    detail::TEST_arm_kill_point("dead_letter_copied", 1, -1);
    Deque<std::int64_t>(dir_.path()).pop_front();
    return 0;
  });
  ASSERT_EQ(status, 128 + SIGKILL);
  EXPECT_EQ(Deque<Value>(dir_.path()).peek_front(), Value("not a number"));
  Deque<std::int64_t> numbers(dir_.path());
  EXPECT_EQ(numbers.pop_front(), std::nullopt);
  EXPECT_EQ(pop_dead_letters(), (std::vector<Value>{"not a number", "not a number"}));
}

TEST_F(DeadLetterTest, PythonPoisonGoesAsideAndBothLanguagesKeepDelivering) {
  Deque<std::int64_t> numbers(dir_.path(), std::nullopt, Settings{.max_deliveries = 3});
  ASSERT_EQ(testing::run_python("poison.py", "push-mixed '" + dir_.path().string() + "'"), 0);
  std::vector<std::int64_t> popped;
  while (std::optional<std::int64_t> number = numbers.pop_front()) popped.push_back(*number);
  EXPECT_EQ(popped, (std::vector<std::int64_t>{1, 2, 3, 5}));
  EXPECT_EQ(numbers.store().check(), std::vector<std::string>{});
  EXPECT_EQ(testing::run_python("poison.py", "after-cpp-pops '" + dir_.path().string() + "'"), 0);
  // What Python left: three dead letters, the last one a value file.
  EXPECT_EQ(numbers.dead_letters().size(), 3);
  EXPECT_EQ(numbers.dead_letters().store().check(), std::vector<std::string>{});
}

}  // namespace
}  // namespace diskcache
