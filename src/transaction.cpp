#include "transaction.hpp"

#include <thread>

#include "diskcache/errors.hpp"
#include "kill_point.hpp"

namespace diskcache::detail {

WriteTransaction::WriteTransaction(Connection& connection, const ValueFiles& files, bool retry,
                                   std::chrono::milliseconds timeout)
    : connection_(connection), files_(files) {
  auto& state = connection_.transaction();
  outermost_ = state.depth == 0;
  commit_mark_ = state.remove_after_commit.size();
  rollback_mark_ = state.remove_on_rollback.size();
  // Undoing must not need memory, which may be what ran out: the statements
  // that roll this scope back are prepared before it begins.
  if (outermost_) {
    connection_.prepare_cached(Sql::Rollback);
  } else {
    connection_.prepare_cached(Sql::RollbackToSavepoint);
    connection_.prepare_cached(Sql::Release);
  }
  if (!outermost_) {
    if (lost()) throw_rolled_back();
    connection_.query(Sql::Savepoint).run();
    ++state.depth;
    return;
  }
  // The busy handler waits inside BEGIN; some busy results (WAL recovery,
  // SQLITE_PROTOCOL) bypass it, so keep trying here until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    try {
      connection_.query(Sql::Begin).run();
      DISKCACHE_TEST_TRACE("write_locked");
      // Others may have written since this connection last held the lock.
      connection_.cull_state() = {};
      break;
    } catch (const Timeout&) {
      if (!retry && std::chrono::steady_clock::now() >= deadline) throw;
      const ForkGate::Away away;  // no lock is held between attempts
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
  ++state.depth;
}

WriteTransaction::~WriteTransaction() {
  if (finished_) return;
  auto& state = connection_.transaction();
  try {
    if (outermost_) {
      // After a failed COMMIT SQLite may already have rolled back; the
      // error of a second ROLLBACK is expected then.
      connection_.query(Sql::Rollback).run();
    } else {
      connection_.query(Sql::RollbackToSavepoint).run();
      connection_.query(Sql::Release).run();
    }
  } catch (...) {
    // Never thrown from a destructor. A rollback that failed leaves the
    // transaction to SQLite, which rolls back when the connection is used
    // again or closed.
  }
  if (outermost_) {
    state.rolled_back = false;
  } else if (!connection_.in_transaction()) {
    state.rolled_back = true;  // SQLite rolled back everything, not just this scope
  }
  // Rows culled in the undone scope are back: culling must look again.
  connection_.cull_state() = {};
  for (std::size_t i = rollback_mark_; i < state.remove_on_rollback.size(); ++i) {
    files_.remove(state.remove_on_rollback[i]);
  }
  state.remove_on_rollback.resize(rollback_mark_);
  state.remove_after_commit.resize(commit_mark_);
  --state.depth;
}

void WriteTransaction::commit() {
  auto& state = connection_.transaction();
  if (lost()) throw_rolled_back();
  if (!outermost_) {
    connection_.query(Sql::Release).run();
    finished_ = true;
    --state.depth;
    return;
  }
  DISKCACHE_TEST_KILL_POINT("before_commit");
  connection_.query(Sql::Commit).run();
  finished_ = true;
  --state.depth;
  DISKCACHE_TEST_KILL_POINT("after_commit");
  // The rows naming these files are gone for good; only now may the files go.
  for (const std::string& name : state.remove_after_commit) files_.remove(name);
  state.remove_after_commit.clear();
  state.remove_on_rollback.clear();
}

bool WriteTransaction::lost() {
  // Inside a scope SQLite must have a transaction open; if it has none, it
  // rolled everything back on an error, and a statement run now would run
  // (and commit) on its own.
  auto& state = connection_.transaction();
  if (!state.rolled_back && !connection_.in_transaction()) state.rolled_back = true;
  return state.rolled_back;
}

void WriteTransaction::throw_rolled_back() const {
  throw Error("the transaction in " + connection_.directory().string() +
                  " was rolled back when an operation in it failed (SQLite ends the whole "
                  "transaction on some errors, such as running out of memory); nothing in it "
                  "was stored",
              connection_.directory());
}

void WriteTransaction::remove_after_commit(std::string name) {
  if (!name.empty()) connection_.transaction().remove_after_commit.push_back(std::move(name));
}

void WriteTransaction::remove_on_rollback(std::string name) {
  if (!name.empty()) connection_.transaction().remove_on_rollback.push_back(std::move(name));
}

}  // namespace diskcache::detail
