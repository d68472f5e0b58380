#include "schema.hpp"

#include <map>
#include <string_view>

#include "connection.hpp"
#include "diskcache/errors.hpp"
#include "statement.hpp"

namespace diskcache::detail {
namespace {

// The Cache columns every diskcache 5.x database has.
constexpr std::array<const char*, 12> kCacheColumns = {
    "rowid",        "key", "raw",  "store_time", "expire_time", "access_time",
    "access_count", "tag", "size", "mode",       "filename",    "value"};

constexpr const char* kSettingsTable =
    "CREATE TABLE IF NOT EXISTS Settings ( key TEXT NOT NULL UNIQUE, value)";

// The schema statements of Python diskcache 5.x (core.py Cache.__init__).
constexpr std::array<const char*, 8> kSchema = {
    "CREATE TABLE IF NOT EXISTS Cache ("
    " rowid INTEGER PRIMARY KEY,"
    " key BLOB,"
    " raw INTEGER,"
    " store_time REAL,"
    " expire_time REAL,"
    " access_time REAL,"
    " access_count INTEGER DEFAULT 0,"
    " tag BLOB,"
    " size INTEGER DEFAULT 0,"
    " mode INTEGER DEFAULT 0,"
    " filename TEXT,"
    " value BLOB)",
    "CREATE UNIQUE INDEX IF NOT EXISTS Cache_key_raw ON Cache(key, raw)",
    "CREATE INDEX IF NOT EXISTS Cache_expire_time ON Cache (expire_time)",
    "CREATE TRIGGER IF NOT EXISTS Settings_count_insert"
    " AFTER INSERT ON Cache FOR EACH ROW BEGIN"
    " UPDATE Settings SET value = value + 1"
    " WHERE key = 'count'; END",
    "CREATE TRIGGER IF NOT EXISTS Settings_count_delete"
    " AFTER DELETE ON Cache FOR EACH ROW BEGIN"
    " UPDATE Settings SET value = value - 1"
    " WHERE key = 'count'; END",
    "CREATE TRIGGER IF NOT EXISTS Settings_size_insert"
    " AFTER INSERT ON Cache FOR EACH ROW BEGIN"
    " UPDATE Settings SET value = value + NEW.size"
    " WHERE key = 'size'; END",
    "CREATE TRIGGER IF NOT EXISTS Settings_size_update"
    " AFTER UPDATE ON Cache FOR EACH ROW BEGIN"
    " UPDATE Settings"
    " SET value = value + NEW.size - OLD.size"
    " WHERE key = 'size'; END",
    "CREATE TRIGGER IF NOT EXISTS Settings_size_delete"
    " AFTER DELETE ON Cache FOR EACH ROW BEGIN"
    " UPDATE Settings SET value = value - OLD.size"
    " WHERE key = 'size'; END",
};

constexpr const char* kCreateTagIndex =
    "CREATE INDEX IF NOT EXISTS Cache_tag_rowid ON Cache(tag, rowid)";
constexpr const char* kDropTagIndex = "DROP INDEX IF EXISTS Cache_tag_rowid";

// Ours: leased items wait here, values inline, never in value files, so that
// Python's check() cannot take a leased item's file for an orphan. Delivery
// remembers how often an item back in the queue was leased before: its key
// and store_time name the Cache row (a key alone is reused once popped).
constexpr std::array<const char*, 4> kLeaseSchema = {
    "CREATE TABLE IF NOT EXISTS Lease ("
    " id INTEGER PRIMARY KEY,"
    " token INTEGER NOT NULL,"
    " deadline REAL NOT NULL,"
    " queue TEXT,"
    " key BLOB,"
    " expire_time REAL,"
    " tag BLOB,"
    " mode INTEGER,"
    " value BLOB,"
    " deliveries INTEGER NOT NULL DEFAULT 1)",
    "CREATE INDEX IF NOT EXISTS Lease_queue_deadline ON Lease(queue, deadline)",
    "CREATE TABLE IF NOT EXISTS Delivery ("
    " key BLOB NOT NULL,"
    " store_time REAL,"
    " count INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS Delivery_key ON Delivery(key)",
};

// Lease tables made before deliveries were counted lack the column; their
// leases count as first deliveries.
constexpr const char* kAddLeaseDeliveries =
    "ALTER TABLE Lease ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 1";

const char* policy_index(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::LeastRecentlyStored:
      return "CREATE INDEX IF NOT EXISTS Cache_store_time ON Cache (store_time)";
    case EvictionPolicy::LeastRecentlyUsed:
      return "CREATE INDEX IF NOT EXISTS Cache_access_time ON Cache (access_time)";
    case EvictionPolicy::LeastFrequentlyUsed:
      return "CREATE INDEX IF NOT EXISTS Cache_access_count ON Cache (access_count)";
    case EvictionPolicy::None: return nullptr;
  }
  return nullptr;
}

// The names of the schema objects `condition` selects in sqlite_master;
// fails with CorruptionError (SQLITE_NOTADB) when the file is not a SQLite
// database.
std::set<std::string> schema_names(Connection& connection, const std::string& condition) {
  std::set<std::string> names;
  auto statement = connection.prepare("SELECT name FROM sqlite_master WHERE " + condition);
  Query query(*statement, connection.handle(), connection.directory());
  while (query.step()) names.emplace(query.text(0));
  return names;
}

bool has_column(Connection& connection, const char* table, std::string_view column) {
  auto statement = connection.prepare(std::string("PRAGMA table_info(") + table + ")");
  Query query(*statement, connection.handle(), connection.directory());
  while (query.step()) {
    if (query.text(1) == column) return true;
  }
  return false;
}

// The name a "CREATE ... IF NOT EXISTS <name> ..." statement creates.
std::string created_name(std::string_view sql) {
  constexpr std::string_view kIfNotExists = "IF NOT EXISTS ";
  sql.remove_prefix(sql.find(kIfNotExists) + kIfNotExists.size());
  return std::string(sql.substr(0, sql.find_first_of(" (")));
}

}  // namespace

