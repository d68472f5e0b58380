// get, set, delete, incr.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "commands.hpp"
#include "exit_status.hpp"
#include "json_format.hpp"
#include "literal.hpp"
#include "text_format.hpp"

namespace diskcache::tool {
namespace {

// Bytes copied at a time between a value file and stdout.
constexpr std::size_t kCopyChunk = 1 << 20;

struct ItemArguments {
  std::string directory;
  std::string key;
  std::optional<std::string> value;
  std::optional<std::string> file;
  std::optional<double> expire;
  std::optional<std::string> tag;
  std::int64_t delta = 1;
  std::int64_t initial = 0;
  bool no_default = false;
  bool create = false;
  bool raw = false;
  bool key_json = false;  // KEY is JSON, as `--json keys` prints it
};

// The stored key the KEY argument denotes.
Cell key_of(const ItemArguments& arguments) {
  return arguments.key_json ? parse_json_key(arguments.key) : parse_key(arguments.key);
}

[[noreturn]] void not_found(const Cell& key, const std::string& directory) {
  throw CommandError(ExitStatus::NotFound, "key " + show(key) + " not found in " + directory);
}

// The value under `key` as its bytes on stdout, nothing added. A value file
// is copied a chunk at a time, never whole in memory.
void get_raw(StoredCache& cache, const Cell& key, const std::string& directory) {
  std::optional<Store::ValueStream> file;
  try {
    file = cache.store().read(key);
  } catch (const Timeout&) {
    throw;
  } catch (const CorruptionError&) {
    throw;
  } catch (const IoError&) {
    throw;
  } catch (const Error&) {
    // What is left: read() refuses a value stored inline (an Error) and a
    // pickle (a SerializationError), and a key no cache holds with a
    // SerializationError too. The stored mode tells them apart; get() reads
    // it, or throws that key's error again. (The failed read counted no
    // hit, so the item's statistics stay right.)
    std::optional<StoredItem> item = cache.store().get(key);
    if (!item) not_found(key, directory);
    if (item->value.mode() == Mode::Pickle) {
      throw CommandError(
          ExitStatus::Unreadable,
          "the value of key " + show(key) + " in " + directory +
              " is a Python pickle, which --raw cannot write (the command never decodes it)");
    }
    if (item->value.mode() != Mode::Raw) throw;  // replaced by a value file meanwhile
    write_raw(raw_bytes(item->value.to_value()));
    return;
  }
  if (!file) not_found(key, directory);
  std::vector<char> chunk(kCopyChunk);
  while (file->stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) ||
         file->stream.gcount() > 0) {
    write_raw(std::string_view(chunk.data(), static_cast<std::size_t>(file->stream.gcount())));
  }
  if (file->stream.bad()) {
    throw CommandError(ExitStatus::IoError, "cannot read the value of key " + show(key) + " in " +
                                                directory + ": the value file failed midway");
  }
}

void get(const ItemArguments& arguments, const GlobalOptions& options) {
  refuse_raw_with_json("get", arguments.raw, options);
  StoredCache cache = open_cache(arguments.directory, options);
  const Cell key = key_of(arguments);
  if (arguments.raw) {
    get_raw(cache, key, arguments.directory);
    return;
  }
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
  if (arguments.value.has_value() == arguments.file.has_value()) {
    throw CommandError(ExitStatus::Usage, arguments.value
                                              ? "set: give VALUE or --file PATH, not both"
                                              : "set needs VALUE or --file PATH");
  }
  SetOptions set_options;
  if (arguments.expire) {
    if (std::isnan(*arguments.expire)) {
      throw CommandError(ExitStatus::Usage, "--expire nan: the expiry must be a number of seconds");
    }
    set_options.expire = std::chrono::duration<double>(*arguments.expire);
  }
  if (arguments.tag) set_options.tag = parse_literal(*arguments.tag);
  const Cell key = key_of(arguments);
  if (arguments.value) {
    const Cell value = to_cell(parse_literal(*arguments.value));
    open_cache(arguments.directory, options, if_missing(arguments.create))
        .set(key, value, set_options);
    return;
  }
  // Opened before the cache, so a mistyped path creates nothing.
  std::ifstream file;
  std::istream* in = &std::cin;
  if (*arguments.file != "-") {
    std::error_code error;
    if (std::filesystem::is_directory(*arguments.file, error)) {
      throw CommandError(ExitStatus::IoError,
                         "--file " + *arguments.file + " is a directory; give the file to store");
    }
    file.open(*arguments.file, std::ios::binary);
    if (!file) {
      throw CommandError(ExitStatus::IoError, "cannot open " + *arguments.file +
                                                  " for reading: " + std::strerror(errno));
    }
    in = &file;
  }
  StoredCache cache = open_cache(arguments.directory, options, if_missing(arguments.create));
  cache.store().set_stream(key, *in, set_options);
}

void erase(const ItemArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  const Cell key = key_of(arguments);
  if (!cache.erase(key)) not_found(key, arguments.directory);
}

void incr(const ItemArguments& arguments, const GlobalOptions& options) {
  const Cell key = key_of(arguments);
  StoredCache cache = open_cache(arguments.directory, options, if_missing(arguments.create));
  std::optional<std::int64_t> initial;
  if (!arguments.no_default) initial = arguments.initial;
  try {
    print_line(std::to_string(cache.incr(key, arguments.delta, initial)));
  } catch (const KeyError&) {
    not_found(key, arguments.directory);
  }
}

// Adds subcommand `name` taking DIRECTORY and KEY, and --key-json.
std::pair<CLI::App*, std::shared_ptr<ItemArguments>> add_keyed(
    CLI::App& app, const GlobalOptions& options, const char* name, const char* help,
    void (*body)(const ItemArguments&, const GlobalOptions&)) {
  auto added = add_command(app, options, name, help, body);
  added.first
      ->add_option("KEY", added.second->key,
                   "The key, as `keys` prints it: 42, 'text', b'..', encoded(..)")
      ->required();
  added.first->add_flag("--key-json", added.second->key_json,
                        "KEY is JSON, as `--json keys` prints it: \"text\", 42, "
                        "{\"bytes\": \"AAE=\"}, {\"encoded\": ..}");
  return added;
}

}  // namespace

