#include "diskcache/version.hpp"

#include <sqlite3.h>

namespace diskcache {

bool sqlite_has_wal_reset_race(int version_number) noexcept {
  // SQLITE_VERSION_NUMBER form: major * 1000000 + minor * 1000 + patch.
  // The race came with WAL (3.7.0); fixed in 3.51.3, and backported to
  // 3.44.6 and 3.50.7.
  const int minor = version_number / 1000 % 1000;
  const int patch = version_number % 1000;
  if (version_number < 3007000) return false;
  if (version_number >= 3051003) return false;
  if (minor == 44 && patch >= 6) return false;
  if (minor == 50 && patch >= 7) return false;
  return true;
}

VersionInfo version() {
  return VersionInfo{
      .library = DISKCACHE_VERSION_STRING,
      .sqlite = sqlite3_libversion(),
      .sqlite_wal_reset_race = sqlite_has_wal_reset_race(sqlite3_libversion_number()),
  };
}

}  // namespace diskcache
