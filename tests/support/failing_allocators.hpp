// Allocators that fail on demand, for allocation-failure injection
// (RELIABILITY.md test plan row 7). Linking failing_allocators.cpp into a
// test binary replaces the global operator new (every form) and installs a
// wrapper around SQLite's allocator (SQLITE_CONFIG_MALLOC, before SQLite's
// first use). Both forward to the real allocator until armed. Armed, the
// Nth allocation of the chosen allocator on the arming thread fails: SQLite's
// returns null (SQLite then reports SQLITE_NOMEM), operator new throws
// std::bad_alloc (its nothrow forms return null). Other threads never fail.
#ifndef DISKCACHE_TESTS_FAILING_ALLOCATORS_HPP_
#define DISKCACHE_TESTS_FAILING_ALLOCATORS_HPP_

namespace diskcache::testing {

enum class Allocator { Sqlite, New };

inline const char* name_of(Allocator allocator) {
  return allocator == Allocator::Sqlite ? "SQLite" : "new";
}

// Arms `allocator` on this thread: its `nth` allocation from now on fails
// (nth >= 1), and with `persistent` every one after it as well.
void arm_allocation_failure(Allocator allocator, long nth, bool persistent = false);

// Disarms; returns how many allocations failed since arming (0: the
// operation finished before its nth allocation).
long disarm_allocation_failure();

// How many allocations of the armed allocator this thread made since
// arming (arm with a huge nth to count without failing).
long allocations_since_arming();

// Whether the wrapper around SQLite's allocator is in place; false if SQLite
// refused the configuration (it was initialized before this binary's static
// initializers ran).
bool sqlite_allocator_wrapped();

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_FAILING_ALLOCATORS_HPP_
