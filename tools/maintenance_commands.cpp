// stats, watch, expire, evict, cull, clear, check, vacuum.
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "diskcache/version.hpp"
#include "exit_status.hpp"
#include "json_format.hpp"
#include "literal.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace diskcache::tool {
namespace {

struct MaintenanceArguments {
  std::string directory;
  std::string tag;
  bool fix = false;
  double interval = 1;     // watch: seconds between lines
  std::int64_t count = 0;  // watch: lines to print; 0: until interrupted
};

// What stats and watch read: a cache, or every shard of a FanoutCache.
struct Whole {
  std::vector<StoredCache> caches;  // one, or the shards in order
  std::optional<FanoutLayout> fanout;
};

Whole open_whole(const std::string& directory, const GlobalOptions& options) {
  Whole whole;
  whole.fanout = fanout_layout(directory);
  if (!whole.fanout) {
    whole.caches.push_back(open_cache(directory, options));
    return whole;
  }
  for (const std::filesystem::path& shard : whole.fanout->shards) {
    whole.caches.push_back(open_cache(shard, options));
  }
  return whole;
}

struct Counts {
  std::int64_t items = 0;
  std::int64_t volume = 0;
  std::int64_t hits = 0;
  std::int64_t misses = 0;

  Counts& operator+=(const Counts& other) {
    items += other.items;
    volume += other.volume;
    hits += other.hits;
    misses += other.misses;
    return *this;
  }
};

// The counts of `cache`, whose current settings are `settings`.
Counts counts_of(StoredCache& cache, const Settings& settings) {
  // Passing the stored choice back leaves statistics as they are.
  const Stats stats = cache.stats(settings.statistics, false);
  return {cache.size(), cache.volume(), stats.hits, stats.misses};
}

// The counts under the names stats and watch print.
std::vector<std::pair<const char*, std::int64_t>> named(const Counts& counts) {
  return {{"items", counts.items},
          {"volume", counts.volume},
          {"hits", counts.hits},
          {"misses", counts.misses}};
}

void add_counts(Report& report, const Counts& counts) {
  for (const auto& [name, number] : named(counts)) report.add(name, number);
}

// `settings` as stats prints them; `size_limit` apart, as a FanoutCache's
// is the sum of its shards'.
void add_settings(Report& report, const Settings& settings, std::int64_t size_limit) {
  report.add("size_limit", size_limit);
  report.add("cull_limit", settings.cull_limit);
  report.add("eviction_policy", std::string(to_string(settings.eviction_policy)));
  report.add("statistics", settings.statistics ? 1 : 0);
  report.add("tag_index", settings.tag_index ? 1 : 0);
  report.add("disk_min_file_size", settings.disk_min_file_size);
  report.add("max_deliveries", settings.max_deliveries);
  report.add("sqlite_auto_vacuum", settings.sqlite_auto_vacuum);
  report.add("sqlite_cache_size", settings.sqlite_cache_size);
  report.add("sqlite_journal_mode", settings.sqlite_journal_mode.value());
  report.add("sqlite_mmap_size", settings.sqlite_mmap_size);
  report.add("sqlite_synchronous", settings.sqlite_synchronous);
  report.add("sqlite_version", Store::sqlite_version());
  report.add("sqlite_wal_reset_race", version().sqlite_wal_reset_race ? 1 : 0);
}

// The items a deque has out on leases, which `items` does not count, and in
// its dead letters (both 0 for a cache that is no deque).
void add_queue_counts(Report& report, StoredCache& cache, const GlobalOptions& options) {
  report.add("leased", cache.store().leased_count());
  const std::filesystem::path dead = dead_letter_directory(cache.directory());
  report.add("dead_letters", std::filesystem::exists(dead) ? open_cache(dead, options).size() : 0);
}

void stats(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  Whole whole = open_whole(arguments.directory, options);
  if (!whole.fanout) {
    StoredCache& cache = whole.caches.front();
    const Settings settings = cache.settings();
    const Counts counts = counts_of(cache, settings);
    Report report(options);
    report.add("directory", cache.directory().string());
    report.add("kind", kind_of(cache, settings, counts.items));
    add_counts(report, counts);
    add_queue_counts(report, cache, options);
    add_settings(report, settings, settings.size_limit);
    return;
  }
  Counts total;
  std::int64_t size_limit = 0;
  std::vector<Report::Row> shards;
  std::optional<Settings> first;  // the settings printed: the first shard's
  for (StoredCache& shard : whole.caches) {
    const Settings settings = shard.settings();
    const Counts counts = counts_of(shard, settings);
    total += counts;
    size_limit += settings.size_limit;
    shards.push_back({shard.directory().filename().string(), named(counts)});
    if (!first) first = settings;
  }
  Report report(options);
  report.add("directory", arguments.directory);
  report.add("kind", std::string("fanout"));
  add_counts(report, total);
  report.add_rows("shard", shards);
  if (!whole.fanout->containers.empty()) report.add_list("containers", whole.fanout->containers);
  add_settings(report, *first, size_limit);
}

// One line of watch's table, its columns aligned to the right.
std::string watch_row(const std::string& items, const std::string& volume, const std::string& hits,
                      const std::string& misses, const std::string& ratio) {
  char line[160];
  std::snprintf(line, sizeof line, "%10s %14s %12s %12s %10s", items.c_str(), volume.c_str(),
                hits.c_str(), misses.c_str(), ratio.c_str());
  return line;
}

void watch(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  Whole whole = open_whole(arguments.directory, options);
  bool statistics = false;
  for (StoredCache& cache : whole.caches) statistics = statistics || cache.settings().statistics;
  if (!statistics) {
    std::fprintf(stderr,
                 "diskcache: statistics are off in %s, so hits and misses stay as they are "
                 "(Settings::statistics, or Python's cache.stats(enable=True), turns them on)\n",
                 arguments.directory.c_str());
  }
  if (!options.json) print_line(watch_row("items", "volume", "hits", "misses", "hit_ratio"));
  for (std::int64_t line = 0; arguments.count == 0 || line < arguments.count; ++line) {
    if (line > 0) std::this_thread::sleep_for(std::chrono::duration<double>(arguments.interval));
    Counts total;
    // Settings read anew each time: another process may turn statistics
    // on or off meanwhile, and passing back a stale choice would undo it.
    for (StoredCache& cache : whole.caches) total += counts_of(cache, cache.settings());
    const std::int64_t reads = total.hits + total.misses;
    const double ratio = reads == 0 ? 0 : static_cast<double>(total.hits) / reads;
    if (options.json) {
      JsonLine json;
      JsonWriter& writer = json.writer();
      writer.StartObject();
      for (const auto& [name, number] : named(total)) {
        writer.Key(name);
        writer.Int64(number);
      }
      writer.Key("hit_ratio");
      if (reads == 0) {
        writer.Null();
      } else {
        writer.Double(ratio);
      }
      writer.EndObject();
      print_line(json.str());
    } else {
      char ratio_text[16] = "-";
      if (reads > 0) std::snprintf(ratio_text, sizeof ratio_text, "%.3f", ratio);
      print_line(watch_row(std::to_string(total.items), std::to_string(total.volume),
                           std::to_string(total.hits), std::to_string(total.misses), ratio_text));
    }
    // A pipe would otherwise hold the lines back until it fills.
    std::fflush(stdout);
  }
}

void removed(const GlobalOptions& options, std::int64_t count) {
  Report(options).add("removed", count);
}

void expire(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  removed(options, open_cache(arguments.directory, options).expire());
}

void evict(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  removed(options, open_cache(arguments.directory, options).evict(parse_literal(arguments.tag)));
}

void cull(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  removed(options, open_cache(arguments.directory, options).cull());
}

void clear(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const std::int64_t total = cache.size();
  std::int64_t count = 0;
  {
    // clear() commits in batches, so the count another thread reads falls.
    Progress progress("clear", total, [&cache, total] { return total - cache.size(); });
    count = cache.clear();
  }
  removed(options, count);
}

void check(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  std::vector<std::string> problems;
  std::vector<std::string> remaining;
  {
    Progress progress("check", 0);
    problems = cache.check(arguments.fix);
    remaining = arguments.fix ? cache.check(false) : problems;
  }
  {
    Report report(options);
    report.add("problems", problems);
    report.add("found", static_cast<std::int64_t>(problems.size()));
    if (arguments.fix) report.add("remaining", static_cast<std::int64_t>(remaining.size()));
    report.add("sqlite_version", Store::sqlite_version());
  }
  if (!remaining.empty()) {
    throw CommandError(ExitStatus::Corrupt,
                       std::to_string(remaining.size()) + " problems in " + arguments.directory +
                           (arguments.fix ? " remain after --fix" : "; --fix repairs them"));
  }
}

void vacuum(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const std::int64_t before = cache.volume();
  cache.store().vacuum();
  Report report(options);
  report.add("volume_before", before);
  report.add("volume_after", cache.volume());
}

}  // namespace

