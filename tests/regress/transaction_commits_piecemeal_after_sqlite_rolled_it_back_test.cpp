// When a statement inside a transact() block failed with SQLITE_NOMEM,
// SQLite could roll the whole transaction back by itself (it does on
// SQLITE_NOMEM, SQLITE_IOERR and SQLITE_FULL), unknown to the library. A
// caller who caught that error and went on had the following writes run
// outside any transaction, each committed on its own, and only the final
// COMMIT failed: the writes before the error were lost, those after it
// stored. The allocation-failure test found it. A scope whose transaction
// SQLite has ended now refuses to run, and the commit throws: nothing of
// the block is stored.
#include <gtest/gtest.h>

#include <new>
#include <string>

#include "diskcache/cache.hpp"
#include "failing_allocators.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::Allocator;

TEST(TransactionCommitsPiecemealAfterSqliteRolledItBack, AllOrNothing) {
  testing::TempDir dir;
  Cache<std::string, std::string> cache(dir.path());
  long failures = 0;
  for (long nth = 1;; ++nth) {
    cache.set("a", "old");
    cache.set("b", "old");
    cache.erase("f");
    long failed = 0;
    try {
      auto transaction = cache.transact();
      cache.set("a", "new");
      testing::arm_allocation_failure(Allocator::Sqlite, nth);
      try {
        cache.set("f", "new");
      } catch (const std::bad_alloc&) {
      } catch (const Error&) {
      }
      failed = testing::disarm_allocation_failure();
      cache.set("b", "new");  // the caller goes on
    } catch (const std::bad_alloc&) {
    } catch (const Error&) {
    }
    testing::disarm_allocation_failure();
    if (failed == 0) break;
    ++failures;
    EXPECT_EQ(cache.get("a"), cache.get("b")) << "allocation #" << nth;
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace diskcache
