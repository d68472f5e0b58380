// The subcommands, in groups of one file each. Each add_* function adds its
// group to `app`; a subcommand's callback does the work, prints the result
// on stdout (JSON with --json) and reports failure by throwing (main turns
// exceptions into exit statuses, see exit_status.hpp).
#ifndef DISKCACHE_TOOLS_COMMANDS_HPP_
#define DISKCACHE_TOOLS_COMMANDS_HPP_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "stored_cache.hpp"

namespace diskcache::tool {

// get, set, delete, incr: one item by its key.
void add_item_commands(CLI::App& app, const GlobalOptions& options);
// stats, watch, expire, evict, cull, clear, check, vacuum: the whole directory.
void add_maintenance_commands(CLI::App& app, const GlobalOptions& options);
// keys, dump, load: many items, in insertion order.
void add_listing_commands(CLI::App& app, const GlobalOptions& options);
// deque push, pop, peek, len, dead-letter: a directory used as a Deque.
void add_deque_commands(CLI::App& app, const GlobalOptions& options);

// Adds the DIRECTORY argument every subcommand starts with.
inline void add_directory(CLI::App& command, std::string& directory) {
  command.add_option("DIRECTORY", directory, "The cache directory")->required();
}

// The most seconds an option takes (--timeout, watch --interval): about 31
// years, which a count of milliseconds, and sleep_for's nanoseconds, hold.
inline constexpr double kMaxSeconds = 1e9;

// Checks of an option's text, each refusing it with a message that says
// what to give instead: `wanted` (e.g. "the number of keys to print") and
// the range. CLI11 prefixes the option.
// seconds_check: a number more than 0 and at most kMaxSeconds (neither NaN
// nor infinity).
CLI::Validator seconds_check(const std::string& wanted);
// count_check: a whole number, 0 or more, that an int64 holds.
CLI::Validator count_check(const std::string& wanted);

// Adds subcommand `name` (with its DIRECTORY argument) whose callback runs
// body(arguments, options); the Arguments live as long as the app, so
// options added to the returned command can bind to their members.
template <class Arguments>
std::pair<CLI::App*, std::shared_ptr<Arguments>> add_command(
    CLI::App& app, const GlobalOptions& options, const char* name, const char* help,
    void (*body)(const Arguments&, const GlobalOptions&)) {
  auto arguments = std::make_shared<Arguments>();
  CLI::App* command = app.add_subcommand(name, help);
  add_directory(*command, arguments->directory);
  command->callback([arguments, &options, body] { body(*arguments, options); });
  return {command, arguments};
}

// Adds --raw (`raw`) to a command that prints one value: get, deque pop
// and peek.
inline void add_raw(CLI::App& command, bool& raw) {
  command.add_flag("--raw", raw,
                   "Write the value's bytes alone (text as UTF-8), no quotes or newline");
}

// Throws CommandError(Usage) if `command` was given both --raw and --json.
void refuse_raw_with_json(const char* command, bool raw, const GlobalOptions& options);

// Prints `line` and a newline on stdout.
void print_line(const std::string& line);
// Writes `bytes` on stdout as they are. (main reports a failed write.)
void write_raw(std::string_view bytes);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_COMMANDS_HPP_
