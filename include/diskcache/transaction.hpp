// diskcache::Transaction: a scope in which a thread's writes to one cache
// directory commit together, or not at all.
//
// Returned by transact() on any container. The constructor takes the
// database's write lock (BEGIN IMMEDIATE), so everything the thread does in
// the scope, reads included, sees one consistent state that no other thread
// or process can change meanwhile. At normal scope exit the transaction
// commits; when an exception leaves the scope it rolls back, and value
// files written inside it are removed.
//
//   {
//     auto transaction = cache.transact();
//     std::int64_t total = cache.get("total")->as<std::int64_t>();
//     cache.set("total", total + 1);
//     cache.set("last", "me");
//   }  // both writes commit here, in one commit
//
// Re-entrant: transact() inside a transaction on the same thread nests (a
// SAVEPOINT); the inner scope can roll back alone and the outermost scope
// commits everything. Every container opened on the same directory in this
// process shares the transaction: `cache` and an `Index` on its directory
// write in one commit.
//
// Thread safety: a Transaction belongs to the thread that made it; it must
// end on that thread, innermost first. While it is open, other threads and
// processes wait for the write lock (up to Settings::timeout), so keep it
// short. Do not fork() while a transaction is open.
//
// The scope itself is the engine's (Engine::Scope, engine.hpp): the SQLite
// engine's is SqliteScope (src/sqlite_engine.cpp), which wraps a
// WriteTransaction (src/transaction.cpp). Transaction decides when it
// commits or rolls back (src/store.cpp), whatever the engine.
#ifndef DISKCACHE_TRANSACTION_HPP_
#define DISKCACHE_TRANSACTION_HPP_

#include <memory>

#include "diskcache/engine.hpp"
#include "diskcache/export.hpp"

namespace diskcache {

class DISKCACHE_EXPORT Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Commits if the scope ends normally and neither commit() nor rollback()
  // was called; rolls back if an exception is unwinding the scope. A failed
  // commit here throws the commit's error (Timeout, IoError, ...) after
  // rolling back, so that no lost write goes unnoticed; call commit()
  // explicitly to handle that error in place.
  // This is the library's one destructor that may throw (with the guards
  // built on it, FanoutCache's and Guard's): a commit that fails must not
  // vanish, and it never throws while another exception is unwinding.
  ~Transaction() noexcept(false);

  // Commits now (the outermost transaction) or keeps the inner scope's
  // writes for the outer one. Throws Timeout, IoError or CorruptionError if
  // the commit fails; the transaction is rolled back then.
  // REQUIRES: not yet committed or rolled back.
  void commit();

  // Undoes every write of this scope now. Never throws.
  void rollback() noexcept;

  // Whether commit() or rollback() has not been called yet.
  bool active() const noexcept { return scope_ != nullptr; }

 private:
  friend class Store;
  Transaction(std::shared_ptr<Engine> engine, std::unique_ptr<Engine::Scope> scope);

  // Declared first, so destroyed last: the engine outlives its scope.
  std::shared_ptr<Engine> engine_;
  std::unique_ptr<Engine::Scope> scope_;  // null once committed or rolled back
  int uncaught_exceptions_;               // at construction
};

}  // namespace diskcache

#endif  // DISKCACHE_TRANSACTION_HPP_
