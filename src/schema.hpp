// The format of cache.db in one place: every statement that creates (or
// drops) a table, index or trigger, the rows of the Settings table, and what
// opening verifies about an existing database. The Cache and Settings tables
// are Python diskcache 5.x's (core.py Cache.__init__), statement for
// statement, so that both read and write the same database; the Lease and
// Delivery tables are ours, and Python never reads them. The statements that read and write
// rows are in sql.cpp.
#ifndef DISKCACHE_SRC_SCHEMA_HPP_
#define DISKCACHE_SRC_SCHEMA_HPP_

#include <array>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "diskcache/settings.hpp"
#include "settings_table.hpp"

namespace diskcache::detail {

class Connection;

// --- The rows of the Settings table.

// Calls `visit(name, member, min, max)` for every integer setting stored in
// the Settings table and `visit(name, member)` for the others, where `member`
// points to the Setting in Settings. The one list of stored settings; a new
// cache stores Settings' defaults (settings.hpp) as settings_rows writes them.
template <class Visitor>
void for_each_stored(Visitor&& visit) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  visit("size_limit", &Settings::size_limit, 0, kMax);
  visit("cull_limit", &Settings::cull_limit, 0, kMax);
  visit("disk_min_file_size", &Settings::disk_min_file_size, 0, kMax);
  visit("max_deliveries", &Settings::max_deliveries, 0, kMax);
  visit("sqlite_auto_vacuum", &Settings::sqlite_auto_vacuum, 0, 2);
  visit("sqlite_cache_size", &Settings::sqlite_cache_size, -(1LL << 40), 1LL << 40);
  visit("sqlite_mmap_size", &Settings::sqlite_mmap_size, 0, 1LL << 46);
  visit("sqlite_synchronous", &Settings::sqlite_synchronous, 0, 3);
  visit("statistics", &Settings::statistics);
  visit("tag_index", &Settings::tag_index);
  visit("eviction_policy", &Settings::eviction_policy);
  visit("sqlite_journal_mode", &Settings::sqlite_journal_mode);
}

// The counters stored beside the settings, each created as the integer 0:
// the number of rows and the sum of their sizes (kept by the Cache table's
// triggers), and the hits and misses statistics counts.
inline constexpr std::array<const char*, 4> kCounterRows = {"count", "size", "hits", "misses"};

// --- Creating.

// Creates what is missing of the Settings and Cache tables, in Python's
// order: the Settings table; its rows, where those `overrides` gave replace
// what is stored and the rest of `settings` and the counters only fill gaps;
// the Cache table with its indexes and triggers; the index of `settings`'
// eviction policy; the tag index if `settings` wants it (else it is dropped).
// REQUIRES: a write transaction is open on `connection`.
void create_schema(Connection& connection, const Settings& settings, const Settings& overrides);

// Creates the index eviction by `policy` reads in order, if it has one.
void create_policy_index(Connection& connection, EvictionPolicy policy);

// Creates the tag index (evict by tag) if `wanted`, else drops it.
void set_tag_index(Connection& connection, bool wanted);

// Creates the Lease and Delivery tables and their indexes if they do not
// exist, and adds Lease's deliveries column to a table made without it.
void create_lease_table(Connection& connection);

// --- Checking an existing database.

// The names of the tables in the database (SQLite's own excepted); throws
// CorruptionError when the file is not a SQLite database.
std::set<std::string> table_names(Connection& connection);

// The names of the indexes and triggers in the database.
std::set<std::string> schema_objects(Connection& connection);

// Whether create_lease_table would change nothing: the Lease and Delivery
// tables, their indexes and Lease's deliveries column all exist. Only reads.
bool lease_tables_complete(Connection& connection);

// Throws CorruptionError unless `tables` (the database's) are diskcache's
// (Cache, Settings, Lease, Delivery) and a Cache table has every column of Python's.
void verify_cache_database(Connection& connection, const std::set<std::string>& tables);

// Whether the indexes and triggers `settings` need are all among `objects`
// (the names in the database), and the tag index only if wanted.
bool schema_up_to_date(const std::set<std::string>& objects, const Settings& settings);

// The rows of the Settings table; a row without a name is skipped.
SettingRows read_setting_rows(Connection& connection);

// Whether `rows` (the Settings table) hold every setting and counter, and
// the values `overrides` gives.
bool settings_stored(const SettingRows& rows, const Settings& settings, const Settings& overrides);

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SCHEMA_HPP_