void create_schema(Connection& connection, const Settings& settings, const Settings& overrides) {
  connection.exec(kSettingsTable);
  auto insert_or_ignore = connection.prepare("INSERT OR IGNORE INTO Settings VALUES (?1, ?2)");
  auto insert_or_replace = connection.prepare("INSERT OR REPLACE INTO Settings VALUES (?1, ?2)");
  std::set<std::string> given;
  for (const auto& row : settings_rows(overrides, /*given_only=*/true)) given.insert(row.first);
  for (const auto& [name, value] : settings_rows(settings, /*given_only=*/false)) {
    // Rows the caller gave replace what is stored; the rest only fill gaps.
    Query query(given.count(name) != 0 ? *insert_or_replace : *insert_or_ignore,
                connection.handle(), connection.directory());
    query.bind_text(1, name).bind(2, value).run();
  }
  for (const char* counter : kCounterRows) {
    Query query(*insert_or_ignore, connection.handle(), connection.directory());
    query.bind_text(1, counter).bind(2, std::int64_t{0}).run();
  }
  for (const char* statement : kSchema) connection.exec(statement);
  create_policy_index(connection, settings.eviction_policy);
  set_tag_index(connection, settings.tag_index.value());
}

void create_policy_index(Connection& connection, EvictionPolicy policy) {
  if (const char* index = policy_index(policy)) connection.exec(index);
}

void set_tag_index(Connection& connection, bool wanted) {
  connection.exec(wanted ? kCreateTagIndex : kDropTagIndex);
}

void create_lease_table(Connection& connection) {
  for (const char* statement : kLeaseSchema) connection.exec(statement);
  if (!has_column(connection, "Lease", "deliveries")) connection.exec(kAddLeaseDeliveries);
}

std::set<std::string> table_names(Connection& connection) {
  return schema_names(connection, "type = 'table' AND name NOT LIKE 'sqlite_%'");
}

std::set<std::string> schema_objects(Connection& connection) {
  return schema_names(connection, "type IN ('index', 'trigger')");
}

bool lease_tables_complete(Connection& connection) {
  const std::set<std::string> names = schema_names(connection, "type IN ('table', 'index')");
  for (const char* statement : kLeaseSchema) {
    if (names.count(created_name(statement)) == 0) return false;
  }
  return has_column(connection, "Lease", "deliveries");
}

void verify_cache_database(Connection& connection, const std::set<std::string>& tables) {
  const std::filesystem::path& directory = connection.directory();
  for (const std::string& table : tables) {
    // Lease and Delivery are ours (Deque leases), beside Python's two tables.
    if (table != "Cache" && table != "Settings" && table != "Lease" && table != "Delivery") {
      throw CorruptionError(directory.string() +
                                "/cache.db is not a diskcache database: "
                                "it has a table '" +
                                table + "'",
                            directory);
    }
  }
  if (tables.count("Cache") == 0) return;
  std::set<std::string> columns;
  auto statement = connection.prepare("PRAGMA table_info(Cache)");
  Query query(*statement, connection.handle(), directory);
  while (query.step()) columns.emplace(query.text(1));
  for (const char* column : kCacheColumns) {
    if (std::string_view(column) != "rowid" && columns.count(column) == 0) {
      throw CorruptionError(directory.string() +
                                "/cache.db is not a diskcache database: "
                                "its Cache table has no column '" +
                                column + "'",
                            directory);
    }
  }
}

bool schema_up_to_date(const std::set<std::string>& objects, const Settings& settings) {
  for (const char* statement : kSchema) {
    if (std::string_view(statement).starts_with("CREATE TABLE")) continue;
    if (objects.count(created_name(statement)) == 0) return false;
  }
  if (const char* index = policy_index(settings.eviction_policy)) {
    if (objects.count(created_name(index)) == 0) return false;
  }
  return (objects.count(created_name(kCreateTagIndex)) != 0) == settings.tag_index.value();
}

SettingRows read_setting_rows(Connection& connection) {
  SettingRows rows;
  auto statement = connection.prepare("SELECT key, value FROM Settings");
  Query query(*statement, connection.handle(), connection.directory());
  while (query.step()) {
    if (query.is_null(0)) continue;
    rows.emplace_back(std::string(query.text(0)), query.value(1));
  }
  return rows;
}

bool settings_stored(const SettingRows& rows, const Settings& settings, const Settings& overrides) {
  std::map<std::string, Value> stored(rows.begin(), rows.end());
  for (const auto& [name, value] : settings_rows(overrides, /*given_only=*/true)) {
    auto found = stored.find(name);
    if (found == stored.end() || !(found->second == value)) return false;
  }
  for (const auto& [name, value] : settings_rows(settings, /*given_only=*/false)) {
    if (stored.count(name) == 0) return false;
  }
  for (const char* counter : kCounterRows) {
    if (stored.count(counter) == 0) return false;
  }
  return true;
}

}  // namespace diskcache::detail
