// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// clang's thread-safety annotations, so that a clang build with
// -Wthread-safety (the project's own builds add it) proves that every member
// marked DISKCACHE_GUARDED_BY(mutex_) is touched only with that mutex held,
// and that every function marked DISKCACHE_REQUIRES(mutex_) is called so.
// Under other compilers the annotations expand to nothing.
//
//   class Counter {
//    public:
//     void add() {
//       MutexLock lock(mutex_);
//       ++count_;
//     }
//    private:
//     Mutex mutex_;
//     int count_ DISKCACHE_GUARDED_BY(mutex_) = 0;
//   };
//
// A leaf header of the library's own code (the engine and the tool); not part
// of the API.
#ifndef DISKCACHE_DETAIL_MUTEX_HPP_
#define DISKCACHE_DETAIL_MUTEX_HPP_

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define DISKCACHE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define DISKCACHE_THREAD_ANNOTATION(x)
#endif

#define DISKCACHE_CAPABILITY(x) DISKCACHE_THREAD_ANNOTATION(capability(x))
#define DISKCACHE_SCOPED_CAPABILITY DISKCACHE_THREAD_ANNOTATION(scoped_lockable)
#define DISKCACHE_GUARDED_BY(x) DISKCACHE_THREAD_ANNOTATION(guarded_by(x))
#define DISKCACHE_REQUIRES(...) DISKCACHE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define DISKCACHE_ACQUIRE(...) DISKCACHE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define DISKCACHE_RELEASE(...) DISKCACHE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define DISKCACHE_TRY_ACQUIRE(...) DISKCACHE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// For a function the analysis cannot follow (a lock taken in one function
// and released in another, as the fork handlers do); say why beside it.
#define DISKCACHE_NO_THREAD_SAFETY_ANALYSIS DISKCACHE_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace diskcache::detail {

class DISKCACHE_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() DISKCACHE_ACQUIRE() { mutex_.lock(); }
  void unlock() DISKCACHE_RELEASE() { mutex_.unlock(); }
  bool try_lock() DISKCACHE_TRY_ACQUIRE(true) { return mutex_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mutex_;
};

// Holds `mutex` for its scope, except between unlock() and lock() (around a
// blocking call that must not hold it; an exception there leaves it unlocked).
class DISKCACHE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) DISKCACHE_ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  ~MutexLock() DISKCACHE_RELEASE() {
    if (held_) mutex_.unlock();
  }

  void unlock() DISKCACHE_RELEASE() {
    mutex_.unlock();
    held_ = false;
  }
  void lock() DISKCACHE_ACQUIRE() {
    mutex_.lock();
    held_ = true;
  }

 private:
  Mutex& mutex_;
  bool held_ = true;
};

// A condition variable whose waits name the Mutex they release and retake,
// so the analysis knows it is held before and after.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Returns false when `deadline` passed first; the mutex is held again on
  // return either way.
  template <class Clock, class Duration>
  bool wait_until(Mutex& mutex, std::chrono::time_point<Clock, Duration> deadline)
      DISKCACHE_REQUIRES(mutex) {
    std::unique_lock lock(mutex.mutex_, std::adopt_lock);
    const bool woken = changed_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void notify_one() noexcept { changed_.notify_one(); }
  void notify_all() noexcept { changed_.notify_all(); }

 private:
  std::condition_variable changed_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_MUTEX_HPP_
