// get, set, delete, incr.
#include <cmath>
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "exit_status.hpp"
#include "json_format.hpp"
#include "literal.hpp"
#include "text_format.hpp"

namespace diskcache::tool {
namespace {

struct ItemArguments {
  std::string directory;
  std::string key;
  std::string value;
  std::optional<double> expire;
  std::optional<std::string> tag;
  std::int64_t delta = 1;
  std::int64_t initial = 0;
  bool no_default = false;
  bool create = false;
};

[[noreturn]] void not_found(const Cell& key, const std::string& directory) {
  throw CommandError(ExitStatus::NotFound, "key " + show(key) + " not found in " + directory);
}

void get(const ItemArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const Cell key = to_cell(parse_key(arguments.key));
  std::optional<StoredItem> item = cache.store().get(key);
  if (!item) not_found(key, arguments.directory);
  if (!options.json) {
    print_line(show(item->value, item->size));
    return;
  }
  JsonLine line;
  JsonWriter& writer = line.writer();
  writer.StartObject();
  writer.Key("key");
  write_cell(writer, key);
  writer.Key("value");
  write_cell(writer, item->value, item->size);
  writer.Key("size");
  writer.Int64(item->size);
  write_metadata(writer, *item);
  writer.EndObject();
  print_line(line.str());
}

void set(const ItemArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options, arguments.create);
  SetOptions set_options;
  if (arguments.expire) {
    if (std::isnan(*arguments.expire)) {
      throw CommandError(ExitStatus::Usage, "--expire nan: the expiry must be a number of seconds");
    }
    set_options.expire = std::chrono::duration<double>(*arguments.expire);
  }
  if (arguments.tag) set_options.tag = parse_literal(*arguments.tag);
  cache.set(to_cell(parse_key(arguments.key)), to_cell(parse_literal(arguments.value)),
            set_options);
}

void erase(const ItemArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const Cell key = to_cell(parse_key(arguments.key));
  if (!cache.erase(key)) not_found(key, arguments.directory);
}

void incr(const ItemArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options, arguments.create);
  const Cell key = to_cell(parse_key(arguments.key));
  std::optional<std::int64_t> initial;
  if (!arguments.no_default) initial = arguments.initial;
  try {
    print_line(std::to_string(cache.incr(key, arguments.delta, initial)));
  } catch (const KeyError&) {
    not_found(key, arguments.directory);
  }
}

// Adds subcommand `name` taking DIRECTORY and KEY.
std::pair<CLI::App*, std::shared_ptr<ItemArguments>> add_keyed(
    CLI::App& app, const GlobalOptions& options, const char* name, const char* help,
    void (*body)(const ItemArguments&, const GlobalOptions&)) {
  auto added = add_command(app, options, name, help, body);
  added.first->add_option("key", added.second->key, "The key, written as `keys` prints it")
      ->required();
  return added;
}

}  // namespace

void add_item_commands(CLI::App& app, const GlobalOptions& options) {
  add_keyed(app, options, "get", "Print the value stored under KEY", get);

  auto [set_command, set_arguments] = add_keyed(app, options, "set", "Store VALUE under KEY", set);
  set_command->add_option("value", set_arguments->value, "The value (None, 42, 2.5, text, b'..')")
      ->required();
  set_command->add_option("--expire", set_arguments->expire, "Seconds until the item expires");
  set_command->add_option("--tag", set_arguments->tag, "A tag, for `evict --tag`");
  set_command->add_flag("--create", set_arguments->create, "Create the cache if it does not exist");

  add_keyed(app, options, "delete", "Remove KEY", erase);

  auto [incr_command, incr_arguments] =
      add_keyed(app, options, "incr",
                "Add DELTA (default 1) to the integer under KEY; print the result", incr);
  incr_command->add_option("delta", incr_arguments->delta, "The amount to add (may be negative)");
  incr_command->add_option("--default", incr_arguments->initial,
                           "The value a missing key starts from (default 0)");
  incr_command->add_flag("--no-default", incr_arguments->no_default,
                         "Fail with status 1 if KEY is missing");
  incr_command->add_flag("--create", incr_arguments->create,
                         "Create the cache if it does not exist");
}

}  // namespace diskcache::tool
