// disk::Binary, disk::Json and disk::Boost turned every std::exception their
// archive threw into SerializationError, std::bad_alloc included: memory
// running out while encoding read "cannot encode as cereal portable binary:
// std::bad_alloc", and while decoding "cannot decode 21 bytes ... (corrupt
// or truncated data, or data written for another type)", sending the caller
// to look for damaged data. The allocation-failure test found it. A failed
// allocation now passes through as std::bad_alloc.
#include <gtest/gtest.h>

#include <cereal/types/vector.hpp>
#include <new>
#include <string>
#include <vector>

#include "diskcache/disk/binary.hpp"
#include "failing_allocators.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

// Fails each allocation of `body` in turn; returns how many failed.
template <class Body>
int expect_bad_alloc_at_every_allocation(Body&& body) {
  int failures = 0;
  for (long nth = 1;; ++nth) {
    testing::arm_allocation_failure(Allocator::New, nth);
    bool bad_alloc = false;
    try {
      body();
    } catch (const std::bad_alloc&) {
      bad_alloc = true;
    } catch (const SerializationError& error) {
      ADD_FAILURE() << "allocation #" << nth << ": " << error.what();
    }
    const long failed = testing::disarm_allocation_failure();
    if (failed == 0) return failures;
    EXPECT_TRUE(bad_alloc) << "allocation #" << nth;
    ++failures;
  }
}

TEST(OutOfMemoryReportedAsCorruptData, EncodeAndDecodeThrowBadAlloc) {
  const std::vector<int> value(100, 7);
  const Cell cell = disk::Binary::encode(value);
  EXPECT_GT(expect_bad_alloc_at_every_allocation([&] { disk::Binary::encode(value); }), 0);
  EXPECT_GT(
      expect_bad_alloc_at_every_allocation([&] { disk::Binary::decode<std::vector<int>>(cell); }),
      0);
}

}  // namespace
}  // namespace diskcache
