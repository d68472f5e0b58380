// A set() of a file-sized value that ran out of memory after creating the
// value file's sub-directories ("ab/cd") left them behind, empty, for
// check() to report: the temporary file's name was allocated between the
// mkdir and the cleanup scope, and the path of a directory fsync's error
// message before the call (a failure there also left the renamed file as an
// orphan, and so did copying the file name into the result). The
// allocation-failure test found it. Every allocation now happens before the
// first mkdir or inside the scope that cleans up.
#include <gtest/gtest.h>

#include <new>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "failing_allocators.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

TEST(FailedValueWriteLeavesEmptyDirectories, EveryFailedAllocationLeavesNothing) {
  testing::TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  cache.set("old", std::string(40000, 'o'));
  const std::string value(40000, 'n');
  const auto files_before = testing::files_under(dir.path());
  long failures = 0;
  for (long nth = 1;; ++nth) {
    testing::arm_allocation_failure(Allocator::New, nth);
    bool threw = false;
    try {
      cache.set("new", value);
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    if (testing::disarm_allocation_failure() == 0) break;
    ASSERT_TRUE(threw) << "allocation #" << nth;
    ++failures;
    ASSERT_FALSE(cache.contains("new"));
    EXPECT_EQ(cache.check(), std::vector<std::string>{}) << "allocation #" << nth;
    EXPECT_EQ(testing::files_under(dir.path()), files_before) << "allocation #" << nth;
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace diskcache