void add_item_commands(CLI::App& app, const GlobalOptions& options) {
  auto [get_command, get_arguments] =
      add_keyed(app, options, "get", "Print the value stored under KEY", get);
  add_raw(*get_command, get_arguments->raw);

  auto [set_command, set_arguments] =
      add_keyed(app, options, "set", "Store VALUE (or the bytes of --file PATH) under KEY", set);
  set_command->add_option("VALUE", set_arguments->value, "The value (None, 42, 2.5, text, b'..')");
  set_command
      ->add_option("--file", set_arguments->file,
                   "Store the bytes of this file (- for stdin), streamed, as bytes")
      ->type_name("PATH");
  set_command->add_option("--expire", set_arguments->expire, "Seconds until the item expires")
      ->type_name("SECONDS");
  set_command->add_option("--tag", set_arguments->tag, "A tag, for `evict --tag`");
  set_command->add_flag("--create", set_arguments->create, "Create the cache if it does not exist");

  add_keyed(app, options, "delete", "Remove KEY", erase);

  auto [incr_command, incr_arguments] =
      add_keyed(app, options, "incr",
                "Add DELTA (default 1) to the integer under KEY; print the result", incr);
  incr_command->add_option("DELTA", incr_arguments->delta, "The amount to add (may be negative)");
  incr_command->add_option("--default", incr_arguments->initial,
                           "The value a missing key starts from (default 0)");
  incr_command->add_flag("--no-default", incr_arguments->no_default,
                         "Fail with status 1 if KEY is missing");
  incr_command->add_flag("--create", incr_arguments->create,
                         "Create the cache if it does not exist");
}

}  // namespace diskcache::tool
