// Copying a Value that holds text or bytes crashed (SIGSEGV) instead of
// throwing std::bad_alloc when the copy's allocation failed: libstdc++ 12's
// std::variant copy constructor, for a variant whose alternatives are all
// "never valueless" (as Value's are), destroys the alternative it failed to
// build, one that was never constructed. Every Value copy in the library
// (settings rows, tags, keys of Cache<>) could take the process down when
// memory ran out; the allocation-failure test found it while opening a
// cache. Value now copies through std::variant's in-place constructor.
#include <gtest/gtest.h>

#include <new>
#include <optional>
#include <string>

#include "diskcache/value.hpp"
#include "failing_allocators.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

TEST(CopyingAValueWhenMemoryRunsOut, ThrowsBadAllocAndLeavesTheOriginal) {
  const Value text(std::string(100, 'x'));
  const Value bytes(to_bytes(std::string(100, 'y')));
  for (const Value* original : {&text, &bytes}) {
    testing::arm_allocation_failure(Allocator::New, 1);
    bool threw = false;
    try {
      const Value copy(*original);
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    EXPECT_EQ(testing::disarm_allocation_failure(), 1);
    EXPECT_TRUE(threw);
    const Value copy(*original);  // memory is back
    EXPECT_EQ(copy, *original);
  }
}

TEST(CopyingAValueWhenMemoryRunsOut, AssignmentKeepsTheTargetIntact) {
  const Value text(std::string(100, 'x'));
  Value target(std::int64_t{7});
  testing::arm_allocation_failure(Allocator::New, 1);
  EXPECT_THROW(target = text, std::bad_alloc);
  testing::disarm_allocation_failure();
  EXPECT_EQ(target, Value(std::int64_t{7}));
}

}  // namespace
}  // namespace diskcache
