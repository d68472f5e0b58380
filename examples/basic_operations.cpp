// Basic operations on a mixed-type cache, as in Python diskcache: set, get,
// expiry, membership, delete, atomic increment, size and volume.
//
//   basic_operations [cache-directory]
//
// Output (the volume depends on the SQLite page size and on the database's
// history):
//   alice
//   99
//   None
//   fallback
//   true
//   false
//   false
//   Page views: 3
//   Cache size (items): 3
//   Cache size (bytes): 32768
#include <chrono>
#include <cstdint>
#include <diskcache/cache.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-example-basic_operations";

  // Cache<> has diskcache::Value keys and values (null, integer, double,
  // string or bytes), so one cache holds several types, as a Python one does.
  diskcache::Cache<> cache(directory);
  // Items persist between runs; start empty so every run prints the same.
  cache.clear();

  // Store values, dict-style or with set().
  cache["username"] = "alice";
  cache.set("score", 99);

  // An item that expires 60 s from now; after that it reads as missing.
  cache.set("session_token", "abc123xyz", {.expire = std::chrono::seconds(60)});

  // cache[key] throws diskcache::KeyError if the key is missing; get() returns
  // std::optional instead. Value::as<T>() extracts the stored type.
  const diskcache::Value username = cache["username"];
  std::cout << username.as<std::string>() << '\n';              // alice
  std::cout << cache.get("score")->as<std::int64_t>() << '\n';  // 99

  // A missing key: nullopt. A null Value prints as Python's None.
  const std::optional<diskcache::Value> missing = cache.get("missing_key");
  std::cout << missing.value_or(nullptr).repr() << '\n';  // None
  // A fallback for a missing key: Python's get(key, default="fallback").
  const diskcache::Value fallback = cache.get("missing_key").value_or("fallback");
  std::cout << fallback.as<std::string>() << '\n';  // fallback

  // Membership: Python's `in`.
  std::cout << std::boolalpha << cache.contains("username") << '\n';  // true
  std::cout << cache.contains("ghost") << '\n';                       // false

  // Delete a key (Python's `del cache[key]`); returns whether it was there.
  cache.erase("username");
  std::cout << cache.contains("username") << '\n';  // false

  // incr() is one transaction, so processes that count at the same time never
  // lose an update.
  cache.set("page_views", 0);
  cache.incr("page_views");
  cache.incr("page_views");
  cache.incr("page_views");
  std::cout << "Page views: " << cache.get("page_views")->as<std::int64_t>() << '\n';

  // size(): number of items (Python's len). volume(): bytes on disk, database
  // pages plus value files.
  std::cout << "Cache size (items): " << cache.size() << '\n';
  std::cout << "Cache size (bytes): " << cache.volume() << '\n';
}
