// The command's view of a cache directory: every key and value as the Cell
// stored, whichever disk policy (or Python) wrote it, so any item can be
// shown, and opening that never turns a mistyped path into a new cache.
#ifndef DISKCACHE_TOOLS_STORED_CACHE_HPP_
#define DISKCACHE_TOOLS_STORED_CACHE_HPP_

#include <chrono>
#include <filesystem>

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

// Opens the cache in `directory` without changing its stored settings.
// Unless `create`, the directory must already hold a cache.db.
// Throws CommandError(NotACache) if it does not, or if cache.db is not a
// cache (with the library's reason).
StoredCache open_cache(const std::filesystem::path& directory, const GlobalOptions& options,
                       bool create = false);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_STORED_CACHE_HPP_
