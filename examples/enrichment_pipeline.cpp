// A data-enrichment pipeline that caches a slow lookup on disk: the first
// run pays for every lookup, later runs (new processes, for 24 hours) read
// the results from the cache.
//
//   enrichment_pipeline [cache-directory]
//
// The lookup results are a C++ struct. disk::Auto, the default disk policy,
// stores such types with cereal's portable binary archive; the struct only
// needs a cereal `serialize` member.
//
// fetch_user_details is memoized as Python's @CACHE.memoize(expire=86400)
// does: its results are stored under ("fetch_user_details", user_id).
#include <cereal/types/optional.hpp>
#include <chrono>
#include <cstdint>
#include <diskcache/cache.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string company;
  std::optional<std::string> website;  // cereal/types/optional.hpp handles this

  // cereal calls this to save and to load. Changing the fields changes the
  // stored format: clear the cache (or use a new key prefix) when you do.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, name, email, company, website);
  }
};

// Stands in for a REST call (the Python version fetches
// https://jsonplaceholder.typicode.com/users/<id>): slow, same answer each time.
User fetch_user_details(std::int64_t user_id) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  static const std::vector<User> kUsers = {
      {1, "Leanne Graham", "Sincere@april.biz", "Romaguera-Crona", "hildegard.org"},
      {2, "Ervin Howell", "Shanna@melissa.tv", "Deckow-Crist", "anastasia.net"},
      {3, "Clementine Bauch", "Nathan@yesenia.net", "Romaguera-Jacobson", "ramiro.info"},
      {4, "Patricia Lebsack", "Julianne.OConner@kory.org", "Robel-Corkery", "kale.biz"},
      {5, "Chelsey Dietrich", "Lucio_Hettinger@annie.ca", "Keebler LLC", std::nullopt},
  };
  for (const User& user : kUsers) {
    if (user.id == user_id) return user;
  }
  throw std::out_of_range("no user " + std::to_string(user_id));
}

using UserCache = diskcache::Cache<std::string, User>;

std::vector<User> enrich_users(UserCache& cache, const std::vector<std::int64_t>& user_ids) {
  // Results are kept for 24 hours, so the data refreshes daily. Two
  // processes that miss at the same moment both call the API and store the
  // same result; that is harmless here.
  auto cached_fetch_user_details =
      cache.memoize("fetch_user_details", fetch_user_details, {.expire = std::chrono::hours(24)});
  std::vector<User> users;
  int cache_hits = 0;
  for (std::int64_t user_id : user_ids) {
    // Checked before the call, to report where the result came from.
    if (cached_fetch_user_details.contains(user_id)) ++cache_hits;
    users.push_back(cached_fetch_user_details(user_id));
  }
  const int total = static_cast<int>(user_ids.size());
  std::cout << "Processed " << total << " users (" << cache_hits << " from cache, "
            << total - cache_hits << " from API)\n";
  return users;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-example-enrichment_pipeline";
  UserCache cache(directory, {.size_limit = 100 * 1024 * 1024});

  std::cout << "=== Pipeline Run ===\n";
  const auto start = std::chrono::steady_clock::now();
  const std::vector<User> users = enrich_users(cache, {1, 2, 3, 4, 5});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  for (const User& user : users) {
    std::cout << "  " << user.id << ". " << user.name << " (" << user.company << ") -- "
              << user.email << " -- " << user.website.value_or("no website") << '\n';
  }
  std::cout << "Total time: " << std::fixed << std::setprecision(2) << elapsed.count() << "s\n";
}
