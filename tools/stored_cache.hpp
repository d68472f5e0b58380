// The command's view of a cache directory: every key and value as the Cell
// stored, whichever disk policy (or Python) wrote it, so any item can be
// shown; opening that never turns a mistyped path into a new cache; and
// what kind of directory it is (a Cache, Index or Deque, or a FanoutCache
// of shards).
#ifndef DISKCACHE_TOOLS_STORED_CACHE_HPP_
#define DISKCACHE_TOOLS_STORED_CACHE_HPP_

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/cell.hpp"

namespace diskcache::tool {

// A disk policy that converts nothing: a Cell goes in and comes out as
// stored, with its raw flag (encoded keys) and mode (Python pickles). It
// never reads a pickle's bytes as anything, so it is safe on any directory.
struct AsStored {
  template <class T>
  static Cell encode(const T& cell) {
    return cell.to_owning();
  }
  template <class T>
  static T decode(const Cell& cell) {
    return cell.to_owning();
  }
};

using StoredCache = Cache<Cell, Cell, AsStored>;

// `value` as the Cell Python (and disk::Auto) would store.
inline Cell to_cell(const Value& value) { return disk::Auto::encode(value).to_owning(); }

// Options every subcommand takes.
struct GlobalOptions {
  bool json = false;    // print JSON instead of text
  double timeout = 60;  // seconds to wait for a locked database
};

// Settings that change nothing stored: only the lock timeout.
Settings open_settings(const GlobalOptions& options);

// What open_cache does when the directory holds no cache.db.
enum class IfMissing {
  Fail,           // the command only reads or changes an existing cache
  SuggestCreate,  // fail, saying that --create would make one
  Create,         // make a new cache (the command was given --create)
};
inline IfMissing if_missing(bool create) {
  return create ? IfMissing::Create : IfMissing::SuggestCreate;
}

// Whether `directory` holds a cache.db; false only with IfMissing::Create,
// when a new cache may be made there. Throws CommandError(NotACache),
// saying what the path is instead and what to give, if it cannot be a
// cache directory: missing (unless IfMissing::Create), a file (cache.db
// itself, say), or a FanoutCache's directory (even with Create: its shards
// are the caches).
bool check_cache_path(const std::filesystem::path& directory, IfMissing missing);

// Opens the cache in `directory` without changing its stored settings.
// Throws as check_cache_path, and CommandError(NotACache) if cache.db is
// not a cache.
StoredCache open_cache(const std::filesystem::path& directory, const GlobalOptions& options,
                       IfMissing missing = IfMissing::Fail);
// open_cache of a `directory` check_cache_path has found to hold a cache.
StoredCache open_found_cache(const std::filesystem::path& directory, const GlobalOptions& options);

// Where the dead letters of the queue in `directory` are, as
// Deque::dead_letter_directory() says: <directory>/cache.db-dead-letters.
inline std::filesystem::path dead_letter_directory(const std::filesystem::path& directory) {
  return directory / Store::kDeadLetterDirectory;
}

// A FanoutCache's directory: a cache in each of 000, 001, ..., and no
// cache.db of its own.
struct FanoutLayout {
  std::vector<std::filesystem::path> shards;
  // The sub-containers Python's FanoutCache (and FanoutCache::cache,
  // deque, index) keeps beside the shards: "cache/NAME", "deque/NAME",
  // "index/NAME".
  std::vector<std::string> containers;
};

// The layout of `directory` if it is a FanoutCache's, else nullopt.
std::optional<FanoutLayout> fanout_layout(const std::filesystem::path& directory);

// A key that shows `cache` holds more than a queue (Deque, or Python's
// Cache.push without a prefix), or nullopt when its keys are all queue
// positions (none at all included).
std::optional<Cell> key_outside_queue(StoredCache& cache);

// "cache", "index", "deque", or "deque or index" for an empty directory
// that either could have made (both set the eviction policy to none), given
// the current `settings` of `cache` and its number of `items`.
std::string kind_of(StoredCache& cache, const Settings& settings, std::int64_t items);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_STORED_CACHE_HPP_
