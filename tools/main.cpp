// diskcache: look into and manage a cache directory, made by C++ or Python.
// Usage: diskcache [--json] [--timeout S] <command> <directory> [arguments];
// `diskcache --help` lists the commands, docs/cli.md describes them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/version.hpp"
#include "exit_status.hpp"

namespace diskcache::tool {

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
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

int run(int argc, char** argv) {
  CLI::App app("Look into and manage a diskcache directory (made by C++ or Python).", "diskcache");
  // Global options may also follow the subcommand: `diskcache get DIR KEY --json`.
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text, "Print the library's and SQLite's versions");
  GlobalOptions options;
  app.add_flag("--json", options.json, "Print JSON (one document per line) instead of text");
  app.add_option("--timeout", options.timeout, "Seconds to wait for a locked database (default 60)")
      ->check(CLI::PositiveNumber);
  add_item_commands(app, options);
  add_listing_commands(app, options);
  add_maintenance_commands(app, options);
  add_deque_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help and version requests exit 0; every other parse error is usage.
    return app.exit(error) == 0 ? 0 : to_int(ExitStatus::Usage);
  }
  return to_int(ExitStatus::Ok);
}

}  // namespace
}  // namespace diskcache::tool

int main(int argc, char** argv) {
  using namespace diskcache::tool;
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "diskcache: %s\n", error.what());
    return to_int(status_of(error));
  }
}