void add_maintenance_commands(CLI::App& app, const GlobalOptions& options) {
  add_command(app, options, "stats",
              "Print item count, volume, hits, misses and settings (a FanoutCache per shard)",
              stats);
  auto [watch_command, watch_arguments] = add_command(
      app, options, "watch", "Print items, volume, hits, misses and hit ratio every second", watch);
  watch_command
      ->add_option("--interval", watch_arguments->interval, "Seconds between lines (default 1)")
      ->type_name("SECONDS")
      ->check(seconds_check("the seconds between lines"));
  watch_command
      ->add_option("--count", watch_arguments->count,
                   "Stop after N lines (default 0: until interrupted)")
      ->type_name("N")
      ->check(count_check("the number of lines to print"));
  add_command(app, options, "expire", "Remove expired items", expire);
  auto [evict_command, evict_arguments] =
      add_command(app, options, "evict", "Remove the items tagged TAG", evict);
  evict_command->add_option("--tag", evict_arguments->tag, "The tag")->required();
  add_command(app, options, "cull", "Remove expired items, then evict down to the size limit",
              cull);
  add_command(app, options, "clear", "Remove every item", clear);
  auto [check_command, check_arguments] = add_command(
      app, options, "check", "Check the database and value files; status 4 on problems", check);
  check_command->add_flag("--fix", check_arguments->fix, "Repair what can be repaired");
  add_command(app, options, "vacuum", "Shrink cache.db to what its items need", vacuum);
}

}  // namespace diskcache::tool
