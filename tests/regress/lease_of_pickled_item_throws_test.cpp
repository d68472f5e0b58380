// Deque::lease_front refused any item Python had pickled (a tuple, a list, a
// dict): the engine threw SerializationError "its value is a Python pickle
// (mode 4)" before storing the lease, even for a Deque<Value>, which reads
// tuples, so the item blocked every lease_front at the head. A leased pickle
// is now kept in the Lease table as mode 4 and goes back to the queue as the
// same pickle.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

TEST(LeaseOfPickledItemThrows, APythonTupleIsLeasedAndReturnedAsATuple) {
  testing::TempDir dir;
  ASSERT_EQ(testing::run_python("poison.py", "push-tuple-head '" + dir.path().string() + "'"), 0);
  Deque<Value> deque(dir.path());
  {
    std::optional<Lease<Value>> lease = deque.lease_front(std::chrono::minutes(1));
    ASSERT_TRUE(lease);
    EXPECT_EQ(**lease, Value(Tuple{"tuple", 1}));
    EXPECT_EQ(deque.leased_count(), 1);
    EXPECT_TRUE(lease->release());
  }
  EXPECT_EQ(deque.leased_count(), 0);
  EXPECT_EQ(deque.size(), 2);
  EXPECT_EQ(testing::run_python("poison.py", "tuple-at-front '" + dir.path().string() + "'"), 0);
}

}  // namespace
}  // namespace diskcache
