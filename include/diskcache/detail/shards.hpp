// Internal: the shards of a FanoutCache and how a key chooses one, as Python
// diskcache chooses. Not part of the API; see fanout_cache.hpp.
#ifndef DISKCACHE_DETAIL_SHARDS_HPP_
#define DISKCACHE_DETAIL_SHARDS_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/cell.hpp"
#include "diskcache/export.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"

namespace diskcache::detail {

// Python diskcache's Disk.hash of a key as stored (core.py): adler32 of a
// blob's bytes, of a text's UTF-8 bytes, or of a real's 8 big-endian IEEE
// 754 bytes; an integer modulo 0xFFFFFFFF (never negative, as Python's %).
// Null, which no key is, hashes to 0.
DISKCACHE_EXPORT std::uint32_t portable_hash(const Cell& key) noexcept;

// The stores a key's portable hash chooses among: a FanoutCache's shards,
// or the single store of a Cache.
class Shards {
 public:
  // One store: every key chooses it. Implicit, so a Cache passes its Store.
  Shards(Store store) : stores_{std::move(store)} {}  // NOLINT(google-explicit-constructor)
  // REQUIRES: `stores` is not empty.
  explicit Shards(std::vector<Store> stores) : stores_(std::move(stores)) {}

  // The store holding `key`: index portable_hash(key) % size(), as Python.
  Store& for_key(const Cell& key) {
    if (stores_.size() == 1) return stores_.front();
    return stores_[portable_hash(key) % stores_.size()];
  }

  std::vector<Store>& all() noexcept { return stores_; }
  const std::vector<Store>& all() const noexcept { return stores_; }

 private:
  std::vector<Store> stores_;
};

// The stores of `container`: a FanoutCache's shards (it has shards()), or
// the one store of a Cache, Deque or other container (store()).
template <class Container>
Shards shards_of(Container& container) {
  if constexpr (requires { container.shards(); }) {
    std::vector<Store> stores;
    for (auto& shard : container.shards()) stores.push_back(shard.store());
    return Shards(std::move(stores));
  } else {
    return Shards(container.store());
  }
}

// A FanoutCache's directory and its shards, in order.
struct OpenShards {
  std::filesystem::path directory;
  std::vector<Store> stores;
};

// Opens the `count` shards of a FanoutCache in `directory` (created if
// needed; a new temporary directory when empty): `directory`/000, /001, ...
// (Python's '%03d'), each a Store with `settings` except size_limit, which
// is split between them: a given limit is divided by `count`; when none is
// given, a new shard starts at the default divided by `count` and an
// existing one keeps its stored limit. Opening waits for locks up to
// settings.timeout; then each store's timeout becomes `timeout`.
// Throws Error if `count` is 0, and what Store's constructor throws.
DISKCACHE_EXPORT OpenShards open_shards(std::filesystem::path directory, std::size_t count,
                                        std::chrono::milliseconds timeout,
                                        const Settings& settings);

// `parent`/`kind`/`name`, the directory of a FanoutCache's sub-container
// (kind "cache", "deque" or "index"); a name may hold '/' for deeper
// levels, as in Python. Throws Error naming `parent` and `name` if the name
// is empty, absolute, or has an empty, "." or ".." part (it would leave
// the directory).
std::filesystem::path sub_directory(const std::filesystem::path& parent, const char* kind,
                                    const std::string& name);

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_SHARDS_HPP_
