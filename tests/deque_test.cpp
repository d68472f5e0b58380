// Deque<T>: Python's Deque layout, both ends, positions, maxlen, waiting,
// leases, and exactly-once delivery between processes.
#include "diskcache/deque.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <compare>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class DequeTest : public ::testing::Test {
 protected:
  // Every item, front to back, by popping a copy's worth through at().
  std::vector<std::string> contents(Deque<std::string>& deque) {
    std::vector<std::string> items;
    for (std::int64_t i = 0; i < deque.size(); ++i) items.push_back(deque.at(i));
    return items;
  }

  TempDir dir_;
};

TEST_F(DequeTest, BothEnds) {
  Deque<std::string> deque(dir_.path());
  EXPECT_TRUE(deque.empty());
  deque.push_back("b");
  deque.push_back("c");
  deque.push_front("a");
  EXPECT_EQ(deque.size(), 3);
  EXPECT_EQ(deque.peek_front(), "a");
  EXPECT_EQ(deque.peek_back(), "c");
  EXPECT_EQ(deque.pop_front(), "a");
  EXPECT_EQ(deque.pop_back(), "c");
  EXPECT_EQ(deque.pop_back(), "b");
  EXPECT_EQ(deque.pop_front(), std::nullopt);
  EXPECT_EQ(deque.peek_back(), std::nullopt);
}

TEST_F(DequeTest, KeysAndSettingsAreThoseOfPythonsDeque) {
  Deque<std::string> deque(dir_.path());
  deque.push_back("first");
  deque.push_back("second");
  deque.push_front("zeroth");
  Cache<> cache(dir_.path());
  EXPECT_EQ(cache.get(500000000000000), Value("first"));
  EXPECT_EQ(cache.get(500000000000001), Value("second"));
  EXPECT_EQ(cache.get(499999999999999), Value("zeroth"));
  EXPECT_EQ(cache.settings().eviction_policy, EvictionPolicy::None);
}

TEST_F(DequeTest, PositionsFromEitherEnd) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"a", "b", "c", "d"});
  EXPECT_EQ(deque.at(0), "a");
  EXPECT_EQ(deque.at(3), "d");
  EXPECT_EQ(deque.at(-1), "d");
  EXPECT_EQ(deque.at(-4), "a");
  deque.set(1, "B");
  deque.set(-2, "C");
  deque.erase(0);
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"B", "C", "d"}));
  EXPECT_THROW(deque.at(3), KeyError);
  EXPECT_THROW(deque.at(-4), KeyError);
  EXPECT_THROW(deque.set(5, "x"), KeyError);
  EXPECT_THROW(deque.erase(-9), KeyError);
  EXPECT_EQ(deque.size(), 3);
}

TEST_F(DequeTest, ExtendRotateReverse) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"c", "d", "e"});
  deque.extend_front(std::vector<std::string>{"b", "a"});  // as Python's extendleft
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  deque.rotate(2);
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"d", "e", "a", "b", "c"}));
  deque.rotate(-3);
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"b", "c", "d", "e", "a"}));
  deque.reverse();
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"a", "e", "d", "c", "b"}));
  deque.clear();
  EXPECT_TRUE(deque.empty());
  deque.rotate(3);  // nothing to rotate
}

TEST_F(DequeTest, MaxlenDropsFromTheOtherEnd) {
  Deque<std::string> deque(dir_.path(), 3);
  EXPECT_EQ(deque.maxlen(), 3U);
  deque.extend(std::vector<std::string>{"a", "b", "c", "d"});
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"b", "c", "d"}));
  deque.push_front("z");
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"z", "b", "c"}));
}

