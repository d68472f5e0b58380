// deque push, pop, peek, len, dead-letter: a directory used as Python's
// Deque (or diskcache::Deque), items decoded as Values: Python's plain data
// (tuples, dicts, ...) is read; a pickled object, which the command could
// neither print nor push back, goes to the queue's dead letters instead of
// blocking its head. --dead-letters works on those.
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "diskcache/deque.hpp"
#include "exit_status.hpp"
#include "json_format.hpp"
#include "literal.hpp"
#include "text_format.hpp"

namespace diskcache::tool {
namespace {

struct DequeArguments {
  std::string directory;
  std::string value;
  bool front = false;  // push: to the front
  bool back = false;   // pop, peek: from the back
  bool create = false;
  bool force = false;         // use a directory that holds more than a queue
  bool raw = false;           // pop, peek: the item's bytes alone
  bool dead_letters = false;  // use the deque's dead letters instead
  bool leased = false;        // len: count the items out on a lease
};

// The directory the command works on: the deque's, or its dead letters'.
std::filesystem::path queue_directory(const DequeArguments& arguments) {
  return arguments.dead_letters ? dead_letter_directory(arguments.directory)
                                : std::filesystem::path(arguments.directory);
}

const char* end_name(const DequeArguments& arguments) { return arguments.back ? "back" : "front"; }
Side end_of(const DequeArguments& arguments) { return arguments.back ? Side::Back : Side::Front; }

[[noreturn]] void empty(const DequeArguments& arguments) {
  throw CommandError(ExitStatus::NotFound, "deque " + arguments.directory + " is empty");
}

// A queue's ends are its smallest and largest integer keys, so on a cache
// whose keys include other integers (ids, counts) the deque commands would
// take those for queue items: pop would delete them. Unless --force, the
// commands refuse a directory that holds anything but a queue.
void require_queue(StoredCache& cache, const DequeArguments& arguments) {
  if (arguments.force) return;
  const std::optional<Cell> stranger = key_outside_queue(cache);
  if (!stranger) return;
  std::string message = arguments.directory + " is not a deque: it holds the key " +
                        show(*stranger) + ", which no deque push makes";
  if (std::optional<Cell> front = cache.store().queue_key_at(std::nullopt, 0, Side::Front)) {
    message += "; deque pop would remove the item under " + show(*front) + " as the queue's front";
  }
  throw CommandError(ExitStatus::NotACache,
                     message + ". Use get and delete on a cache, or --force to use it as a queue");
}

// A new directory becomes a Deque as Python makes one (eviction policy
// "none"); an existing one is used without changing its settings.
Deque<Value> open_deque(const DequeArguments& arguments, const GlobalOptions& options,
                        IfMissing missing = IfMissing::Fail) {
  const std::filesystem::path directory = queue_directory(arguments);
  if (arguments.dead_letters && !std::filesystem::exists(directory)) {
    check_cache_path(arguments.directory, IfMissing::Fail);  // no deque at all is said so
    throw CommandError(
        ExitStatus::NotFound,
        "deque " + arguments.directory + " has no dead letters (no " + directory.string() + ")");
  }
  if (!check_cache_path(directory, missing)) {
    return Deque<Value>(directory, std::nullopt, open_settings(options));
  }
  StoredCache cache = open_found_cache(directory, options);
  require_queue(cache, arguments);
  return Deque<Value>::from_cache(cache);
}

void print_item(const std::optional<Value>& item, const DequeArguments& arguments,
                const GlobalOptions& options) {
  if (!item) empty(arguments);
  if (arguments.raw) {
    write_raw(raw_bytes(*item));
  } else if (!options.json) {
    print_line(repr(*item));
  } else {
    JsonLine line;
    write_value(line.writer(), *item);
    print_line(line.str());
  }
}

void push(const DequeArguments& arguments, const GlobalOptions& options) {
  const Value value = parse_literal(arguments.value);
  Deque<Value> deque = open_deque(arguments, options, if_missing(arguments.create));
  if (arguments.front) {
    deque.push_front(value);
  } else {
    deque.push_back(value);
  }
}

void say_moved(Deque<Value>& deque, const std::string& item, const char* why) {
  std::fprintf(stderr, "diskcache: moved %s to the dead letters in %s%s\n", item.c_str(),
               deque.dead_letter_directory().c_str(), why);
}

// Thrown from inside a pull to roll it back: the item it met is a pickled
// object, which pop sets aside.
struct ObjectMet {};

// Removes and returns the item at the command's end, nullopt if the deque
// is empty. A pickled object has no form the command could print and push
// back, so popping it would lose it: in a queue it goes to the dead
// letters, as poison does for a typed C++ consumer, and pop takes the next
// item; among the dead letters it stays where it is. Each item is read
// once, decoded inside the pull that removes it, which an object rolls back.
std::optional<Value> pop_item(Deque<Value>& deque, const DequeArguments& arguments) {
  Store& store = deque.store();
  store.reclaim_leases(std::nullopt, /*retry=*/true);
  while (true) {
    std::optional<Value> value;
    std::optional<Cell> object_key;
    try {
      store.pull(std::nullopt, end_of(arguments), /*retry=*/true,
                 [&](const Cell& key, const StoredItem& item) {
                   value = disk::Auto::decode<Value>(item.value);
                   if (value->kind() != Value::Kind::Object) return;
                   if (arguments.dead_letters) {
                     throw CommandError(ExitStatus::Unreadable,
                                        "the dead letter at the " +
                                            std::string(end_name(arguments)) + " of " +
                                            queue_directory(arguments).string() + " is a pickled " +
                                            value->get_if<PickledObject>()->class_name() +
                                            ", which C++ cannot read; it stays there");
                   }
                   object_key = key.to_owning();
                   throw ObjectMet{};
                 });
    } catch (const ObjectMet&) {
      // Unless another consumer took it meanwhile.
      if (store.dead_letter(std::nullopt, *object_key, /*retry=*/true)) {
        say_moved(deque, repr(*value), " (a pickled object C++ cannot read)");
      }
      continue;
    }
    return value;
  }
}

void pop(const DequeArguments& arguments, const GlobalOptions& options) {
  refuse_raw_with_json("deque pop", arguments.raw, options);
  Deque<Value> deque = open_deque(arguments, options);
  print_item(pop_item(deque, arguments), arguments, options);
}

// What `deque dead-letter` moved: the back of the dead letters. A value no
// Value holds (a damaged pickle) is named by its key there instead.
std::string moved_item(Deque<Value>& deque) {
  std::optional<std::pair<Cell, StoredItem>> moved =
      deque.store().dead_letters().peek(std::nullopt, Side::Back, /*retry=*/true);
  if (!moved) return "the item";  // already taken from the dead letters
  try {
    return repr(disk::Auto::decode<Value>(moved->second.value));
  } catch (const SerializationError& error) {
    return "the item now under " + show(moved->first) + " (" + error.what() + ")";
  }
}

// Moves the front (back) item to the dead letters by hand, whatever it is.
void dead_letter(const DequeArguments& arguments, const GlobalOptions& options) {
  Deque<Value> deque = open_deque(arguments, options);
  if (arguments.back ? deque.dead_letter_back() : deque.dead_letter_front()) {
    say_moved(deque, moved_item(deque), "");
    return;
  }
  // Empty, or another consumer took the item between finding and moving it.
  if (deque.empty()) empty(arguments);
  throw CommandError(ExitStatus::NotFound,
                     "the item at the " + std::string(end_name(arguments)) + " of deque " +
                         arguments.directory +
                         " was taken by another consumer meanwhile; nothing was moved");
}

void peek(const DequeArguments& arguments, const GlobalOptions& options) {
  refuse_raw_with_json("deque peek", arguments.raw, options);
  Deque<Value> deque = open_deque(arguments, options);
  print_item(arguments.back ? deque.peek_back() : deque.peek_front(), arguments, options);
}

void length(const DequeArguments& arguments, const GlobalOptions& options) {
  Deque<Value> deque = open_deque(arguments, options);
  print_line(std::to_string(arguments.leased ? deque.leased_count() : deque.size()));
}

void add_force(CLI::App& command, DequeArguments& arguments) {
  command.add_flag("--force", arguments.force,
                   "Use the directory even if it holds keys other than a queue's");
}

void add_dead_letters(CLI::App& command, DequeArguments& arguments) {
  command.add_flag("--dead-letters", arguments.dead_letters,
                   "Work on the deque's dead letters (DIRECTORY/cache.db-dead-letters)");
}

}  // namespace

void add_deque_commands(CLI::App& app, const GlobalOptions& options) {
  CLI::App* deque = app.add_subcommand("deque", "Use a directory as a double-ended queue");
  deque->require_subcommand(1);

  auto [push_command, push_arguments] =
      add_command(*deque, options, "push", "Add VALUE at the back (or --front)", push);
  push_command->add_option("VALUE", push_arguments->value, "The value (None, 42, 2.5, text, b'..')")
      ->required();
  push_command->add_flag("--front", push_arguments->front, "Add at the front");
  push_command->add_flag("--create", push_arguments->create,
                         "Create the deque if it does not exist");
  add_force(*push_command, *push_arguments);

  auto [pop_command, pop_arguments] =
      add_command(*deque, options, "pop",
                  "Remove and print the front item (or --back); status 1 if empty", pop);
  pop_command->add_flag("--back", pop_arguments->back, "Take from the back");
  add_raw(*pop_command, pop_arguments->raw);
  add_force(*pop_command, *pop_arguments);
  add_dead_letters(*pop_command, *pop_arguments);

  auto [peek_command, peek_arguments] = add_command(
      *deque, options, "peek", "Print the front item (or --back); status 1 if empty", peek);
  peek_command->add_flag("--back", peek_arguments->back, "Look at the back");
  add_raw(*peek_command, peek_arguments->raw);
  add_force(*peek_command, *peek_arguments);
  add_dead_letters(*peek_command, *peek_arguments);

  auto [len_command, len_arguments] = add_command(
      *deque, options, "len", "Print the number of items waiting (leased ones apart)", length);
  len_command->add_flag("--leased", len_arguments->leased,
                        "Print the number of items out on a lease instead");
  add_force(*len_command, *len_arguments);
  add_dead_letters(*len_command, *len_arguments);

  auto [dead_command, dead_arguments] = add_command(
      *deque, options, "dead-letter",
      "Move the front item (or --back) to the dead letters; status 1 if empty", dead_letter);
  dead_command->add_flag("--back", dead_arguments->back, "Move the back item");
  add_force(*dead_command, *dead_arguments);
}

}  // namespace diskcache::tool
