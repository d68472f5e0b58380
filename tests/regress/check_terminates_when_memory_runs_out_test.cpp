// check() ended the process (std::terminate) when memory ran out while it
// listed the directory: it walked the value files with std::filesystem's
// directory iterators, and libstdc++ 12's call std::terminate when an
// allocation fails inside them (with or without an error_code). The
// allocation-failure test found it. check() now walks with opendir and
// readdir, and a failed allocation is std::bad_alloc.
#include <gtest/gtest.h>

#include <new>
#include <string>

#include "diskcache/cache.hpp"
#include "failing_allocators.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

TEST(CheckTerminatesWhenMemoryRunsOut, EveryFailedAllocationThrowsBadAlloc) {
  testing::TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  for (const char* key : {"a", "b", "c"}) cache.set(key, std::string(40000, key[0]));  // files
  long failures = 0;
  for (long nth = 1;; ++nth) {
    testing::arm_allocation_failure(Allocator::New, nth);
    bool threw = false;
    try {
      cache.check();
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    if (testing::disarm_allocation_failure() == 0) break;
    EXPECT_TRUE(threw) << "allocation #" << nth;
    ++failures;
  }
  EXPECT_GT(failures, 0);
  EXPECT_TRUE(cache.check().empty());
}

}  // namespace
}  // namespace diskcache
