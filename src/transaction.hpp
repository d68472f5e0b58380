// WriteTransaction: the scope of every write. The outermost one runs
// BEGIN IMMEDIATE (so a read-modify-write never fails half-way on a lock
// upgrade) and commits; nested ones are savepoints, so a failed inner
// operation undoes only itself. Value files follow the transaction: those
// written inside it are unlinked if it rolls back, those it replaced or
// removed are unlinked only after the outermost commit.
#ifndef DISKCACHE_SRC_TRANSACTION_HPP_
#define DISKCACHE_SRC_TRANSACTION_HPP_

#include <cstddef>
#include <string>

#include "connection.hpp"
#include "value_files.hpp"

namespace diskcache::detail {

class WriteTransaction {
 public:
  // Begins (or nests) a write transaction on `connection`. Waits for the
  // write lock up to the connection's timeout, then throws Timeout; with
  // `retry`, waits for ever.
  WriteTransaction(Connection& connection, const ValueFiles& files, bool retry,
                   std::chrono::milliseconds timeout);
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  // Rolls back unless committed. Never throws.
  ~WriteTransaction();

  // Commits (outermost) or releases the savepoint (nested). Throws on
  // failure, after which the destructor rolls back.
  void commit();

  // `name` (a value file) is unlinked once the outermost transaction commits.
  void remove_after_commit(std::string name);
  // `name` (a value file written for this transaction) is unlinked if it
  // rolls back.
  void remove_on_rollback(std::string name);

 private:
  // Whether SQLite rolled the whole transaction back by itself (recorded in
  // Connection::TransactionState::rolled_back). REQUIRES: depth > 0.
  bool lost();
  // Throws Error: SQLite rolled the whole transaction back.
  [[noreturn]] void throw_rolled_back() const;

  ForkGate::Use fork_gate_;  // first: held until after COMMIT or ROLLBACK
  Connection& connection_;
  const ValueFiles& files_;
  bool outermost_;
  bool finished_ = false;
  std::size_t commit_mark_;    // remove_after_commit size at begin
  std::size_t rollback_mark_;  // remove_on_rollback size at begin
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_TRANSACTION_HPP_
