// Shared test machinery: temporary directories, child processes, Python.
#ifndef DISKCACHE_TESTS_TEST_SUPPORT_HPP_
#define DISKCACHE_TESTS_TEST_SUPPORT_HPP_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ranges>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace diskcache::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr long kDefaultScale = 4;  // sanitized builds run a quarter of the loops
#else
inline constexpr long kDefaultScale = 1;
#endif

// A loop size from the environment (for a longer soak), else `fallback`
// (divided by kDefaultScale in sanitized builds, if `scaled`).
inline long env_size(const char* name, long fallback, bool scaled = true) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    return scaled ? std::max(1L, fallback / kDefaultScale) : fallback;
  }
  return std::strtol(text, nullptr, 10);
}

// The regular files under `directory` other than cache.db and its -wal and
// -shm (value files, temporary files, strays), sorted.
inline std::vector<std::filesystem::path> files_under(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file() &&
        entry.path().filename().string().find("cache.db") == std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The value file under `directory` of a cache holding one; empty if none.
inline std::filesystem::path only_value_file(const std::filesystem::path& directory) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.path().extension() == ".val") return entry.path();
  }
  return {};
}

// Forks a child that runs `body` and exits with its return value (99 if an
// exception escapes). The child never returns into the test framework.
// Fork from one thread only: a child forked while another thread holds an
// allocator lock inherits it locked (GCC 12's AddressSanitizer allocator has
// no fork handler) and hangs on its first allocation.
inline pid_t spawn_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int status = 99;
    try {
      status = body();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "child failed: %s\n", error.what());
    }
    std::fflush(nullptr);
    ::_exit(status);
  }
  return pid;
}

// Waits for child `pid`; returns its exit status, or 128 + signal if a
// signal killed it.
inline int wait_child(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Forks `count` children running `body(index)` at once; returns their exit
// statuses, in order.
inline std::vector<int> run_children(int count, const std::function<int(int)>& body) {
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) children.push_back(spawn_child([&body, i] { return body(i); }));
  std::vector<int> statuses;
  for (pid_t child : children) statuses.push_back(wait_child(child));
  return statuses;
}

// Runs `body` in a child process and returns its exit status.
inline int run_in_child(const std::function<int()>& body) { return wait_child(spawn_child(body)); }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs Debian's python3 (with python3-diskcache) on `script` with `args`;
// returns the exit status. Output goes to the test log.
inline int run_python(const std::string& script, const std::string& args) {
  const std::string command = std::string(DISKCACHE_TEST_PYTHON) + " " + DISKCACHE_TEST_SOURCE_DIR +
                              "/python/" + script + " " + args;
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The elements of an input range (keys(), items(), ...) in a vector, in order.
template <class Range>
auto collect(Range&& range) {
  std::vector<std::ranges::range_value_t<Range>> out;
  for (auto&& element : range) out.push_back(element);
  return out;
}

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_TEST_SUPPORT_HPP_