TEST_F(DequeTest, ConstructingFromValuesAppendsThem) {
  Deque<std::string> deque(dir_.path(), std::vector<std::string>{"a", "b"});
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"a", "b"}));
  Deque<std::string> again(dir_.path(), std::vector<std::string>{"c"});  // Python's too
  EXPECT_EQ(contents(again), (std::vector<std::string>{"a", "b", "c"}));
  Deque<std::string> bounded(dir_ / "bounded", std::vector<std::string>{"x", "y", "z"}, 2);
  EXPECT_EQ(contents(bounded), (std::vector<std::string>{"y", "z"}));
}

TEST_F(DequeTest, IndexingMembershipAndPosition) {
  Deque<std::string> deque(dir_.path(), std::vector<std::string>{"a", "b", "c", "b"});
  EXPECT_EQ(deque[0], "a");
  EXPECT_EQ(deque[-1], "b");
  EXPECT_THROW(deque[4], KeyError);
  EXPECT_TRUE(deque.contains("c"));
  EXPECT_FALSE(deque.contains("z"));
  EXPECT_EQ(deque.index("b"), 1);
  EXPECT_EQ(deque.index("z"), std::nullopt);
}

TEST_F(DequeTest, ComparesItemByItemAsPythonSequences) {
  Deque<std::int64_t> deque(dir_ / "one", std::vector<std::int64_t>{1, 2, 3});
  Deque<std::int64_t> same(dir_ / "two", std::vector<std::int64_t>{1, 2, 3});
  Deque<std::int64_t> longer(dir_ / "three", std::vector<std::int64_t>{1, 2, 3, 0});
  EXPECT_TRUE(deque == same);
  EXPECT_FALSE(deque == longer);
  EXPECT_TRUE(deque == (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_TRUE(deque != (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(deque < longer);  // a prefix comes first
  EXPECT_TRUE(longer > deque);
  EXPECT_TRUE(deque < (std::vector<std::int64_t>{1, 3}));
  EXPECT_TRUE(deque >= same);
  EXPECT_EQ(deque <=> same, std::strong_ordering::equal);
}

TEST_F(DequeTest, ShrinkingMaxlenDropsFromTheFront) {
  Deque<std::string> deque(dir_.path(), std::vector<std::string>{"a", "b", "c", "d"});
  deque.set_maxlen(2);
  EXPECT_EQ(deque.maxlen(), 2U);
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"c", "d"}));
  deque.push_back("e");
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"d", "e"}));
  deque.set_maxlen(std::nullopt);
  deque.push_back("f");
  EXPECT_EQ(deque.size(), 3);
}

TEST_F(DequeTest, LeaseBackTakesTheNewestItem) {
  Deque<std::string> deque(dir_.path(), std::vector<std::string>{"old", "new"});
  std::optional<Lease<std::string>> lease = deque.lease_back(30s);
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->value(), "new");
  EXPECT_EQ(deque.size(), 1);
  EXPECT_EQ(deque.leased_count(), 1);
  EXPECT_TRUE(lease->release());  // back to the front, as any released item
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"new", "old"}));
}

TEST_F(DequeTest, AHeadItemMovesAsideByHand) {
  Deque<std::string> deque(dir_.path(), std::vector<std::string>{"a", "b", "c"});
  EXPECT_TRUE(deque.dead_letter_front());
  EXPECT_TRUE(deque.dead_letter_back());
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"b"}));
  Deque<std::string> dead = deque.dead_letters<std::string>();
  EXPECT_EQ(contents(dead), (std::vector<std::string>{"a", "c"}));  // in the order moved
  EXPECT_EQ(dead.directory(), deque.dead_letter_directory());
  deque.clear();
  EXPECT_FALSE(deque.dead_letter_front());
  EXPECT_FALSE(deque.dead_letter_back());
  EXPECT_EQ(dead.size(), 2);
}

static_assert(std::input_iterator<Deque<std::string>::iterator>);

