// Uses the installed headers and library; prints 99 on success.
#include <diskcache/diskcache.hpp>

#include <iostream>

int main() {
  diskcache::Cache<> cache;
  cache.set("score", 99);
  std::cout << cache.get("score")->as<std::int64_t>() << "\n";
  std::filesystem::remove_all(cache.directory());
}
