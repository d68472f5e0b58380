// keys, dump, load: many items, a page at a time (Cache iteration), never
// the whole cache in memory.

#include <fstream>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "exit_status.hpp"
#include "json_format.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "text_format.hpp"

namespace diskcache::tool {
namespace {

// Items load() stores per transaction: few commits, short write locks.
constexpr std::int64_t kLoadBatch = 1000;

struct ListingArguments {
  std::string directory;
  std::optional<std::int64_t> limit;
  std::optional<std::string> prefix;
  std::string input = "-";
  bool create = false;
};

bool has_prefix(const Cell& key, const std::optional<std::string>& prefix) {
  if (!prefix) return true;
  return key.raw() && key.kind() == Cell::Kind::Text && key.bytes().starts_with(*prefix);
}

void keys(const ListingArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  std::int64_t shown = 0;
  for (const Cell& key : cache.keys()) {
    if (arguments.limit && shown == *arguments.limit) break;
    if (!has_prefix(key, arguments.prefix)) continue;
    if (options.json) {
      JsonLine line;
      write_cell(line.writer(), key);
      print_line(line.str());
    } else {
      print_line(show(key));
    }
    ++shown;
  }
}

void dump(const ListingArguments& arguments, const GlobalOptions& options) {
  StoredCache cache = open_cache(arguments.directory, options);
  std::int64_t pickles = 0;
  std::int64_t not_utf8 = 0;
  {
    Progress progress("dump", cache.size());
    Store::Cursor cursor = cache.store().scan(ScanOptions{});
    while (cursor.next()) {
      progress.advance();
      const StoredItem& item = cursor.item();
      if (item.value.mode() == Mode::Pickle) {
        ++pickles;
        continue;
      }
      JsonLine line;
      JsonWriter& writer = line.writer();
      try {
        writer.StartObject();
        writer.Key("key");
        write_cell(writer, cursor.key());
        writer.Key("value");
        write_cell(writer, item.value, item.size);
        write_metadata(writer, item);
        writer.EndObject();
      } catch (const CommandError&) {
        ++not_utf8;
        continue;
      }
      print_line(line.str());
    }
  }
  if (pickles + not_utf8 > 0) {
    std::string message = "skipped";
    if (pickles > 0) message += " " + std::to_string(pickles) + " Python-pickled values";
    if (pickles > 0 && not_utf8 > 0) message += " and";
    if (not_utf8 > 0) message += " " + std::to_string(not_utf8) + " items of text not in UTF-8";
    throw CommandError(ExitStatus::Unreadable, message + " (JSON lines cannot hold them)");
  }
}

// One line of a dump as the set() it stands for.
struct LoadItem {
  Cell key;
  Cell value;
  SetOptions options;
  bool expired = false;
};

LoadItem parse_item(const std::string& text, const std::string& where) {
  rapidjson::Document line;
  parse_json(line, text, where);
  if (!line.IsObject() || !line.HasMember("key") || !line.HasMember("value")) {
    throw CommandError(ExitStatus::Usage,
                       where + ": expected an object with \"key\" and \"value\"");
  }
  LoadItem item{
      read_cell(line["key"], where + ": key"), read_cell(line["value"], where + ": value"), {}};
  if (item.key.is_null()) throw CommandError(ExitStatus::Usage, where + ": a key cannot be null");
  if (line.HasMember("expire_time") && !line["expire_time"].IsNull()) {
    if (!line["expire_time"].IsNumber()) {
      throw CommandError(ExitStatus::Usage, where + ": expire_time must be a number or null");
    }
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const double left = line["expire_time"].GetDouble() - now;
    item.expired = left <= 0;
    item.options.expire = std::chrono::duration<double>(left);
  }
  if (line.HasMember("tag") && !line["tag"].IsNull()) {
    item.options.tag = read_value(line["tag"], where + ": tag");
  }
  return item;
}

void load(const ListingArguments& arguments, const GlobalOptions& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::int64_t total_bytes = 0;
  if (arguments.input != "-") {
    file.open(arguments.input, std::ios::binary);
    if (!file) {
      throw CommandError(ExitStatus::IoError, "cannot open " + arguments.input + " for reading");
    }
    in = &file;
    std::error_code error;
    total_bytes = static_cast<std::int64_t>(std::filesystem::file_size(arguments.input, error));
  }
  StoredCache cache = open_cache(arguments.directory, options, if_missing(arguments.create));
  std::int64_t loaded = 0;
  std::int64_t expired = 0;
  std::int64_t number = 0;
  std::optional<CommandError> bad_line;
  {
    Progress progress("load", total_bytes);
    std::string text;
    bool more = true;
    while (more && !bad_line) {
      // A bad line ends the batch normally, so every line before it is stored.
      auto transaction = cache.transact();
      for (std::int64_t in_batch = 0; in_batch < kLoadBatch;) {
        if (!std::getline(*in, text)) {
          more = false;
          break;
        }
        ++number;
        progress.advance(static_cast<std::int64_t>(text.size()) + 1);
        if (text.empty()) continue;
        const std::string where = arguments.input + " line " + std::to_string(number);
        try {
          LoadItem item = parse_item(text, where);
          if (item.expired) {
            ++expired;
            continue;
          }
          cache.set(item.key, item.value, item.options);
        } catch (const CommandError& error) {
          bad_line = error;
          break;
        } catch (const SerializationError& error) {
          // The library refuses what it cannot store as given (NaN, text
          // that is not UTF-8): the line is bad input.
          bad_line = CommandError(ExitStatus::Usage, where + ": " + error.what());
          break;
        }
        ++loaded;
        ++in_batch;
      }
    }
  }
  {
    Report report(options);
    report.add("loaded", loaded);
    report.add("expired", expired);
  }
  if (bad_line) throw *bad_line;
}

}  // namespace

void add_listing_commands(CLI::App& app, const GlobalOptions& options) {
  auto [keys_command, keys_arguments] =
      add_command(app, options, "keys", "Print the keys in insertion order", keys);
  keys_command->add_option("--limit", keys_arguments->limit, "Print at most N keys")
      ->type_name("N")
      ->check(count_check("the number of keys to print"));
  keys_command->add_option("--prefix", keys_arguments->prefix, "Only str keys that start with P");

  add_command(app, options, "dump",
              "Print every item as a JSON line (key, value, expire_time, tag)", dump);

  auto [load_command, load_arguments] =
      add_command(app, options, "load", "Store the items of JSON lines written by dump", load);
  load_command->add_option("FILE", load_arguments->input, "The file to read (default -: stdin)");
  load_command->add_flag("--create", load_arguments->create,
                         "Create the cache if it does not exist");
}

}  // namespace diskcache::tool