TEST_F(DequeTest, IterationWalksBothWaysAcrossPages) {
  Deque<std::int64_t> deque(dir_.path());
  std::vector<std::int64_t> pushed;
  for (std::int64_t i = 0; i < 250; ++i) pushed.push_back(i * 7);  // three pages
  deque.extend(pushed);
  deque.push_front(-1);
  pushed.insert(pushed.begin(), -1);
  std::vector<std::int64_t> forward(deque.begin(), deque.end());
  EXPECT_EQ(forward, pushed);
  std::vector<std::int64_t> backward;
  for (std::int64_t item : deque.reversed()) backward.push_back(item);
  EXPECT_EQ(backward, std::vector<std::int64_t>(pushed.rbegin(), pushed.rend()));
  EXPECT_EQ(deque.at(100), pushed[100]);
  Deque<std::int64_t> empty(dir_ / "empty");
  EXPECT_TRUE(empty.begin() == empty.end());
}

TEST_F(DequeTest, IterationSkipsPoppedItemsAndMeetsNewOnes) {
  Deque<std::int64_t> deque(dir_.path());
  for (std::int64_t i = 0; i < 150; ++i) deque.push_back(i);
  auto it = deque.begin();
  EXPECT_EQ(*it, 0);
  // Another process takes items the walk has not reached and adds one.
  EXPECT_EQ(testing::run_in_child([&] {
              Deque<std::int64_t> other(dir_.path());
              for (int i = 0; i < 120; ++i) other.pop_front();
              other.push_back(1000);
              return 0;
            }),
            0);
  std::vector<std::int64_t> rest;
  for (++it; it != deque.end(); ++it) rest.push_back(*it);
  // The walk had read the keys of items 0..99 before the pops: those items
  // are gone and skipped; it goes on with the items still there, and meets
  // the new one.
  std::vector<std::int64_t> expected;
  for (std::int64_t i = 120; i < 150; ++i) expected.push_back(i);
  expected.push_back(1000);
  EXPECT_EQ(rest, expected);
}

TEST_F(DequeTest, ReverseOfQueuesLongerThanAPage) {
  for (std::int64_t length : {0, 1, 2, 250, 251}) {
    Deque<std::int64_t> deque(dir_ / ("length-" + std::to_string(length)));
    std::vector<std::int64_t> items;
    for (std::int64_t i = 0; i < length; ++i) items.push_back(i);
    deque.extend(items);
    deque.reverse();
    EXPECT_EQ(std::vector<std::int64_t>(deque.begin(), deque.end()),
              std::vector<std::int64_t>(items.rbegin(), items.rend()))
        << length << " items";
  }
}

TEST_F(DequeTest, CountAndRemoveCompareValues) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"a", "b", "a", "c", "a"});
  EXPECT_EQ(deque.count("a"), 3);
  EXPECT_EQ(deque.count("z"), 0);
  EXPECT_TRUE(deque.remove("a"));  // the one nearest the front
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"b", "a", "c", "a"}));
  EXPECT_FALSE(deque.remove("z"));
  EXPECT_EQ(deque.size(), 4);
}

TEST_F(DequeTest, LeasedItemsAreNotIterated) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"leased", "free"});
  auto lease = deque.lease_front(60s);
  EXPECT_EQ(std::vector<std::string>(deque.begin(), deque.end()), std::vector<std::string>{"free"});
  EXPECT_TRUE(lease->ack());
}

TEST_F(DequeTest, UndecodableItemGoesToTheDeadLetters) {
  Cache<> cache(dir_.path());
  cache.push(42);
  cache.push("text");
  Deque<std::string> deque(dir_.path());
  EXPECT_EQ(deque.pop_front(), "text");
  EXPECT_EQ(deque.size(), 0);
  EXPECT_EQ(Deque<std::int64_t>(deque.dead_letter_directory()).pop_front(), 42);
}

TEST_F(DequeTest, PopFrontWaitReturnsAnItemPushedByAnotherProcess) {
  Deque<std::string> deque(dir_.path());
  const pid_t producer = testing::spawn_child([&] {
    std::this_thread::sleep_for(200ms);
    Deque<std::string>(dir_.path()).push_back("late");
    return 0;
  });
  EXPECT_EQ(deque.pop_front_wait(30s), "late");
  EXPECT_EQ(testing::wait_child(producer), 0);
}

