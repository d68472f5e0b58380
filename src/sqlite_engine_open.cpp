// Opening a cache directory: the directory, checking and completing the
// schema (schema.hpp) and the settings, the settings of an open engine, and
// how a connection is opened. Which connection a thread uses is the
// connection registry's (connection_registry.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <thread>

#include "diskcache/errors.hpp"
#include "schema.hpp"
#include "settings_table.hpp"
#include "sqlite_engine.hpp"
#include "transaction.hpp"

namespace diskcache {
namespace {

// Creates `directory` and its missing parents with `mode` (an existing one
// keeps its mode), or a new private temporary directory ("diskcache-XXXXXX",
// as Python names it) for an empty path.
std::filesystem::path create_directory(std::filesystem::path directory, mode_t mode) {
  if (directory.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "diskcache-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      detail::throw_errno(errno, "cannot create a temporary cache directory " + pattern, pattern);
    }
    return pattern;
  }
  std::filesystem::path partial;
  for (const std::filesystem::path& part : directory) {
    partial /= part;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      detail::throw_errno(errno, "cannot create cache directory " + partial.string(), directory);
    }
  }
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw IoError("cache directory " + directory.string() + " is not a directory", directory, {},
                  ENOTDIR);
  }
  return directory;
}

}  // namespace

std::filesystem::path Store::prepare_directory(std::filesystem::path directory,
                                               const Settings& settings) {
  detail::validate_settings(settings, directory);  // before creating anything
  return create_directory(std::move(directory),
                          detail::ValueFiles::directory_mode(settings.file_mode.value()));
}

}  // namespace diskcache

