// PythonWriter: a Python process (Debian's python3-diskcache) that holds
// `with cache.transact():` on a cache directory, so tests can check what
// waits for another program's write lock and what does not.
#ifndef DISKCACHE_TESTS_PYTHON_WRITER_HPP_
#define DISKCACHE_TESTS_PYTHON_WRITER_HPP_

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "temp_dir.hpp"
#include "test_support.hpp"

namespace diskcache::testing {

class PythonWriter {
 public:
  // Starts Python on `directory`, which opens it as diskcache.Cache, sets
  // 'during' inside transact() and holds the transaction until release() (at
  // most 120 s). Returns once Python holds the write lock; throws
  // std::runtime_error if it does not within 30 s.
  explicit PythonWriter(const std::filesystem::path& directory) {
    const std::string script =
        "import diskcache, os, sys, time\n"
        "cache = diskcache.Cache(sys.argv[1])\n"
        "with cache.transact():\n"
        "    cache.set('during', 1)\n"
        "    open(sys.argv[2], 'w').close()\n"
        "    deadline = time.time() + 120\n"
        "    while not os.path.exists(sys.argv[3]) and time.time() < deadline:\n"
        "        time.sleep(0.01)\n";
    const std::filesystem::path holding = scratch_.path() / "holding";
    const std::filesystem::path release = scratch_.path() / "release";
    pid_ = spawn_child([&] {
      ::execl(DISKCACHE_TEST_PYTHON, DISKCACHE_TEST_PYTHON, "-c", script.c_str(), directory.c_str(),
              holding.c_str(), release.c_str(), static_cast<char*>(nullptr));
      return 98;  // exec failed
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(holding)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        release_and_wait();
        throw std::runtime_error("Python never took the write lock on " + directory.string());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  PythonWriter(const PythonWriter&) = delete;
  PythonWriter& operator=(const PythonWriter&) = delete;
  ~PythonWriter() {
    if (pid_ > 0) release_and_wait();
  }

  // Lets Python commit and exit, and waits for it. Returns its exit status:
  // 0 if it held and released the lock as planned.
  // REQUIRES: called at most once.
  int release() { return release_and_wait(); }

 private:
  int release_and_wait() {
    if (pid_ <= 0) throw std::logic_error("PythonWriter released twice");
    std::ofstream(scratch_.path() / "release").close();
    const int status = wait_child(pid_);
    pid_ = -1;
    return status;
  }

  TempDir scratch_;
  pid_t pid_ = -1;
};

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_PYTHON_WRITER_HPP_
