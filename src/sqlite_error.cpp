#include "sqlite_error.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "diskcache/errors.hpp"

namespace diskcache::detail {

bool is_busy(int rc) noexcept {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_PROTOCOL;
}

void throw_sqlite_error(sqlite3* db, int rc, const std::string& context,
                        const std::filesystem::path& directory, const std::string& key) {
  // Out of memory is std::bad_alloc whichever allocator ran out (see
  // errors.hpp); building a message could need memory there is none of.
  if (rc == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM) throw std::bad_alloc();
  // sqlite3_errmsg describes the most recent failure on `db`; it matches `rc`
  // only when the failing call was the last one, which holds for every caller.
  const char* sqlite_message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = context + " in " + directory.string();
  if (!key.empty()) message += " for key " + key;
  message += ": ";
  message += sqlite_message != nullptr ? sqlite_message : sqlite3_errstr(rc);
  message += " (SQLite code " + std::to_string(rc) + ")";

  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL: throw Timeout(message, directory, key, rc);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT: throw CorruptionError(message, directory, key, rc);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: {
      // SQLite's message ("disk I/O error") hides the cause; the system
      // call's errno names it. A full disk shows as SQLITE_FULL, or as
      // SQLITE_IOERR_SHMSIZE when cache.db-shm cannot be extended.
      const int error_number = db != nullptr ? sqlite3_system_errno(db) : 0;
      if ((rc & 0xff) == SQLITE_FULL || error_number == ENOSPC) {
        message += ": no space left on device";
      } else if (error_number != 0) {
        message += std::string(": ") + std::strerror(error_number);
      }
      throw IoError(message, directory, key, error_number, rc);
    }
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_AUTH: throw IoError(message, directory, key, 0, rc);
    default: throw Error(message, directory, key);
  }
}

}  // namespace diskcache::detail
