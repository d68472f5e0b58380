// A plain SQLite connection to a cache.db beside the library's own, and a
// reader of the WAL file, for tests that check from outside what the library
// did to the database. Tests using it link SQLite::SQLite3.
#ifndef DISKCACHE_TESTS_SQLITE_PROBE_HPP_
#define DISKCACHE_TESTS_SQLITE_PROBE_HPP_

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace diskcache::testing {

class SqliteProbe {
 public:
  explicit SqliteProbe(const std::filesystem::path& directory) {
    const int rc =
        sqlite3_open_v2((directory / "cache.db").c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
    if (rc != SQLITE_OK) fail("open");
    sqlite3_busy_timeout(db_, 10000);
  }
  SqliteProbe(const SqliteProbe&) = delete;
  SqliteProbe& operator=(const SqliteProbe&) = delete;
  ~SqliteProbe() { sqlite3_close(db_); }

  // The first column of the first row of `sql`, as an integer.
  std::int64_t integer(const std::string& sql) { return row(sql).at(0); }

  // The integer columns of the first row of `sql` (empty if no row).
  std::vector<std::int64_t> row(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(sql);
    std::vector<std::int64_t> columns;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        columns.push_back(sqlite3_column_int64(stmt, i));
      }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(sql);
    return columns;
  }

  // PRAGMA wal_checkpoint(TRUNCATE): copies the WAL into the database and
  // empties it. Returns whether it finished; a reader holding an old
  // snapshot keeps it from finishing.
  bool checkpoint_truncate() { return row("PRAGMA wal_checkpoint(TRUNCATE)").at(0) == 0; }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("sqlite probe: " + what + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_ = nullptr;
};

// The number of commits in `directory`'s cache.db-wal since the WAL last
// restarted: frames whose salts match the WAL header and whose "database
// size after commit" field is set (https://www.sqlite.org/fileformat.html,
// "WAL file format"). 0 when there is no WAL file.
inline int wal_commits(const std::filesystem::path& directory) {
  std::ifstream wal(directory / "cache.db-wal", std::ios::binary);
  const auto big_endian = [](const unsigned char* bytes) {
    return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
           std::uint32_t{bytes[2]} << 8 | std::uint32_t{bytes[3]};
  };
  unsigned char header[32];
  if (!wal.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
  const std::uint32_t page_size = big_endian(header + 8);
  int commits = 0;
  unsigned char frame[24];
  std::vector<char> page(page_size);
  while (wal.read(reinterpret_cast<char*>(frame), sizeof frame) &&
         wal.read(page.data(), page_size)) {
    const bool current = big_endian(frame + 8) == big_endian(header + 16) &&
                         big_endian(frame + 12) == big_endian(header + 20);
    if (!current) break;
    if (big_endian(frame + 4) != 0) ++commits;
  }
  return commits;
}

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_SQLITE_PROBE_HPP_
