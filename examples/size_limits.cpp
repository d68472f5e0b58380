// Size limits and eviction: a cache stays near its size_limit by removing
// items as new ones are written, oldest first (the default eviction policy,
// least-recently-stored). Items can also be removed by tag, or all at once.
//
//   size_limits [cache-directory]
#include <diskcache/cache.hpp>
#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-example-size_limits";

  // size_limit is stored in the directory: later openers (C++ or Python) see
  // it too, unless they pass their own.
  constexpr std::int64_t kTenMegabytes = 10 * 1024 * 1024;
  diskcache::Cache<std::string, std::string> cache(directory, {.size_limit = kTenMegabytes});
  cache.clear();  // start empty, so every run prints the same counts

  // 100 values of 10 KB: 1 MB in all, well under the limit. Values below
  // disk_min_file_size (32 KiB) live in cache.db; larger ones in their own files.
  // Tags group items so that they can be removed together with evict().
  const std::string payload(10'000, 'x');
  for (int i = 0; i < 100; ++i) {
    cache.set("key_" + std::to_string(i), payload, {.tag = i % 2 == 0 ? "even" : "odd"});
  }
  std::cout << "Items in cache: " << cache.size() << '\n';
  std::cout << "Volume (bytes): " << cache.volume() << '\n';
  std::cout << "Size limit (bytes): " << cache.settings().size_limit.value() << '\n';

  // evict(tag) removes every item with that tag and returns how many.
  std::cout << "Evicted with tag 'odd': " << cache.evict("odd") << '\n';
  std::cout << "Items in cache: " << cache.size() << '\n';

  cache.clear();
  std::cout << "After clear, items: " << cache.size() << '\n';

  // Lower the limit to 1 MiB (reset() also stores it) and write 5 MB: each
  // write evicts the oldest items once the volume reaches the limit, so the
  // cache stays bounded without any cleanup call.
  constexpr std::int64_t kOneMebibyte = 1024 * 1024;
  cache.reset({.size_limit = kOneMebibyte});
  for (int i = 0; i < 500; ++i) cache.set("key_" + std::to_string(i), payload);
  std::cout << "Wrote 500 items (5000000 bytes) with a 1 MiB limit\n";
  std::cout << "Items kept: " << cache.size() << '\n';
  std::cout << "Volume (bytes): " << cache.volume() << '\n';
  // The limit is approximate: culling removes at most cull_limit (10) items
  // per write, and the database file has some fixed overhead.
  std::cout << "Within 10% of the limit: " << std::boolalpha
            << (cache.volume() <= kOneMebibyte * 11 / 10) << '\n';
  // The oldest items were the ones evicted.
  std::cout << "key_0 kept: " << cache.contains("key_0")
            << ", key_499 kept: " << cache.contains("key_499") << '\n';
}
