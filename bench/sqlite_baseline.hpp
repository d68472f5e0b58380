// The systems bench/compare drives, behind one interface, and the bare
// SQLite baseline, which bench/goals uses too.
#ifndef DISKCACHE_BENCH_SQLITE_BASELINE_HPP_
#define DISKCACHE_BENCH_SQLITE_BASELINE_HPP_

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace diskcache::bench {

// One system under test, opened in the process that uses it.
class System {
 public:
  virtual ~System() = default;
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual bool get(const std::string& key) = 0;  // whether it was found
  virtual void incr(const std::string& key) = 0;
  virtual void erase(const std::string& key) = 0;
  virtual void push(const std::string& value) = 0;
  virtual bool pop() = 0;
};

// What a SQLite store cannot beat: one prepared statement per operation, in
// autocommit, on diskcache's schema (made by diskcache-cpp) and pragmas.
class SqliteSystem : public System {
 public:
  explicit SqliteSystem(const std::filesystem::path& directory) {
    const std::string path = (directory / "cache.db").string();
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 60000);
    exec("PRAGMA cache_size = 8192");
    exec("PRAGMA mmap_size = 67108864");
    exec("PRAGMA synchronous = 1");
    set_ = prepare(
        "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
        " tag, size, mode, filename, value) VALUES (?1, 1, ?2, NULL, ?2, 0, NULL, 0, 1,"
        " NULL, ?3) ON CONFLICT(key, raw) DO UPDATE SET store_time = excluded.store_time,"
        " expire_time = NULL, access_time = excluded.access_time, access_count = 0,"
        " tag = NULL, size = 0, mode = 1, filename = NULL, value = excluded.value");
    get_ = prepare(
        "SELECT rowid, expire_time, tag, mode, filename, value, size FROM Cache"
        " WHERE key = ?1 AND raw = 1 AND (expire_time IS NULL OR expire_time > ?2)");
    incr_ = prepare(
        "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
        " tag, size, mode, filename, value) VALUES (?1, 1, ?2, NULL, ?2, 0, NULL, 0, 1,"
        " NULL, 1) ON CONFLICT(key, raw) DO UPDATE SET value = value + 1,"
        " store_time = excluded.store_time");
    erase_ = prepare("DELETE FROM Cache WHERE key = ?1 AND raw = 1");
    push_ = prepare(
        "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
        " tag, size, mode, filename, value)"
        " SELECT coalesce(max(key) + 1, 500000000000000), 1, ?1, NULL, ?1, 0, NULL, 0, 1,"
        " NULL, ?2 FROM Cache WHERE 0 < key AND key < 999999999999999 AND raw = 1");
    pop_ = prepare(
        "DELETE FROM Cache WHERE rowid = (SELECT rowid FROM Cache WHERE 0 < key"
        " AND key < 999999999999999 AND raw = 1 ORDER BY key LIMIT 1) RETURNING value");
  }
  ~SqliteSystem() override {
    for (sqlite3_stmt* statement : {set_, get_, incr_, erase_, push_, pop_}) {
      sqlite3_finalize(statement);
    }
    sqlite3_close(db_);
  }

  void set(const std::string& key, const std::string& value) override {
    bind_text(set_, 1, key);
    sqlite3_bind_double(set_, 2, now());
    bind_text(set_, 3, value);
    run(set_);
  }
  bool get(const std::string& key) override {
    bind_text(get_, 1, key);
    sqlite3_bind_double(get_, 2, now());
    bool found = false;
    if (step(get_) == SQLITE_ROW) {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(get_, 5));
      value_.assign(data, static_cast<std::size_t>(sqlite3_column_bytes(get_, 5)));
      found = true;
    }
    sqlite3_reset(get_);
    return found;
  }
  void incr(const std::string& key) override {
    bind_text(incr_, 1, key);
    sqlite3_bind_double(incr_, 2, now());
    run(incr_);
  }
  void erase(const std::string& key) override {
    bind_text(erase_, 1, key);
    run(erase_);
  }
  void push(const std::string& value) override {
    sqlite3_bind_double(push_, 1, now());
    bind_text(push_, 2, value);
    run(push_);
  }
  // Runs SQL text (BEGIN, COMMIT) on the connection.
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
  }
  bool pop() override {
    bool found = false;
    if (step(pop_) == SQLITE_ROW) {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(pop_, 0));
      value_.assign(data, static_cast<std::size_t>(sqlite3_column_bytes(pop_, 0)));
      found = true;
      step(pop_);  // to SQLITE_DONE, which commits
    }
    sqlite3_reset(pop_);
    return found;
  }

 private:
  static double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    return statement;
  }
  static void bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
    sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  int step(sqlite3_stmt* statement) {
    const int rc = sqlite3_step(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    return rc;
  }
  void run(sqlite3_stmt* statement) {
    step(statement);
    sqlite3_reset(statement);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* set_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* incr_ = nullptr;
  sqlite3_stmt* erase_ = nullptr;
  sqlite3_stmt* push_ = nullptr;
  sqlite3_stmt* pop_ = nullptr;
  std::string value_;  // the last value read, as a caller would keep it
};

}  // namespace diskcache::bench

#endif  // DISKCACHE_BENCH_SQLITE_BASELINE_HPP_
