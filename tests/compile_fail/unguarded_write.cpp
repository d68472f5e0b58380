// Must NOT compile under clang's -Wthread-safety: a member marked
// DISKCACHE_GUARDED_BY(mutex_) written without the mutex held, and a
// DISKCACHE_REQUIRES function called without it. The ctest
// `thread_safety_unguarded_write` compiles this file with clang and expects
// both errors, proving that the annotations of diskcache/detail/mutex.hpp
// reach the analysis (were they to expand to nothing, this would compile).
#include "diskcache/detail/mutex.hpp"

namespace {

class Counter {
 public:
  void add_unlocked() { ++count_; }

  void add_locked() {
    diskcache::detail::MutexLock lock(mutex_);
    add_held();
  }

  void add_without_lock() { add_held(); }

 private:
  void add_held() DISKCACHE_REQUIRES(mutex_) { ++count_; }

  diskcache::detail::Mutex mutex_;
  int count_ DISKCACHE_GUARDED_BY(mutex_) = 0;
};

}  // namespace

void use_counter() {
  Counter counter;
  counter.add_unlocked();
  counter.add_locked();
  counter.add_without_lock();
}
