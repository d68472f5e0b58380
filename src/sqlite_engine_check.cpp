// The SQLite engine's Store::check, in phases run in this order (one function each): the
// database file, rows and their modes, value files against rows, orphan
// files and directories, and the counters of the Settings table. As core.py
// Cache.check, with two differences: a row whose file is damaged is removed
// (not re-sized) by fix, and unknown files are removed only once older than
// kOrphanAge (or the busy timeout, if longer), since a younger one may be a
// value another writer has written and not yet committed.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <memory>
#include <set>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "sqlite_engine.hpp"
#include "sqlite_rows.hpp"
#include "transaction.hpp"

namespace diskcache::detail {

namespace {

// A writer stages its value file before it waits for the write lock, for up
// to its own timeout, which may be longer than ours (or unbounded, with
// retry). Our writers confirm their file under the lock and fail loudly if
// it went (ValueFiles::confirm_staged); Python's cannot, so this bound keeps
// every writer waiting less than it (Python's default timeout is 60 s) safe.
constexpr std::chrono::minutes kOrphanAge{10};

// Whether `path` (below `directory`) is left alone: Python's check skips
// every path containing "cache.db", so do we. That covers the database and
// its companions, and cache.db-dead-letters/, the dead letters' own cache
// directory, whose value files no row here names: the walk passes over it
// without descending (everything below contains "cache.db" too).
// REQUIRES: `path` is `directory` / something, as the walk makes them.
bool is_database_path(const std::filesystem::path& path, const std::filesystem::path& directory) {
  return path.native().find("cache.db", directory.native().size()) != std::string::npos;
}

// The directory walks below use opendir and readdir, not std::filesystem's
// directory iterators: libstdc++ 12's call std::terminate when memory runs
// out while they iterate, whichever overload is used.
struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// Calls `visit(path, is_directory)` for every entry below `root` except
// those `skip(path)` is true for, and what lies below those: the walk does
// not descend into them. Symbolic links are not followed (a link is
// reported as a file). A directory removed meanwhile is skipped; any other
// failure throws IoError, since a walk cut short would judge emptiness, and
// report, on half a tree.
template <class Skip, class Visit>
void walk(const std::filesystem::path& root, Skip&& skip, Visit&& visit) {
  std::vector<std::filesystem::path> pending{root};
  while (!pending.empty()) {
    const std::filesystem::path directory = std::move(pending.back());
    pending.pop_back();
    DirHandle handle(::opendir(directory.c_str()));
    if (!handle) {
      if (errno == ENOENT) continue;
      throw_errno(errno, "check cannot list the files of " + directory.string(), root);
    }
    while (true) {
      errno = 0;
      const dirent* entry = ::readdir(handle.get());
      if (entry == nullptr) {
        if (errno != 0) {
          throw_errno(errno, "check cannot list the files of " + directory.string(), root);
        }
        break;
      }
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      std::filesystem::path path = directory / name;
      if (skip(path)) continue;
      struct stat info {};
      if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) continue;
        throw_errno(errno, "check cannot examine " + path.string(), root);
      }
      const bool is_directory = S_ISDIR(info.st_mode);
      if (is_directory) pending.push_back(path);
      visit(path, is_directory);
    }
  }
}

// Whether `path` is a directory with no entries (false if it cannot be read).
bool is_empty_directory(const std::filesystem::path& path) {
  DirHandle handle(::opendir(path.c_str()));
  if (!handle) return false;
  while (const dirent* entry = ::readdir(handle.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") return false;
  }
  return true;
}

bool older_than(const std::filesystem::path& path, std::chrono::milliseconds age) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return false;
  const auto modified = std::chrono::system_clock::from_time_t(info.st_mtim.tv_sec);
  return std::chrono::system_clock::now() - modified > age;
}

std::int64_t scalar(Connection& connection, const std::string& sql) {
  auto statement = connection.prepare(sql);
  Query query(*statement, connection.handle(), connection.directory());
  return query.step() ? query.integer(0) : 0;
}

// What the phases of one check share.
struct CheckRun {
  SqliteEngine& engine;
  Connection& connection;
  const bool fix;
  std::vector<std::string> problems;
  // The value files rows name (lexically normal paths): never orphans.
  std::set<std::string> known_files;
};

