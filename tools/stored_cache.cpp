#include "stored_cache.hpp"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "exit_status.hpp"

namespace diskcache::tool {
namespace {

namespace fs = std::filesystem;

// A push into an empty queue stores 500000000000000, and each push moves
// one step from the end it adds to, so a queue's keys stay near that
// number. The integer keys of other uses (ids, dates, Unix times in
// seconds or milliseconds) lie far below it, microseconds above.
constexpr std::int64_t kQueueLow = 100'000'000'000'000;
constexpr std::int64_t kQueueHigh = 900'000'000'000'000;

bool queue_position(const Cell& key) {
  return key.raw() && key.kind() == Cell::Kind::Integer && key.integer() >= kQueueLow &&
         key.integer() <= kQueueHigh;
}

bool holds_cache(const fs::path& directory) {
  std::error_code error;
  return fs::is_regular_file(directory / "cache.db", error);
}

// '%03d' % number, as Python names shard directories.
std::string shard_name(std::size_t number) {
  char name[24];
  std::snprintf(name, sizeof name, "%03zu", number);
  return name;
}

// Appends the caches under `directory` (named from `prefix`), not looking
// inside a cache: its subdirectories hold value files.
void find_containers(const fs::path& directory, const std::string& prefix,
                     std::vector<std::string>& found) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    if (!entry.is_directory(error)) continue;
    const std::string name = prefix + "/" + entry.path().filename().string();
    if (holds_cache(entry.path())) {
      found.push_back(name);
    } else {
      find_containers(entry.path(), name, found);
    }
  }
}

std::string fanout_advice(const fs::path& directory, const FanoutLayout& layout) {
  std::string message = directory.string() + " is a FanoutCache directory (" +
                        std::to_string(layout.shards.size()) + " shards, 000 to " +
                        layout.shards.back().filename().string() +
                        "): stats and watch read it whole; give other commands one shard, e.g. " +
                        layout.shards.front().string();
  if (!layout.containers.empty()) {
    message += ", or a sub-container, e.g. " + (directory / layout.containers.front()).string();
  }
  return message;
}

[[noreturn]] void not_a_cache(const std::string& message) {
  throw CommandError(ExitStatus::NotACache, message);
}

}  // namespace

Settings open_settings(const GlobalOptions& options) {
  return Settings{.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::duration<double>(options.timeout))};
}

bool check_cache_path(const fs::path& directory, IfMissing missing) {
  std::error_code error;
  if (!holds_cache(directory)) {
    if (std::optional<FanoutLayout> layout = fanout_layout(directory)) {
      not_a_cache(fanout_advice(directory, *layout));
    }
    if (fs::exists(directory, error) && !fs::is_directory(directory, error)) {
      if (directory.filename() == "cache.db") {
        const fs::path parent = directory.has_parent_path() ? directory.parent_path() : ".";
        not_a_cache(
            directory.string() +
            " is a cache's database file; give the directory that holds it: " + parent.string());
      }
      not_a_cache(directory.string() + " is a file, not a cache directory");
    }
    if (missing != IfMissing::Create) {
      std::string message = directory.string() + (fs::is_directory(directory, error)
                                                      ? " is not a cache directory (no cache.db)"
                                                      : " does not exist");
      if (missing == IfMissing::SuggestCreate) message += "; add --create to make a new cache";
      not_a_cache(message);
    }
    return false;
  }
  return true;
}

StoredCache open_cache(const fs::path& directory, const GlobalOptions& options, IfMissing missing) {
  check_cache_path(directory, missing);
  return open_found_cache(directory, options);
}

StoredCache open_found_cache(const fs::path& directory, const GlobalOptions& options) {
  try {
    return StoredCache(directory, open_settings(options));
  } catch (const CorruptionError& error) {
    // Failing while opening means the database itself is not a cache.
    not_a_cache((directory / "cache.db").string() + " is not a cache: " + error.what());
  }
}

std::optional<FanoutLayout> fanout_layout(const fs::path& directory) {
  if (holds_cache(directory)) return std::nullopt;
  FanoutLayout layout;
  for (std::size_t number = 0; holds_cache(directory / shard_name(number)); ++number) {
    layout.shards.push_back(directory / shard_name(number));
  }
  if (layout.shards.empty()) return std::nullopt;
  for (const char* kind : {"cache", "deque", "index"}) {
    find_containers(directory / kind, kind, layout.containers);
  }
  std::sort(layout.containers.begin(), layout.containers.end());
  return layout;
}

std::optional<Cell> key_outside_queue(StoredCache& cache) {
  // Numbers sort before text and bytes: when the smallest and the largest
  // key are both queue positions, so is every key between them (an
  // encoded integer between them would pass, but no disk policy makes one).
  for (const bool reverse : {false, true}) {
    Store::Cursor cursor = cache.store().scan(
        ScanOptions{.order = ScanOrder::Key, .reverse = reverse, .values = false});
    if (cursor.next() && !queue_position(cursor.key())) return cursor.key().to_owning();
  }
  return std::nullopt;
}

std::string kind_of(StoredCache& cache, const Settings& settings, std::int64_t items) {
  if (settings.eviction_policy != EvictionPolicy::None) return "cache";
  if (key_outside_queue(cache)) return "index";
  return items == 0 ? "deque or index" : "deque";
}

}  // namespace diskcache::tool
