// diskcache: look into and manage a cache directory, made by C++ or Python.
// Usage: diskcache [--json] [--timeout S] <command> <directory> [arguments];
// `diskcache --help` lists the commands, docs/cli.md describes them.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/version.hpp"
#include "exit_status.hpp"

namespace diskcache::tool {

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

void write_raw(std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stdout); }

void refuse_raw_with_json(const char* command, bool raw, const GlobalOptions& options) {
  if (raw && options.json) {
    throw CommandError(ExitStatus::Usage,
                       std::string(command) + ": --raw writes the bytes alone; drop --json");
  }
}

CLI::Validator seconds_check(const std::string& wanted) {
  const std::string give = "give " + wanted + ", more than 0 and at most " +
                           std::to_string(static_cast<std::int64_t>(kMaxSeconds)) +
                           " (about 31 years)";
  return CLI::Validator(
      [give](std::string& text) -> std::string {
        char* end = nullptr;
        const double seconds = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || std::isnan(seconds)) {
          return text + " is not a number: " + give;
        }
        // Infinity and more than kMaxSeconds would reach a float-to-integer
        // conversion (to milliseconds, or in sleep_for) no integer can hold.
        if (!(seconds > 0 && seconds <= kMaxSeconds)) return text + " is out of range: " + give;
        return {};
      },
      "");
}

CLI::Validator count_check(const std::string& wanted) {
  const std::string give = "give " + wanted + ", 0 or more";
  return CLI::Validator(
      [give](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long count = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0') {
          std::strtod(text.c_str(), &end);
          const bool number = !text.empty() && *end == '\0';
          return text + (number ? " is not a whole number: " : " is not a number: ") + give;
        }
        if (errno == ERANGE || count < 0) return text + " is out of range: " + give;
        return {};
      },
      "");
}

namespace {

// "diskcache 0.1.0 (SQLite 3.40.1, which has the WAL-reset race)".
std::string version_text() {
  const VersionInfo info = version();
  return "diskcache " + info.library + " (SQLite " + info.sqlite +
         (info.sqlite_wal_reset_race ? ", which has the WAL-reset race; see docs/reliability.md)"
                                     : ")");
}

ExitStatus status_of(const std::exception& error) {
  if (const auto* command = dynamic_cast<const CommandError*>(&error)) return command->status();
  if (dynamic_cast<const KeyError*>(&error)) return ExitStatus::NotFound;
  if (dynamic_cast<const Timeout*>(&error)) return ExitStatus::Timeout;
  if (dynamic_cast<const SerializationError*>(&error)) return ExitStatus::Unreadable;
  if (dynamic_cast<const CorruptionError*>(&error)) return ExitStatus::Corrupt;
  if (dynamic_cast<const IoError*>(&error)) return ExitStatus::IoError;
  return ExitStatus::Failed;
}

// What was wrong with the command line, and what to type instead: the
// commands to choose from, or the usage of the command that was chosen.
// CLI11's own messages name neither ("A subcommand is required").
std::string usage_error(CLI::App& app, const CLI::ParseError& error) {
  CLI::App* command = &app;
  std::string name = app.get_name();
  while (!command->get_subcommands().empty()) {
    command = command->get_subcommands().front();
    name += " " + command->get_name();
  }
  const std::vector<CLI::App*> choices = command->get_subcommands([](CLI::App*) { return true; });
  if (!choices.empty()) {
    const std::vector<std::string> rest = app.remaining(/*recurse=*/true);
    std::string message = rest.empty()        ? "a command is required"
                          : rest[0][0] == '-' ? "unknown option '" + rest[0] + "'"
                                              : "unknown command '" + rest[0] + "'";
    message += "\n  commands:";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      message += (i == 0 ? " " : ", ") + choices[i]->get_name();
    }
    return message + "\n  `" + name + " COMMAND --help` describes a command";
  }
  std::string usage = CLI::Formatter().make_usage(command, name);
  usage.erase(0, usage.find(':') + 2);  // "Usage: "
  if (!usage.empty() && usage.back() == '\n') usage.pop_back();
  return std::string(error.what()) + "\n  usage: " + usage + "\n  `" + name +
         " --help` describes the arguments";
}

int run(int argc, char** argv) {
  CLI::App app("Look into and manage a diskcache directory (made by C++ or Python).", "diskcache");
  // Global options may also follow the subcommand: `diskcache get DIR KEY --json`.
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text, "Print the library's and SQLite's versions");
  GlobalOptions options;
  app.add_flag("--json", options.json, "Print JSON (one document per line) instead of text");
  app.add_option("--timeout", options.timeout, "Seconds to wait for a locked database (default 60)")
      ->type_name("SECONDS")
      ->check(seconds_check("the seconds to wait for a locked database"));
  add_item_commands(app, options);
  add_listing_commands(app, options);
  add_maintenance_commands(app, options);
  add_deque_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help and version requests exit 0; every other parse error is usage.
    if (error.get_exit_code() == 0) return app.exit(error);
    throw CommandError(ExitStatus::Usage, usage_error(app, error));
  }
  return to_int(ExitStatus::Ok);
}

}  // namespace
}  // namespace diskcache::tool

int main(int argc, char** argv) {
  using namespace diskcache::tool;
  int status = 0;
  try {
    status = run(argc, argv);
  } catch (const std::exception& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "diskcache: %s\n", error.what());
    return to_int(status_of(error));
  }
  // Output a full disk swallowed must not pass for success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "diskcache: cannot write to standard output: %s\n", std::strerror(errno));
    return to_int(ExitStatus::IoError);
  }
  return status;
}
