// Uses the installed headers and library: stores a score in the cache
// directory given (a temporary one if none) and prints it, 99.
#include <diskcache/diskcache.hpp>
#include <iostream>

int main(int argc, char** argv) {
  diskcache::Cache<> cache(argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path());
  cache.set("score", 99);
  std::cout << cache.get("score")->as<std::int64_t>() << "\n";
  if (argc == 1) std::filesystem::remove_all(cache.directory());
}
