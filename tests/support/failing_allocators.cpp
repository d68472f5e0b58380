// The failing allocators of failing_allocators.hpp. One per test binary: it
// replaces the global operator new and delete.
#include "failing_allocators.hpp"

#include <sqlite3.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdio>
#include <new>

namespace diskcache::testing {
namespace {

struct Arming {
  int allocator = -1;  // an Allocator while armed
  long nth = 0;        // 0: disarmed
  long count = 0;      // allocations since arming
  long failed = 0;
  bool persistent = false;
};

// constinit and trivially destructible: usable by operator new at any time
// in a thread's life, without an initialization guard that could allocate.
constinit thread_local Arming t_arming;

bool should_fail(Allocator allocator) noexcept {
  Arming& arming = t_arming;
  if (arming.nth == 0 || arming.allocator != static_cast<int>(allocator)) return false;
  ++arming.count;
  if (arming.count < arming.nth || (arming.count > arming.nth && !arming.persistent)) return false;
  ++arming.failed;
  return true;
}

// --- SQLite: the default methods, with xMalloc and xRealloc able to fail.

sqlite3_mem_methods g_sqlite_real{};

void* sqlite_malloc(int size) {
  return should_fail(Allocator::Sqlite) ? nullptr : g_sqlite_real.xMalloc(size);
}

void* sqlite_realloc(void* old, int size) {
  return should_fail(Allocator::Sqlite) ? nullptr : g_sqlite_real.xRealloc(old, size);
}

bool wrap_sqlite_allocator() {
  // SQLite takes a new allocator only while shut down; nothing has used it
  // yet during static initialization, so this shutdown is a formality.
  sqlite3_shutdown();
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_sqlite_real) != SQLITE_OK) return false;
  sqlite3_mem_methods wrapped = g_sqlite_real;
  wrapped.xMalloc = &sqlite_malloc;
  wrapped.xRealloc = &sqlite_realloc;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped) != SQLITE_OK) {
    std::fprintf(stderr, "failing_allocators: SQLite refused SQLITE_CONFIG_MALLOC\n");
    return false;
  }
  return true;
}

const bool g_sqlite_wrapped = wrap_sqlite_allocator();

// --- operator new: malloc, or posix_memalign for over-aligned types.

void* allocate(std::size_t size, std::size_t alignment) noexcept {
  if (size == 0) size = 1;
  if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return std::malloc(size);
  void* memory = nullptr;
  return ::posix_memalign(&memory, alignment, size) == 0 ? memory : nullptr;
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
  if (should_fail(Allocator::New)) throw std::bad_alloc();
  void* memory = allocate(size, alignment);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

void* allocate_or_null(std::size_t size, std::size_t alignment) noexcept {
  if (should_fail(Allocator::New)) return nullptr;
  return allocate(size, alignment);
}

}  // namespace

void arm_allocation_failure(Allocator allocator, long nth, bool persistent) {
  t_arming = Arming{static_cast<int>(allocator), nth, 0, 0, persistent};
}

long disarm_allocation_failure() {
  const long failed = t_arming.failed;
  t_arming = Arming{};
  return failed;
}

long allocations_since_arming() { return t_arming.count; }

bool sqlite_allocator_wrapped() { return g_sqlite_wrapped; }

}  // namespace diskcache::testing

using diskcache::testing::allocate_or_null;
using diskcache::testing::allocate_or_throw;

void* operator new(std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new[](std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_or_throw(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate_or_throw(size, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, 0);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, 0);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, static_cast<std::size_t>(alignment));
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}
