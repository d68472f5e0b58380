// Lease::ack() marked the lease finished before asking the store, so when
// the acknowledgement failed (memory ran out) the Lease's destructor no
// longer returned the item: it stayed leased, invisible to every consumer,
// until its visibility timeout ended (10 minutes in the test that found it,
// the allocation-failure test). A failed ack() or release() now leaves the
// lease active: ack() may be tried again, and destroying the Lease returns
// the item to the front of the queue at once.
#include <gtest/gtest.h>

#include <chrono>
#include <new>
#include <optional>
#include <string>

#include "diskcache/deque.hpp"
#include "failing_allocators.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

TEST(FailedAckHidesLeasedItem, TheItemComesBackWhenTheLeaseGoes) {
  testing::TempDir dir;
  Deque<std::string> deque(dir.path());
  long failures = 0;
  for (long nth = 1;; ++nth) {
    if (deque.empty()) deque.push_back("job");
    std::optional<Lease<std::string>> lease = deque.lease_front(std::chrono::minutes(10));
    ASSERT_TRUE(lease);
    testing::arm_allocation_failure(Allocator::Sqlite, nth);
    bool threw = false;
    try {
      lease->ack();
    } catch (const std::bad_alloc&) {
      threw = true;
    } catch (const Error&) {
      threw = true;
    }
    if (testing::disarm_allocation_failure() == 0) break;
    ++failures;
    if (threw) {
      EXPECT_TRUE(lease->active()) << "allocation #" << nth;
      lease.reset();  // returns the item
      EXPECT_EQ(deque.peek_front(), "job") << "allocation #" << nth;
    }
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace diskcache
