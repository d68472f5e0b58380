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
// deque push, pop, peek, len: a directory used as a Deque.
void add_deque_commands(CLI::App& app, const GlobalOptions& options);

// Adds the DIRECTORY argument every subcommand starts with.
inline void add_directory(CLI::App& command, std::string& directory) {
  command.add_option("DIRECTORY", directory, "The cache directory")->required();
}

// Refuses an option's number below `minimum` (or equal to it, if `strict`),
// and NaN, with a message saying what to give instead: `wanted`, e.g.
// "the number of keys to print, 0 or more". CLI11 prefixes the option.
CLI::Validator number_check(double minimum, bool strict, const std::string& wanted);

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

// Prints `line` and a newline on stdout.
void print_line(const std::string& line);
// Writes `bytes` on stdout as they are. (main reports a failed write.)
void write_raw(std::string_view bytes);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_COMMANDS_HPP_