// Phase 1, the database file: SQLite's integrity check, and a file cut
// short. Returns false when the check must stop here: a database cut short
// is not repaired, since any write would round the file up to whole pages
// and make the loss permanent.
bool check_database(CheckRun& run) {
  {
    auto statement = run.connection.prepare("PRAGMA integrity_check");
    Query query(*statement, run.connection.handle(), run.engine.directory());
    while (query.step()) {
      const std::string message(query.text(0));
      if (message != "ok") run.problems.push_back("integrity check: " + message);
    }
  }
  if (std::optional<std::string> problem = run.engine.database_size_problem()) {
    run.problems.push_back(std::move(*problem));
    if (run.fix) return false;
  }
  return true;
}

// Phase 2, rows and modes: rows whose mode disagrees with where their value
// is (see unreadable_mode). get() throws CorruptionError on them, in Python
// too, so nobody can use them. Reported; with fix deleted, and the value
// file such a row names is unlinked after the commit (and kept out of the
// unknown-file report).
void check_row_modes(CheckRun& run, WriteTransaction& transaction) {
  struct Unreadable {
    std::int64_t rowid;
    std::string filename;
  };
  Connection& connection = run.connection;
  std::vector<Unreadable> rows;
  {
    auto statement = connection.prepare("SELECT rowid, mode, filename FROM Cache");
    Query query(*statement, connection.handle(), connection.directory());
    while (query.step()) {
      const bool has_file = !query.is_null(2);
      const std::string why = unreadable_mode(query.integer(1), has_file);
      if (why.empty()) continue;
      rows.push_back({query.integer(0), has_file ? std::string(query.text(2)) : std::string()});
      run.problems.push_back("row " + std::to_string(rows.back().rowid) +
                             " cannot be read: " + why + (run.fix ? " (removed)" : ""));
    }
  }
  if (!run.fix) return;
  for (const Unreadable& row : rows) {
    connection.query(Sql::DeleteRow).bind(1, row.rowid).run();
    if (ValueFiles::valid_name(row.filename)) {
      run.known_files.insert((connection.directory() / row.filename).lexically_normal().string());
      transaction.remove_after_commit(row.filename);
    }
  }
}

// The size of the value file of row `rowid`, or nullopt if it does not
// exist. Only a file that is absent or damaged may cost its row: one that
// merely cannot be opened (another user's 0600 file, no descriptor left, an
// I/O error) may be intact, so that stops the check with IoError before
// anything is repaired (the transaction rolls back).
std::optional<std::int64_t> value_file_size(SqliteEngine& engine, std::int64_t rowid,
                                            const std::string& filename) {
  try {
    return engine.files().size_of(filename);
  } catch (const IoError& error) {
    throw IoError("check stopped at value file " + (engine.directory() / filename).string() +
                      " of row " + std::to_string(rowid) +
                      ", which it cannot examine, and repaired nothing: " + error.what(),
                  engine.directory(), {}, error.error_code(), error.sqlite_code());
  }
}

// Phase 3, value files against rows: every file a row names exists, is
// intact and has the row's size. With fix, rows that fail are deleted.
void check_value_files(CheckRun& run) {
  Connection& connection = run.connection;
  const std::filesystem::path& directory = run.engine.directory();
  std::vector<std::int64_t> broken_rows;
  {
    auto statement =
        connection.prepare("SELECT rowid, size, filename FROM Cache WHERE filename IS NOT NULL");
    Query query(*statement, connection.handle(), directory);
    while (query.step()) {
      const std::int64_t rowid = query.integer(0);
      const std::int64_t size = query.integer(1);
      const std::string filename(query.text(2));
      if (!ValueFiles::valid_name(filename)) {
        run.problems.push_back("row " + std::to_string(rowid) + " names '" + filename +
                               "', which is not a value-file name");
        broken_rows.push_back(rowid);
        continue;
      }
      run.known_files.insert((directory / filename).lexically_normal().string());
      std::optional<std::int64_t> real_size;
      try {
        real_size = value_file_size(run.engine, rowid, filename);
      } catch (const CorruptionError& damaged) {
        run.problems.push_back(std::string("damaged value file: ") + damaged.what());
        broken_rows.push_back(rowid);
        continue;
      }
      if (!real_size) {
        run.problems.push_back("file not found: " + (directory / filename).string());
        broken_rows.push_back(rowid);
      } else if (*real_size != size) {
        run.problems.push_back("wrong file size: " + (directory / filename).string() + ", " +
                               std::to_string(*real_size) + " != " + std::to_string(size));
        broken_rows.push_back(rowid);
      }
    }
  }
  if (run.fix) {
    for (std::int64_t rowid : broken_rows) {
      connection.query(Sql::DeleteRow).bind(1, rowid).run();
    }
  }
}