TEST_F(DequeTest, PopFrontWaitTimesOutWhenNothingArrives) {
  Deque<std::string> deque(dir_.path());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(deque.pop_front_wait(100ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

TEST_F(DequeTest, PopFrontWaitWakesOnAPythonPush) {
  Deque<std::string> deque(dir_.path());
  const pid_t producer = testing::spawn_child(
      [&] { return testing::run_python("deque.py", "push-later " + dir_.path().string()); });
  EXPECT_EQ(deque.pop_front_wait(60s), "from python");
  EXPECT_EQ(testing::wait_child(producer), 0);
}

TEST_F(DequeTest, LeasedItemIsInvisibleUntilAcknowledged) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"job1", "job2"});
  std::optional<Lease<std::string>> lease = deque.lease_front(60s);
  ASSERT_TRUE(lease);
  EXPECT_EQ(**lease, "job1");
  EXPECT_EQ(deque.size(), 1);
  EXPECT_EQ(deque.peek_front(), "job2");
  EXPECT_TRUE(lease->ack());
  EXPECT_FALSE(lease->active());
  EXPECT_EQ(deque.pop_front(), "job2");
  EXPECT_EQ(deque.pop_front(), std::nullopt);
}

TEST_F(DequeTest, ReleasedOrDroppedLeaseReturnsToTheFront) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"job1", "job2"});
  {
    auto lease = deque.lease_front(60s);
    EXPECT_TRUE(lease->release());
    EXPECT_FALSE(lease->ack());  // already back in the queue
  }
  EXPECT_EQ(deque.peek_front(), "job1");
  {
    auto lease = deque.lease_front(60s);  // dropped without ack
  }
  EXPECT_EQ(contents(deque), (std::vector<std::string>{"job1", "job2"}));
}

TEST_F(DequeTest, ExpiredLeaseIsDeliveredAgain) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"job1", "job2"});
  auto first = deque.lease_front(50ms);
  auto second = deque.lease_front(50ms);
  EXPECT_EQ(deque.pop_front(), std::nullopt);
  std::this_thread::sleep_for(100ms);
  // Back at the front, in their original order.
  EXPECT_EQ(deque.pop_front(), "job1");
  EXPECT_EQ(deque.pop_front(), "job2");
  EXPECT_FALSE(first->ack());
  EXPECT_FALSE(second->renew(60s));
}

TEST_F(DequeTest, ALateAckStillDeletesUntilSomeoneReclaimsTheItem) {
  Deque<std::string> deque(dir_.path());
  deque.push_back("job");
  auto lease = deque.lease_front(10ms);
  std::this_thread::sleep_for(50ms);
  // The timeout has passed, but no pop, peek or lease has taken it back.
  EXPECT_TRUE(lease->ack());
  EXPECT_EQ(deque.pop_front(), std::nullopt);
}

TEST_F(DequeTest, RenewKeepsTheLease) {
  Deque<std::string> deque(dir_.path());
  deque.push_back("long job");
  auto lease = deque.lease_front(100ms);
  EXPECT_TRUE(lease->renew(60s));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(deque.pop_front(), std::nullopt);
  EXPECT_TRUE(lease->ack());
}

TEST_F(DequeTest, LeasedFileValueSurvivesCheckAndComesBack) {
  Deque<std::string> deque(dir_.path());
  const std::string big(100000, 'x');
  deque.push_back(big);
  auto lease = deque.lease_front(50ms);
  EXPECT_EQ(**lease, big);
  // The leased value lives in the database, not in a file check() could
  // take for an orphan.
  Cache<> cache(dir_.path());
  EXPECT_TRUE(cache.check(/*fix=*/true).empty());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(deque.pop_front(), big);
  EXPECT_TRUE(cache.check().empty());
}

// ---------------------------------------------------------------------------
// Processes: producers and consumers report every item through pipes.

