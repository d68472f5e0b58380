// A job queue between processes: a producer, two worker processes and an
// Index of results, all on one directory. Workers take jobs under a lease,
// so a job whose worker dies is done again by another one instead of being
// lost.
//
//   work_queue [directory]                 # the producer and two C++ workers
//   work_queue [directory] --python WORKER # the same queue, one Python worker
//
// With --python, the producer starts `python3 WORKER directory` (see
// python_worker.py) instead of the C++ workers: Python's diskcache.Deque and
// diskcache.Index read and write the same directories.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <diskcache/deque.hpp>
#include <diskcache/index.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kSentences = {
    "the quick brown fox jumps over the lazy dog",
    "a persistent queue between processes",
    "workers lease jobs",
    "a job whose worker dies is done again",
    "results go to an index",
    "python and c++ share the directories",
    "every job is done once",
    "hello world",
};

// Stands in for real work (resizing a photo, calling a service): slow, and
// the same answer for the same input.
std::int64_t count_words(const std::string& sentence) {
  std::this_thread::sleep_for(50ms);
  std::istringstream words(sentence);
  std::int64_t count = 0;
  for (std::string word; words >> word;) ++count;
  return count;
}

// A job is "<id> <sentence>": plain text, so a Python worker reads it too.
void work(const std::filesystem::path& directory) {
  diskcache::Deque<std::string> jobs(directory / "jobs");
  diskcache::Index<std::int64_t, std::int64_t> results(directory / "results");
  // The producer has finished once the queue stays empty for a second.
  while (auto job = jobs.lease_front_wait(/*visibility_timeout=*/30s, /*timeout=*/1s)) {
    std::istringstream text(**job);
    std::int64_t id = 0;
    text >> id;
    std::string sentence;
    std::getline(text >> std::ws, sentence);
    results.set(id, count_words(sentence));
    job->ack();  // only now is the job gone for good
  }
}

pid_t start_cpp_worker(const std::filesystem::path& directory) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int status = 0;
    try {
      work(directory);
    } catch (const std::exception& error) {
      std::cerr << "worker: " << error.what() << '\n';
      status = 1;
    }
    ::_exit(status);
  }
  return pid;
}

pid_t start_python_worker(const std::string& script, const std::filesystem::path& directory) {
  std::string python = "python3";
  std::string directory_text = directory.string();
  std::vector<char*> argv = {python.data(), const_cast<char*>(script.c_str()),
                             directory_text.data(), nullptr};
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "python3", nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start python3 " + script);
  }
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "work_queue_example";
  const bool python = argc > 3 && std::string(argv[2]) == "--python";
  std::filesystem::remove_all(directory);  // a fresh run each time

  diskcache::Deque<std::string> jobs(directory / "jobs");
  diskcache::Index<std::int64_t, std::int64_t> results(directory / "results");

  std::vector<pid_t> workers;
  if (python) {
    workers.push_back(start_python_worker(argv[3], directory));
  } else {
    workers.push_back(start_cpp_worker(directory));
    workers.push_back(start_cpp_worker(directory));
  }
  for (std::size_t id = 0; id < kSentences.size(); ++id) {
    jobs.push_back(std::to_string(id) + " " + kSentences[id]);
  }

  bool workers_ok = true;
  for (pid_t pid : workers) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    workers_ok = workers_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::cout << (python ? "1 Python worker" : "2 C++ workers") << " finished "
            << (workers_ok ? "cleanly" : "with errors") << '\n';
  // In job order: workers finish jobs in any order, so insertion order varies.
  for (const auto& [id, words] : results.lower_bound(0)) {
    std::cout << "job " << id << ": " << words << " words\n";
  }
  std::cout << results.size() << " of " << kSentences.size() << " jobs done, " << jobs.size()
            << " left in the queue\n";
  return workers_ok && results.size() == static_cast<std::int64_t>(kSentences.size()) ? 0 : 1;
}
