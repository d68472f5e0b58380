// The SQLite engine's vacuum, and Store::sqlite_version: upkeep of a
// long-lived directory and a fact worth logging with reports.
#include <sqlite3.h>

#include "diskcache/store.hpp"
#include "sqlite_engine.hpp"

namespace diskcache {

void detail::SqliteEngine::vacuum() {
  detail::Connection& connection = this->connection();
  connection.exec("VACUUM");
  // In WAL mode the rebuilt pages sit in cache.db-wal until a checkpoint
  // copies them back (and truncates cache.db to the new page count). Through
  // the Checkpointer, as every checkpoint of ours, never a PRAGMA: see
  // docs/reliability.md, "The SQLite WAL-reset race".
  connection.checkpointer()->checkpoint(connection);
}

std::string Store::sqlite_version() { return sqlite3_libversion(); }

}  // namespace diskcache
