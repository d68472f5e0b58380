// The exceptions diskcache throws.
//
// Every error derives from diskcache::Error, itself a std::runtime_error, so
// `catch (const diskcache::Error&)` catches everything the library reports.
// The leaves exist only where a caller acts differently:
//
//   KeyError            a key that must exist does not (at(), incr() with no default)
//   Timeout             the database stayed locked longer than the timeout
//   SerializationError  bytes could not be turned into the requested type, or a
//                       type cannot be stored by the chosen disk policy
//   CorruptionError     the directory holds something that is not a valid cache:
//                       a damaged database, a missing or truncated value file, a
//                       file name pointing outside the directory
//   IoError             the operating system refused: permissions, a full disk,
//                       an I/O error
//
// Running out of memory is std::bad_alloc, not an Error, whichever allocator
// ran out: the C++ one, or SQLite's (SQLITE_NOMEM, which would otherwise read
// as a generic Error). Every operation that throws it leaves the cache as
// before the call, as for an Error; a transaction SQLite ended on it throws
// Error at its commit, having stored nothing. One exception: a value file
// too large to load (more than the machine's memory, or an allocation of
// that size failing) is IoError, EFBIG or ENOMEM, since read() can stream it.
//
// Every message names the operation, the cache directory and, where known, the
// key, e.g. "cannot read value file /c/ab/cd/0f...val for key 'x': 10 bytes,
// expected 4096". The same facts are available as fields.
//
// Thread safety: exception objects are immutable after construction.
#ifndef DISKCACHE_ERRORS_HPP_
#define DISKCACHE_ERRORS_HPP_

#include <filesystem>
#include <stdexcept>
#include <string>

#include "diskcache/export.hpp"

namespace diskcache {

// Base of every exception the library throws.
class DISKCACHE_EXPORT Error : public std::runtime_error {
 public:
  // `message` is the complete text returned by what(); `directory` is the cache
  // directory involved (may be empty), `key` a printable form of the key
  // involved (empty when unknown).
  Error(const std::string& message, std::filesystem::path directory = {}, std::string key = {})
      : std::runtime_error(message), directory_(std::move(directory)), key_(std::move(key)) {}

  // The cache directory the failed operation worked on; empty if none.
  const std::filesystem::path& directory() const noexcept { return directory_; }

  // A printable form of the key involved (as in messages); empty if unknown.
  const std::string& key() const noexcept { return key_; }

 private:
  std::filesystem::path directory_;
  std::string key_;
};

// A key that must be present is missing (or expired).
class DISKCACHE_EXPORT KeyError : public Error {
 public:
  using Error::Error;
};

// The database stayed locked by other connections for longer than the
// configured timeout (Settings::timeout, or the FanoutCache timeout).
// `sqlite_code()` is the extended SQLite result code that was last seen.
class DISKCACHE_EXPORT Timeout : public Error {
 public:
  Timeout(const std::string& message, std::filesystem::path directory = {}, std::string key = {},
          int sqlite_code = 0)
      : Error(message, std::move(directory), std::move(key)), sqlite_code_(sqlite_code) {}

  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int sqlite_code_;
};

// Stored bytes cannot be decoded as the requested type (corrupt or foreign
// bytes, a Python pickle), or a value cannot be encoded by the disk policy.
class DISKCACHE_EXPORT SerializationError : public Error {
 public:
  using Error::Error;
};

// The cache directory holds data that is not a valid cache: a damaged or
// foreign cache.db, a value file that is missing or has the wrong size, a
// stored file name that does not follow the value-file naming scheme.
// `sqlite_code()` is the extended SQLite result code when SQLite reported it.
class DISKCACHE_EXPORT CorruptionError : public Error {
 public:
  CorruptionError(const std::string& message, std::filesystem::path directory = {},
                  std::string key = {}, int sqlite_code = 0)
      : Error(message, std::move(directory), std::move(key)), sqlite_code_(sqlite_code) {}

  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int sqlite_code_;
};

// The operating system or SQLite's I/O layer failed: permission denied, disk
// full, file too large, I/O error. `error_code()` is the errno value when the
// failure came from a system call (0 otherwise); `sqlite_code()` the extended
// SQLite result code when it came from SQLite (0 otherwise).
class DISKCACHE_EXPORT IoError : public Error {
 public:
  IoError(const std::string& message, std::filesystem::path directory = {}, std::string key = {},
          int error_code = 0, int sqlite_code = 0)
      : Error(message, std::move(directory), std::move(key)),
        error_code_(error_code),
        sqlite_code_(sqlite_code) {}

  int error_code() const noexcept { return error_code_; }
  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int error_code_;
  int sqlite_code_;
};

}  // namespace diskcache

#endif  // DISKCACHE_ERRORS_HPP_
