// Quick start: a persistent key-value cache.
//
// Run it twice. The first run computes item_a (slowly) and stores it; the
// second run is a new process, finds item_a on disk and skips the work.
//
//   quick_start [cache-directory]
//
// First run:                              Second run:
//   Computing item_a...                     Reading item_a: result_for_item_a
//   Reading item_a: result_for_item_a       Cache closed -- value persists on disk
//   Cache closed -- value persists on disk
#include <chrono>
#include <diskcache/cache.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

namespace {

// Stands in for an expensive call: a web request, a slow query.
std::string slow_operation(const std::string& key) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return "result_for_" + key;
}

}  // namespace

int main(int argc, char** argv) {
  // A fixed default directory, so that a second run finds the first run's data.
  const std::filesystem::path directory =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "diskcache-example-quick_start";

  // Creates the directory and its cache.db on first use, reopens it later.
  diskcache::Cache<std::string, std::string> cache(directory);

  if (!cache.contains("item_a")) {
    std::cout << "Computing item_a..." << std::endl;
    cache["item_a"] = slow_operation("item_a");
  }

  // Reading through [] throws diskcache::KeyError if the key is missing.
  const std::string value = cache["item_a"];
  std::cout << "Reading item_a: " << value << '\n';

  // Not required: the destructor closes too, and the value was committed
  // before the assignment above returned.
  cache.close();
  std::cout << "Cache closed -- value persists on disk\n";
}
