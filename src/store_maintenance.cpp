// Store::vacuum and Store::sqlite_version: upkeep of a long-lived directory
// and a fact worth logging with reports.
#include <sqlite3.h>

#include "diskcache/store.hpp"
#include "store_impl.hpp"

namespace diskcache {

void Store::vacuum() {
  detail::Connection& connection = impl_->connection();
  connection.exec("VACUUM");
  // In WAL mode the rebuilt pages sit in cache.db-wal until a checkpoint
  // copies them back; TRUNCATE also empties the WAL file. A checkpoint that
  // readers keep from finishing reports so in its row and is not an error.
  connection.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::string Store::sqlite_version() { return sqlite3_libversion(); }

}  // namespace diskcache
