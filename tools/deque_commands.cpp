// deque push, pop, peek, len: a directory used as Python's Deque (or
// diskcache::Deque), items decoded as Values: Python's plain data (tuples,
// dicts, ...) is read; a pickled object is refused and stays in the queue.
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
};

// A new directory becomes a Deque as Python makes one (eviction policy
// "none"); an existing one is used without changing its settings.
Deque<Value> open_deque(const DequeArguments& arguments, const GlobalOptions& options) {
  const std::filesystem::path directory = arguments.directory;
  if (arguments.create && !std::filesystem::exists(directory / "cache.db")) {
    return Deque<Value>(directory, std::nullopt, open_settings(options));
  }
  StoredCache cache = open_cache(directory, options);
  return Deque<Value>::from_cache(cache);
}

void print_item(const std::optional<Value>& item, const DequeArguments& arguments,
                const GlobalOptions& options) {
  if (!item) {
    throw CommandError(ExitStatus::NotFound, "deque " + arguments.directory + " is empty");
  }
  if (!options.json) {
    print_line(repr(*item));
    return;
  }
  JsonLine line;
  write_value(line.writer(), *item);
  print_line(line.str());
}

void push(const DequeArguments& arguments, const GlobalOptions& options) {
  Deque<Value> deque = open_deque(arguments, options);
  const Value value = parse_literal(arguments.value);
  if (arguments.front) {
    deque.push_front(value);
  } else {
    deque.push_back(value);
  }
}

// A pickled object has no form the command could print and push back, so
// popping it would lose it: it stays where it is. (Another process may pop
// between the peek and the pop; then this pops the next item.)
void refuse_object(const std::optional<Value>& item, const DequeArguments& arguments) {
  if (!item || item->kind() != Value::Kind::Object) return;
  throw CommandError(ExitStatus::Unreadable,
                     "the item at the " + std::string(arguments.back ? "back" : "front") +
                         " of deque " + arguments.directory + " is a pickled " +
                         item->get_if<PickledObject>()->class_name() +
                         ", which C++ cannot read; it stays in the deque");
}

void pop(const DequeArguments& arguments, const GlobalOptions& options) {
  Deque<Value> deque = open_deque(arguments, options);
  refuse_object(arguments.back ? deque.peek_back() : deque.peek_front(), arguments);
  print_item(arguments.back ? deque.pop_back() : deque.pop_front(), arguments, options);
}

void peek(const DequeArguments& arguments, const GlobalOptions& options) {
  Deque<Value> deque = open_deque(arguments, options);
  print_item(arguments.back ? deque.peek_back() : deque.peek_front(), arguments, options);
}

void length(const DequeArguments& arguments, const GlobalOptions& options) {
  print_line(std::to_string(open_deque(arguments, options).size()));
}

}  // namespace

void add_deque_commands(CLI::App& app, const GlobalOptions& options) {
  CLI::App* deque = app.add_subcommand("deque", "Use a directory as a double-ended queue");
  deque->require_subcommand(1);

  auto [push_command, push_arguments] =
      add_command(*deque, options, "push", "Add VALUE at the back (or --front)", push);
  push_command->add_option("value", push_arguments->value, "The value (None, 42, 2.5, text, b'..')")
      ->required();
  push_command->add_flag("--front", push_arguments->front, "Add at the front");
  push_command->add_flag("--create", push_arguments->create,
                         "Create the deque if it does not exist");

  auto [pop_command, pop_arguments] =
      add_command(*deque, options, "pop",
                  "Remove and print the front item (or --back); status 1 if empty", pop);
  pop_command->add_flag("--back", pop_arguments->back, "Take from the back");

  auto [peek_command, peek_arguments] = add_command(
      *deque, options, "peek", "Print the front item (or --back); status 1 if empty", peek);
  peek_command->add_flag("--back", peek_arguments->back, "Look at the back");

  add_command(*deque, options, "len", "Print the number of items", length);
}

}  // namespace diskcache::tool