// Phase 4, orphans: files no row names, and empty directories. Directories
// are not followed through symlinks; a symlink is reported like any unknown
// file.
void check_orphans(CheckRun& run) {
  const std::filesystem::path& directory = run.engine.directory();
  const std::chrono::milliseconds grace = std::max<std::chrono::milliseconds>(
      kOrphanAge, run.engine.timeout() + std::chrono::seconds(1));
  std::vector<std::filesystem::path> directories;
  const auto skip = [&](const std::filesystem::path& path) {
    return is_database_path(path, directory);
  };
  walk(directory, skip, [&](const std::filesystem::path& found, bool is_directory) {
    const std::filesystem::path path = found.lexically_normal();
    if (is_directory) {
      directories.push_back(path);
      return;
    }
    if (run.known_files.count(path.string())) return;
    if (!run.fix) {
      run.problems.push_back("unknown file: " + path.string());
    } else if (older_than(path, grace)) {
      run.problems.push_back("unknown file: " + path.string());
      ::unlink(path.c_str());
    } else {
      run.problems.push_back("unknown file: " + path.string() +
                             " (kept: too young to tell from a write in progress)");
    }
  });
  // Emptiness is judged after the orphans went, so a directory emptied by
  // removing them goes too; deepest first, so "ab" follows its last "ab/cd".
  std::sort(directories.begin(), directories.end(),
            [](const auto& a, const auto& b) { return a.native().size() > b.native().size(); });
  for (const auto& path : directories) {
    if (!is_empty_directory(path)) continue;
    run.problems.push_back("empty directory: " + path.string());
    if (run.fix) ::rmdir(path.c_str());
  }
}

// A counter row of the Settings table and what it should hold.
struct Counter {
  const char* name;     // the row's key
  const char* actual;   // SQL computing the true value from the Cache table
  const char* counted;  // how a report names that computation
  // Run after the row is corrected (nullptr: nothing): forgets what was
  // learnt from the wrong value.
  void (*after_fix)(Connection& connection);
};

// The counters the Cache table's triggers keep. The hits and misses counts
// have nothing to compare with, so they are not checked.
constexpr std::array<Counter, 2> kCounters = {{
    {"count", "SELECT COUNT(key) FROM Cache", "COUNT(Cache.key)", nullptr},
    // Culling keeps the size it read for the rest of the transaction.
    {"size", "SELECT COALESCE(SUM(size), 0) FROM Cache", "SUM(Cache.size)",
     [](Connection& connection) { connection.cull_state().size_known = false; }},
}};

// Phase 5, counters: each of kCounters against what it counts; with fix,
// corrected.
void check_counters(CheckRun& run) {
  Connection& connection = run.connection;
  for (const Counter& counter : kCounters) {
    const std::int64_t stored = scalar(
        connection, std::string("SELECT value FROM Settings WHERE key = '") + counter.name + "'");
    const std::int64_t actual = scalar(connection, counter.actual);
    if (stored == actual) continue;
    run.problems.push_back(std::string("Settings.") + counter.name + " != " + counter.counted +
                           "; " + std::to_string(stored) + " != " + std::to_string(actual));
    if (!run.fix) continue;
    connection.query(Sql::UpdateSetting).bind_text(1, counter.name).bind(2, actual).run();
    if (counter.after_fix != nullptr) counter.after_fix(connection);
  }
}

}  // namespace

std::vector<std::string> SqliteEngine::check(bool fix, bool retry) {
  CheckRun run{*this, connection(), fix, {}, {}};
  if (!check_database(run)) return std::move(run.problems);
  WriteTransaction transaction = begin_write(run.connection, retry);
  check_row_modes(run, transaction);
  check_value_files(run);
  check_orphans(run);
  check_counters(run);
  transaction.commit();
  return std::move(run.problems);
}

}  // namespace diskcache::detail
