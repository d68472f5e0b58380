// stats, expire, evict, cull, clear, check, vacuum.
#include "commands.hpp"
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
};

void stats(const MaintenanceArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const Settings settings = cache.settings();
  // Passing the stored choice back leaves statistics as they are.
  const Stats counts = cache.stats(settings.statistics, false);
  Report report(options);
  report.add("directory", cache.directory().string());
  report.add("items", cache.size());
  report.add("volume", cache.volume());
  report.add("hits", counts.hits);
  report.add("misses", counts.misses);
  report.add("size_limit", settings.size_limit);
  report.add("cull_limit", settings.cull_limit);
  report.add("eviction_policy", std::string(to_string(settings.eviction_policy)));
  report.add("statistics", settings.statistics ? 1 : 0);
  report.add("tag_index", settings.tag_index ? 1 : 0);
  report.add("disk_min_file_size", settings.disk_min_file_size);
  report.add("sqlite_auto_vacuum", settings.sqlite_auto_vacuum);
  report.add("sqlite_cache_size", settings.sqlite_cache_size);
  report.add("sqlite_journal_mode", settings.sqlite_journal_mode.value());
  report.add("sqlite_mmap_size", settings.sqlite_mmap_size);
  report.add("sqlite_synchronous", settings.sqlite_synchronous);
  report.add("sqlite_version", Store::sqlite_version());
  report.add("sqlite_wal_reset_race", counts.sqlite_wal_reset_race ? 1 : 0);
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
  add_command(app, options, "stats", "Print item count, volume, hits, misses and settings", stats);
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
