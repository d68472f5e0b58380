// The one place where SQLite result codes become diskcache exceptions.
#ifndef DISKCACHE_SRC_SQLITE_ERROR_HPP_
#define DISKCACHE_SRC_SQLITE_ERROR_HPP_

#include <filesystem>
#include <string>

struct sqlite3;

namespace diskcache::detail {

// True for the codes that mean "another connection holds the lock; try
// again": SQLITE_BUSY (all extended forms), SQLITE_LOCKED and SQLITE_PROTOCOL.
bool is_busy(int rc) noexcept;

// Throws the exception matching SQLite result `rc`:
//   NOMEM, IOERR_NOMEM          -> std::bad_alloc
//   BUSY/LOCKED/PROTOCOL        -> Timeout
//   CORRUPT/NOTADB/FORMAT       -> CorruptionError
//   FULL/IOERR/CANTOPEN/READONLY/PERM/NOLFS/AUTH -> IoError
//   anything else               -> Error
// The message reads "<context> in <directory>: <sqlite message> (code N)".
// `db` may be null (the message then comes from sqlite3_errstr).
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, const std::string& context,
                                     const std::filesystem::path& directory,
                                     const std::string& key = {});

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SQLITE_ERROR_HPP_
