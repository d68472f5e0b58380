// A NaN visibility timeout was stored as a NULL lease deadline: the
// lease_front call succeeded, and the item never came back to its queue,
// because no time is later than NULL. A consumer that died holding it lost
// the item for good; renew(NaN) turned a live lease into such a lease. Now
// both refuse a NaN with Error before anything changes.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <thread>

#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;
using Seconds = std::chrono::duration<double>;
const Seconds kNaN{std::numeric_limits<double>::quiet_NaN()};

TEST(NanLeaseVisibility, LeaseIsRefusedAndTheItemStaysQueued) {
  TempDir dir;
  Deque<std::string> jobs(dir.path());
  jobs.push_back("job");
  try {
    jobs.lease_front(kNaN);
    FAIL() << "lease_front(NaN) returned";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("NaN"), std::string::npos) << error.what();
  }
  EXPECT_EQ(jobs.size(), 1);
  EXPECT_EQ(jobs.pop_front(), "job");
}

TEST(NanLeaseVisibility, RenewIsRefusedAndTheDeadlineStays) {
  TempDir dir;
  Deque<std::string> jobs(dir.path());
  jobs.push_back("job");
  std::optional<Lease<std::string>> lease = jobs.lease_front(Seconds(0.05));
  ASSERT_TRUE(lease);
  EXPECT_THROW(lease->renew(kNaN), Error);
  // The old 50 ms deadline still holds: the item comes back for another
  // consumer once it passes.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::optional<Lease<std::string>> again = jobs.lease_front(Seconds(60));
  ASSERT_TRUE(again) << "the item did not come back after its lease ended";
  EXPECT_EQ(again->value(), "job");
  EXPECT_FALSE(lease->ack());
  EXPECT_TRUE(again->ack());
}

}  // namespace
}  // namespace diskcache
