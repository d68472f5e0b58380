// The versions of the library and of the SQLite it runs on.
//
//   const diskcache::VersionInfo info = diskcache::version();
//   std::cout << "diskcache " << info.library << ", SQLite " << info.sqlite << '\n';
//
// Thread safety: version() may be called from any thread at any time.
#ifndef DISKCACHE_VERSION_HPP_
#define DISKCACHE_VERSION_HPP_

#include <string>

#include "diskcache/export.hpp"

namespace diskcache {

// What version() reports.
struct VersionInfo {
  // This library's version, "major.minor.patch". The shared library's SONAME
  // carries the major version: a change of it breaks the ABI.
  std::string library;
  // The SQLite library linked at run time (sqlite3_libversion()), which may
  // be newer than the headers the library was built against.
  std::string sqlite;
  // Whether that SQLite has the WAL-reset race (3.7.0 up to 3.51.2, except
  // 3.44.6+ and 3.50.7+): two checkpoints in quick succession while another
  // connection resets the WAL can corrupt the database. Judged from the
  // version number alone, so a distribution's patched build still reads as
  // affected. docs/reliability.md says what the library does about it.
  bool sqlite_wal_reset_race = false;
};

// The versions of this library and of the SQLite linked at run time.
DISKCACHE_EXPORT VersionInfo version();

// Whether SQLite `version_number` (in SQLITE_VERSION_NUMBER form, e.g.
// 3040001 for 3.40.1) has the WAL-reset race; see VersionInfo.
DISKCACHE_EXPORT bool sqlite_has_wal_reset_race(int version_number) noexcept;

}  // namespace diskcache

#endif  // DISKCACHE_VERSION_HPP_
