// Caching the results of slow functions on disk with memoize(): the first
// call with given arguments runs the function, later calls (in this process
// or any later one, until the results expire) read the stored result.
//
//   memoize [cache-directory]
//
// The "API" is a local function that sleeps; the Python version of this
// example fetches https://jsonplaceholder.typicode.com/users/1 and its posts.
#include <cereal/types/vector.hpp>
#include <chrono>
#include <cstdint>
#include <diskcache/cache.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct User {
  std::int64_t id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, name);
  }
};

struct Post {
  std::int64_t id = 0;
  std::string title;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, title);
  }
};

// Stands in for a slow REST call.
void pretend_network_round_trip() { std::this_thread::sleep_for(std::chrono::milliseconds(400)); }

User fetch_user(std::int64_t user_id) {
  std::cout << "  [CACHE MISS] Fetching user " << user_id << " from API...\n";
  pretend_network_round_trip();
  return {user_id, "Leanne Graham"};
}

std::vector<Post> fetch_posts_for_user(std::int64_t user_id) {
  std::cout << "  [CACHE MISS] Fetching posts for user " << user_id << "...\n";
  pretend_network_round_trip();
  std::vector<Post> posts;
  for (std::int64_t i = 1; i <= 10; ++i) posts.push_back({i, "post " + std::to_string(i)});
  return posts;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-example-memoize";
  diskcache::Cache<> cache(directory);

  // Python: @cache.memoize(expire=3600) and @cache.memoize(expire=300).
  auto cached_fetch_user = cache.memoize("fetch_user", fetch_user, {.expire = 1h});
  auto cached_fetch_posts =
      cache.memoize("fetch_posts_for_user", fetch_posts_for_user, {.expire = 5min});

  const auto run = [&](const char* title) {
    std::cout << title << '\n';
    const auto start = std::chrono::steady_clock::now();
    const User user = cached_fetch_user(1);
    const std::vector<Post> posts = cached_fetch_posts(1);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::cout << "User: " << user.name << ", Posts: " << posts.size() << ", Time: " << std::fixed
              << std::setprecision(3) << elapsed.count() << "s\n";
  };
  run("=== First run (populates cache) ===");
  std::cout << '\n';
  run("=== Second run (reads from disk cache) ===");
}
