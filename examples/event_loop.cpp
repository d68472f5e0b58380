// A queue consumer inside an epoll event loop: instead of a thread blocked in
// pop_front_wait, the loop waits on the queue's ChangeWatch descriptor beside
// whatever else it serves (sockets, timers). A producer process pushes five
// jobs, 100 ms apart, then "stop".
//
//   event_loop [directory]
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <diskcache/change_watch.hpp>
#include <diskcache/deque.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

namespace {

void produce(const std::filesystem::path& directory) {
  diskcache::Deque<std::string> jobs(directory);
  for (int i = 1; i <= 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    jobs.push_back("job " + std::to_string(i));
  }
  jobs.push_back("stop");
}

// Says on stderr which call failed and why (errno).
void report(const char* call) { std::cerr << call << " failed: " << std::strerror(errno) << '\n'; }

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-event-loop";
  std::filesystem::remove_all(directory);
  diskcache::Deque<std::string> jobs(directory);
  diskcache::ChangeWatch watch = jobs.watch();  // before the producer starts

  // The epoll set is made before the producer starts, so that failing here
  // leaves no child process behind.
  const int loop = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop == -1) {
    report("epoll_create1");
    return 1;
  }
  epoll_event interest{};
  interest.events = EPOLLIN;
  interest.data.fd = watch.fd();
  if (::epoll_ctl(loop, EPOLL_CTL_ADD, watch.fd(), &interest) == -1) {
    report("epoll_ctl");
    ::close(loop);
    return 1;
  }

  const pid_t producer = ::fork();
  if (producer == -1) {
    report("fork");
    ::close(loop);
    return 1;
  }
  if (producer == 0) {
    produce(directory);
    ::_exit(0);
  }

  int done = 0;
  bool stopped = false;
  while (!stopped) {
    epoll_event ready{};
    const int count = ::epoll_wait(loop, &ready, 1, /*timeout ms=*/5000);
    if (count == -1 && errno == EINTR) continue;  // a signal, not a wake-up: wait again
    if (count == -1) {
      report("epoll_wait");
      break;
    }
    if (count == 0) {
      std::cerr << "no job arrived in 5 s\n";
      break;
    }
    watch.clear();  // before looking, so a push while we look wakes us again
    while (std::optional<std::string> job = jobs.pop_front()) {
      if (*job == "stop") {
        stopped = true;
        break;
      }
      std::cout << "handled " << *job << '\n';
      ++done;
    }
  }
  ::close(loop);
  int status = 0;
  while (::waitpid(producer, &status, 0) == -1 && errno == EINTR) continue;  // a signal: again
  std::cout << done << " jobs handled in the event loop\n";
  return stopped ? 0 : 1;
}
