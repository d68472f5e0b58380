// Uses the installed headers and library: stores a score in the cache
// directory given (a temporary one if none), memoizes a function in it, and
// prints "99 42".
#include <cstdint>
#include <diskcache/diskcache.hpp>
#include <iostream>

int main(int argc, char** argv) {
  diskcache::Cache<> cache(argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path());
  cache.set("score", 99);
  auto twice = cache.memoize("twice", [](std::int64_t number) { return 2 * number; });
  std::cout << cache.get("score")->as<std::int64_t>() << ' ' << twice(21) << "\n";
  if (argc == 1) std::filesystem::remove_all(cache.directory());
}
