// A queue consumer inside an epoll event loop: instead of a thread blocked in
// pop_front_wait, the loop waits on the queue's ChangeWatch descriptor beside
// whatever else it serves (sockets, timers). A producer process pushes five
// jobs, 100 ms apart, then "stop".
//
//   event_loop [directory]
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-event-loop";
  std::filesystem::remove_all(directory);
  diskcache::Deque<std::string> jobs(directory);
  diskcache::ChangeWatch watch = jobs.watch();  // before the producer starts

  const pid_t producer = ::fork();
  if (producer == 0) {
    produce(directory);
    ::_exit(0);
  }

  const int loop = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event interest{};
  interest.events = EPOLLIN;
  interest.data.fd = watch.fd();
  ::epoll_ctl(loop, EPOLL_CTL_ADD, watch.fd(), &interest);

  int done = 0;
  bool stopped = false;
  while (!stopped) {
    epoll_event ready{};
    if (::epoll_wait(loop, &ready, 1, /*timeout ms=*/5000) == 0) {
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
  ::waitpid(producer, &status, 0);
  std::cout << done << " jobs handled in the event loop\n";
  return stopped ? 0 : 1;
}