namespace diskcache::detail {
namespace {

std::uint64_t next_serial() {
  static std::atomic<std::uint64_t> serial{0};
  return serial.fetch_add(1, std::memory_order_relaxed) + 1;
}

UniqueFd open_directory(const std::filesystem::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid())
    throw_errno(errno, "cannot open cache directory " + directory.string(), directory);
  return fd;
}

// Runs `step` until it stops failing with a busy error or `timeout` passes.
template <class Step>
void retry_busy(std::chrono::milliseconds timeout, Step&& step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    try {
      step();
      return;
    } catch (const Timeout&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

ConnectionPragmas pragmas_of(const Settings& settings) {
  return {settings.sqlite_cache_size.value(), settings.sqlite_mmap_size.value(),
          settings.sqlite_synchronous.value()};
}

}  // namespace

SqliteEngine::SqliteEngine(std::filesystem::path directory, const Settings& overrides)
    : directory_(std::move(directory)),
      directory_fd_(open_directory(directory_)),
      serial_(next_serial()),
      timeout_(overrides.timeout.value()),
      files_(directory_, directory_fd_.get(), system_file_ops()) {
  // SQLite creates cache.db with mode 0644 and its -wal and -shm files with
  // cache.db's mode, so a cache.db made here gets file_mode at once, before
  // the first write creates the others. (A chmod, not an open: closing a
  // descriptor of cache.db would drop SQLite's locks on it.)
  struct stat existing {};
  const bool created =
      ::fstatat(directory_fd_.get(), "cache.db", &existing, AT_SYMLINK_NOFOLLOW) != 0;
  Connection connection(directory_, timeout_, /*create=*/true);
  if (created && ::fchmodat(directory_fd_.get(), "cache.db",
                            static_cast<mode_t>(overrides.file_mode.value()), 0) != 0) {
    throw_errno(errno, "cannot set the mode of cache.db", directory_);
  }
  std::set<std::string> tables;
  retry_busy(timeout_, [&] { tables = table_names(connection); });
  verify_cache_database(connection, tables);
  {
    auto statement = connection.prepare("PRAGMA page_size");
    Query query(*statement, connection.handle(), directory_);
    if (query.step()) page_size_ = query.integer(0);
  }
  // Before anything is written: a write would round the file up to whole
  // pages and make the damage permanent.
  if (const std::optional<std::string> problem = database_size_problem()) {
    throw CorruptionError(*problem + "; refusing to open it", directory_);
  }

  SettingRows rows;
  if (tables.count("Settings") != 0) {
    retry_busy(timeout_, [&] { rows = read_setting_rows(connection); });
  }
  const Settings settings = merge_settings(settings_from_rows(rows, directory_), overrides);

  // Pragmas that shape the file must come before the first table exists.
  if (tables.empty()) {
    retry_busy(timeout_, [&] {
      connection.exec("PRAGMA auto_vacuum = " +
                      std::to_string(settings.sqlite_auto_vacuum.value()));
    });
  }
  retry_busy(timeout_, [&] {
    std::string current;
    {
      auto statement = connection.prepare("PRAGMA journal_mode");
      Query query(*statement, connection.handle(), directory_);
      if (query.step()) current = query.text(0);
    }
    if (current != settings.sqlite_journal_mode.value()) {
      connection.exec("PRAGMA journal_mode = " + settings.sqlite_journal_mode.value());
    }
  });
  connection.apply(pragmas_of(settings));

  // Opening an existing cache writes only what differs: it takes no write
  // lock otherwise, so it neither waits for a writer nor fails on a full disk.
  bool up_to_date = false;
  if (tables.count("Settings") != 0 && tables.count("Cache") != 0) {
    std::set<std::string> objects;
    retry_busy(timeout_, [&] { objects = schema_objects(connection); });
    up_to_date = schema_up_to_date(objects, settings) && settings_stored(rows, settings, overrides);
  }
  if (!up_to_date) {
    WriteTransaction transaction = begin_write(connection, /*retry=*/false);
    create_schema(connection, settings, overrides);
    transaction.commit();
  }

  apply_settings(settings);
}

SqliteEngine::~SqliteEngine() { close(); }

std::optional<std::string> SqliteEngine::database_size_problem() const {
  // SQLite writes cache.db in whole pages, and reads a last page cut short
  // as if the missing bytes were zeros, without an error. A checkpoint in
  // another process extends the file a page at a time, which for pages
  // larger than the kernel's may show half done for an instant: a partial
  // page must still be there a moment later. (A stat, never an open:
  // closing a descriptor of cache.db would drop SQLite's locks on it.)
  constexpr int kLooks = 3;
  for (int look = 1;; ++look) {
    struct stat info {};
    if (::fstatat(directory_fd_.get(), "cache.db", &info, AT_SYMLINK_NOFOLLOW) != 0) {
      throw_errno(errno, "cannot stat " + (directory_ / "cache.db").string(), directory_);
    }
    if (page_size_ <= 0 || info.st_size % page_size_ == 0) return std::nullopt;
    if (look == kLooks) {
      return (directory_ / "cache.db").string() + " is " + std::to_string(info.st_size) +
             " bytes, not a whole number of " + std::to_string(page_size_) +
             "-byte pages: it was cut short or damaged (SQLite would read the missing bytes "
             "of its last page as zeros)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void SqliteEngine::apply_settings(const Settings& settings) {
  MutexLock lock(settings_mutex_);
  settings_ = settings;
  settings_.timeout = Setting<std::chrono::milliseconds>::by_default(timeout_);
  pragmas_ = pragmas_of(settings);
  size_limit_.store(settings.size_limit, std::memory_order_relaxed);
  cull_limit_.store(settings.cull_limit, std::memory_order_relaxed);
  min_file_size_.store(settings.disk_min_file_size, std::memory_order_relaxed);
  eviction_policy_.store(settings.eviction_policy, std::memory_order_relaxed);
  statistics_.store(settings.statistics, std::memory_order_relaxed);
  max_deliveries_.store(settings.max_deliveries, std::memory_order_relaxed);
  files_.set_file_mode(static_cast<mode_t>(settings.file_mode.value()));
}

Settings SqliteEngine::settings() const {
  MutexLock lock(settings_mutex_);
  return settings_;
}

void SqliteEngine::reset(const Settings& overrides) {
  validate_settings(overrides, directory_);
  // The timeout is not stored, so changing only it takes no lock.
  if (overrides.timeout.given()) timeout_ = overrides.timeout.value();
  const SettingRows given = settings_rows(overrides, /*given_only=*/true);
  if (given.empty()) {
    if (overrides.timeout.given()) apply_settings(merge_settings(settings(), overrides));
    return;
  }
  const Settings merged = merge_settings(settings(), overrides);
  Connection& connection = this->connection();
  // Reopening a directory open in this process comes here with the
  // opener's settings, which are usually stored already: as the
  // constructor, write only when something differs, so reopening never
  // waits for a writer.
  const bool stored = schema_up_to_date(schema_objects(connection), merged) &&
                      settings_stored(read_setting_rows(connection), merged, overrides);
  if (!stored) {
    WriteTransaction transaction = begin_write(connection, /*retry=*/false);
    for (const auto& [name, value] : given) {
      connection.query(Sql::UpdateSetting).bind_text(1, name).bind(2, value).run();
    }
    if (overrides.eviction_policy.given()) {
      create_policy_index(connection, merged.eviction_policy);
    }
    if (overrides.tag_index.given()) set_tag_index(connection, merged.tag_index.value());
    transaction.commit();
  }
  apply_settings(merged);
  // Connections of other threads pick up new pragmas when they reopen.
  connection.apply(pragmas_of(merged));
}

std::unique_ptr<Connection> SqliteEngine::open_connection(Checkpointer& checkpointer) {
  auto connection =
      std::make_unique<Connection>(directory_, timeout_, /*create=*/false, &checkpointer);
  ConnectionPragmas pragmas;
  {
    MutexLock lock(settings_mutex_);
    pragmas = pragmas_;
  }
  connection->apply(pragmas);
  return connection;
}

}  // namespace diskcache::detail
