// After a Python process ran Deque.append(('tuple', 1)), every pop_front,
// pop_front_wait and lease_front of a C++ Deque<std::int64_t> on the same
// directory threw SerializationError and left the tuple at the head, so one
// item Python could push blocked the queue for good (issue 16). The item
// now moves to the queue's dead letters and the call takes the next one.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;

class TypedDequeBlockedByUndecodableItem : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::run_python("poison.py", "push-tuple-head '" + dir_.path().string() + "'"),
              0);
  }

  // The tuple is the one dead letter, as Python wrote it.
  void expect_tuple_aside() {
    Deque<std::int64_t> deque(dir_.path());
    Deque<Value> dead = deque.dead_letters();
    EXPECT_EQ(dead.pop_front(), Value(Tuple{"tuple", 1}));
    EXPECT_TRUE(dead.empty());
    EXPECT_TRUE(deque.empty());
  }

  testing::TempDir dir_;
};

TEST_F(TypedDequeBlockedByUndecodableItem, PopFront) {
  EXPECT_EQ(Deque<std::int64_t>(dir_.path()).pop_front(), 7);
  expect_tuple_aside();
}

TEST_F(TypedDequeBlockedByUndecodableItem, PopFrontWait) {
  EXPECT_EQ(Deque<std::int64_t>(dir_.path()).pop_front_wait(5s), 7);
  expect_tuple_aside();
}

TEST_F(TypedDequeBlockedByUndecodableItem, LeaseFront) {
  Deque<std::int64_t> deque(dir_.path());
  std::optional<Lease<std::int64_t>> lease = deque.lease_front(1min);
  ASSERT_TRUE(lease);
  EXPECT_EQ(**lease, 7);
  EXPECT_TRUE(lease->ack());
  expect_tuple_aside();
}

}  // namespace
}  // namespace diskcache