struct Pipe {
  Pipe() {
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void write_item(std::int64_t item) const {
    if (::write(fds[1], &item, sizeof item) != sizeof item) std::abort();
  }
  void close_write() {
    ::close(fds[1]);
    fds[1] = -1;
  }
  std::vector<std::int64_t> read_all() const {
    std::vector<std::int64_t> items;
    std::int64_t item;
    while (::read(fds[0], &item, sizeof item) == sizeof item) items.push_back(item);
    return items;
  }
  int fds[2];
};

constexpr int kProducers = 3;
constexpr int kConsumers = 3;
constexpr std::int64_t kPerProducer = 10000;

std::int64_t item_of(int producer, std::int64_t sequence) { return producer * 1000000 + sequence; }

// Runs 3 producers and 3 consumers on `directory`, the victim already
// holding `victim_items` (reported or not, as the caller set up); checks
// every item was delivered exactly once across `pipe`'s reports.
void move_items_through(const std::filesystem::path& directory, Pipe& pipe,
                        const std::vector<std::int64_t>& victim_items, bool leases) {
  std::vector<pid_t> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.push_back(testing::spawn_child([&, p] {
      Deque<std::int64_t> deque(directory);
      for (std::int64_t i = 0; i < kPerProducer; ++i) deque.push_back(item_of(p, i));
      return 0;
    }));
  }
  std::vector<pid_t> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.push_back(testing::spawn_child([&] {
      Deque<std::int64_t> deque(directory);
      // Producers are done once the queue stays empty for a while.
      while (true) {
        if (leases) {
          auto lease = deque.lease_front_wait(60s, 2s);
          if (!lease) return 0;
          pipe.write_item(**lease);
          if (!lease->ack()) return 3;
        } else {
          std::optional<std::int64_t> item = deque.pop_front_wait(2s);
          if (!item) return 0;
          pipe.write_item(*item);
        }
      }
    }));
  }
  // Read while the children run: the pipe holds only 64 KiB of reports, and
  // a consumer blocked on a full pipe never exits. The read ends when every
  // child has exited and so closed its copy of the write end.
  pipe.close_write();
  std::map<std::int64_t, int> delivered;
  for (std::int64_t item : pipe.read_all()) ++delivered[item];
  for (pid_t pid : producers) EXPECT_EQ(testing::wait_child(pid), 0);
  for (pid_t pid : consumers) EXPECT_EQ(testing::wait_child(pid), 0);

  for (std::int64_t item : victim_items) ++delivered[item];
  std::int64_t missing = 0;
  std::int64_t duplicated = 0;
  for (int p = 0; p < kProducers; ++p) {
    for (std::int64_t i = 0; i < kPerProducer; ++i) {
      const auto found = delivered.find(item_of(p, i));
      if (found == delivered.end()) {
        ++missing;
      } else if (found->second > 1) {
        ++duplicated;
      }
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(delivered.size(), static_cast<std::size_t>(kProducers * kPerProducer));
  EXPECT_EQ(Deque<std::int64_t>(directory).size(), 0);
}

// A consumer that takes `count` items, reports them through `report` (or
// not), then waits to be killed.
pid_t spawn_victim(const std::filesystem::path& directory, int count, bool leases,
                   const Pipe& report) {
  return testing::spawn_child([&directory, count, leases, &report] {
    Deque<std::int64_t> deque(directory);
    std::vector<Lease<std::int64_t>> held;
    for (int taken = 0; taken < count;) {
      if (leases) {
        if (auto lease = deque.lease_front_wait(300ms, 60s)) {
          held.push_back(std::move(*lease));
          ++taken;
        }
      } else if (auto item = deque.pop_front_wait(60s)) {
        report.write_item(*item);
        ++taken;
      }
    }
    report.write_item(-1);  // ready to die
    ::pause();
    return 0;
  });
}

std::vector<std::int64_t> kill_victim(pid_t victim, const Pipe& report) {
  std::vector<std::int64_t> items;
  std::int64_t item;
  while (::read(report.fds[0], &item, sizeof item) == sizeof item && item != -1) {
    items.push_back(item);
  }
  ::kill(victim, SIGKILL);
  EXPECT_EQ(testing::wait_child(victim), 128 + SIGKILL);
  return items;
}

TEST_F(DequeTest, ThreeProducersThreeConsumersDeliverEachItemOnce) {
  Pipe pipe;
  move_items_through(dir_.path(), pipe, {}, /*leases=*/false);
}

TEST_F(DequeTest, KilledConsumerLosesOnlyWhatItPopped) {
  {
    Deque<std::int64_t> deque(dir_.path());
    for (std::int64_t i = 0; i < 20; ++i) deque.push_back(item_of(0, kPerProducer + i));
  }
  Pipe report;
  const pid_t victim = spawn_victim(dir_.path(), 20, /*leases=*/false, report);
  std::vector<std::int64_t> popped = kill_victim(victim, report);
  EXPECT_EQ(popped.size(), 20U);
  // The items the victim popped are gone with it; every other is delivered.
  Pipe pipe;
  std::vector<std::int64_t> extra = popped;
  move_items_through(dir_.path(), pipe, {}, /*leases=*/false);
  for (std::int64_t item : extra) EXPECT_GE(item, item_of(0, kPerProducer));
}

TEST_F(DequeTest, LeasesOfAKilledConsumerAreDeliveredAgain) {
  Deque<std::int64_t> deque(dir_.path());
  Pipe report;
  const pid_t victim = spawn_victim(dir_.path(), 25, /*leases=*/true, report);
  // The victim leases 25 of the first items pushed, then dies holding them.
  {
    Deque<std::int64_t> seed(dir_.path());
    for (std::int64_t i = 0; i < 25; ++i) seed.push_back(item_of(0, i));
  }
  EXPECT_TRUE(kill_victim(victim, report).empty());
  EXPECT_EQ(deque.size(), 0);
  // Items 0..24 of producer 0 come back after the 300 ms lease; the
  // producers push them again too, so expect each twice from the pipe:
  // count them separately.
  Pipe pipe;
  std::vector<pid_t> consumers;
  std::this_thread::sleep_for(400ms);
  std::set<std::int64_t> redelivered;
  while (auto lease = deque.lease_front(60s)) {
    redelivered.insert(**lease);
    lease->ack();
  }
  EXPECT_EQ(redelivered.size(), 25U);
  EXPECT_EQ(*redelivered.begin(), item_of(0, 0));
  EXPECT_EQ(*redelivered.rbegin(), item_of(0, 24));
  move_items_through(dir_.path(), pipe, {}, /*leases=*/true);
}

TEST_F(DequeTest, PythonConsumesACppQueueAndTheOtherWayRound) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"one", "two", "three"});
  deque.push_front("zero");
  EXPECT_EQ(testing::run_python("deque.py", "consume " + dir_.path().string()), 0);
  EXPECT_TRUE(deque.empty());
  EXPECT_EQ(testing::run_python("deque.py", "produce " + dir_.path().string()), 0);
  EXPECT_EQ(deque.pop_front(), "left");
  EXPECT_EQ(deque.pop_front(), "a");
  EXPECT_EQ(deque.pop_back(), "c");
  EXPECT_EQ(deque.pop_back(), "b");
  EXPECT_TRUE(deque.empty());
}

TEST_F(DequeTest, LeasedItemsAreInvisibleToPython) {
  Deque<std::string> deque(dir_.path());
  deque.extend(std::vector<std::string>{"leased", "free"});
  auto lease = deque.lease_front(60s);
  EXPECT_EQ(testing::run_python("deque.py", "sees-only-free " + dir_.path().string()), 0);
  EXPECT_TRUE(lease->ack());
}

}  // namespace
}  // namespace diskcache
