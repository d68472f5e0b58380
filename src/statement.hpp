// RAII over sqlite3_stmt: a prepared statement owned for the lifetime of its
// connection, and a scope that binds, steps and always resets it so that no
// statement keeps a read snapshot open between calls.
#ifndef DISKCACHE_SRC_STATEMENT_HPP_
#define DISKCACHE_SRC_STATEMENT_HPP_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "diskcache/cell.hpp"
#include "diskcache/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace diskcache::detail {

// Fork safety for threads inside SQLite. A fork()ed child has only the
// forking thread; whatever another thread held at that instant stays held
// there for ever: SQLite's mutexes (its allocator's, its VFS's, the lock of
// a WAL's shared memory, which the child's new connections share) and, in
// SQLite's bookkeeping of the process's WAL locks, the write lock of a
// transaction in progress. So every call of the library into SQLite runs
// inside the gate (a ForkGate::Use, re-entrant per thread; a write
// transaction holds one from BEGIN to its end), and fork() closes the gate
// first: it waits until no other thread is inside, then also enters
// SQLite's static mutexes (for SQLite use outside the library) until the
// fork is done. A fork from inside the gate waits for the others only.
class ForkGate {
 public:
  // Inside the gate for this object's lifetime; waits while a fork runs.
  class Use {
   public:
    Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use();
  };
  // Out of the gate for this object's lifetime, if this thread was inside:
  // for a wait that holds no SQLite lock (a busy handler's sleep), which
  // must not hold a fork up for as long as the lock stays taken elsewhere.
  class Away {
   public:
    Away();
    Away(const Away&) = delete;
    Away& operator=(const Away&) = delete;
    ~Away();

   private:
    int depth_;
  };

  // The pthread_atfork handlers (registered once, connection_registry.cpp).
  static void prepare() noexcept;
  static void parent() noexcept;
  static void child() noexcept;
};

class Statement {
 public:
  // Prepares `sql` on `db`. Throws through throw_sqlite_error.
  Statement(sqlite3* db, std::string_view sql, const std::filesystem::path& directory);

  sqlite3_stmt* handle() const noexcept { return stmt_.get(); }
  const std::string& sql() const noexcept { return sql_; }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string sql_;
};

// One use of a prepared statement: bind, step through rows, read columns.
// The destructor resets the statement and clears its bindings.
class Query {
 public:
  Query(Statement& statement, sqlite3* db, const std::filesystem::path& directory)
      : statement_(&statement), db_(db), directory_(&directory) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Binders take 1-based parameter indexes, as SQLite. Text and blob
  // bindings do not copy: the bound memory must outlive the Query's step().
  Query& bind(int index, std::int64_t number);
  Query& bind(int index, double number);
  Query& bind_text(int index, std::string_view text);
  Query& bind_blob(int index, std::string_view bytes);
  Query& bind_null(int index);
  Query& bind(int index, const Cell& cell);
  Query& bind(int index, const Value& value);
  Query& bind(int index, const std::optional<double>& number);

  // Advances to the next row: true if there is one, false when done.
  // Throws through throw_sqlite_error, naming `key` if given (described only
  // then, so the hot path formats nothing).
  bool step(const Cell* key = nullptr);
  // Runs a statement that returns no rows.
  void run(const Cell* key = nullptr) { step(key); }

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  std::optional<double> optional_real(int column) const;
  std::string_view text(int column) const;
  // The column as a Cell (owning its bytes) or Value, whatever its type.
  Cell cell(int column) const;
  Value value(int column) const;

 private:
  void check_bind(int rc) const;

  ForkGate::Use fork_gate_;  // first: entered before, left after the rest
  Statement* statement_;
  sqlite3* db_;
  const std::filesystem::path* directory_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_STATEMENT_HPP_
