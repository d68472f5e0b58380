// Leases: an item pulled from a queue waits in the Lease table until it is
// acknowledged (deleted for good), released, or its deadline passes, when
// it goes back to the front of its queue. The Lease table sits beside
// Python's tables in cache.db; Python diskcache never reads it, so leased
// items are invisible to Python's Deque (and to its len()). Values are kept
// inline there, never in value files, so that Python's check() cannot take
// a leased item's file for an orphan.
#include <cmath>
#include <random>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "schema.hpp"
#include "sqlite_rows.hpp"

namespace diskcache::detail {

namespace {

std::int64_t random_token() {
  static thread_local std::mt19937_64 generator(std::random_device{}());
  return static_cast<std::int64_t>(generator() >> 1);
}

// Throws Error for a NaN `visibility`: it would be stored as a NULL
// deadline, which never passes, so the item would never come back to its
// queue if its consumer died.
void refuse_nan_visibility(std::chrono::duration<double> visibility,
                           const std::filesystem::path& directory) {
  if (std::isnan(visibility.count())) {
    throw Error(
        "cannot lease from the queue in " + directory.string() + ": the visibility timeout is NaN",
        directory);
  }
}

void bind_queue(Query& query, int index, const std::optional<std::string>& prefix) {
  if (prefix) {
    query.bind_text(index, *prefix);
  } else {
    query.bind_null(index);
  }
}

struct LeaseRow {
  std::optional<std::string> queue;
  Cell key;
  std::optional<double> expire_time;
  std::optional<Value> tag;
  Cell value;
};

// Reads queue?, key, expire_time, tag, mode, value from columns first.. on.
LeaseRow read_lease(const Query& query, int first, std::optional<std::string> queue) {
  LeaseRow row{std::move(queue), query.cell(first), query.optional_real(first + 1), std::nullopt,
               query.cell(first + 4)};
  if (!query.is_null(first + 2)) row.tag = query.value(first + 2);
  row.value.set_mode(static_cast<Mode>(query.integer(first + 3)));
  return row;
}

// Pushes `row` back to the front of its queue; false if it expired meanwhile.
bool return_to_queue(SqliteEngine& engine, const LeaseRow& row, double now) {
  SetOptions options{.tag = row.tag, .retry = true};
  if (row.expire_time) {
    if (*row.expire_time <= now) return false;
    options.expire = std::chrono::duration<double>(*row.expire_time - now);
  }
  engine.push(row.value, row.queue, Side::Front, options);
  return true;
}

}  // namespace

void SqliteEngine::enable_leases() {
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, /*retry=*/true);
  create_lease_table(connection);
  transaction.commit();
}

std::int64_t SqliteEngine::reclaim_leases(const std::optional<std::string>& prefix, bool retry) {
  Connection& connection = this->connection();
  const double now = now_seconds();
  if (connection.transaction().depth == 0) {
    // Usually no lease has expired: a read says so without the write lock.
    Query query = connection.query(Sql::AnyExpiredLease);
    bind_queue(query, 1, prefix);
    query.bind(2, now);
    if (!query.step()) return 0;
  }
  WriteTransaction transaction = begin_write(connection, retry);
  struct Expired {
    std::int64_t id;
    std::int64_t token;
    LeaseRow row;
  };
  std::vector<Expired> expired;
  {
    Query query = connection.query(Sql::SelectExpiredLeases);
    bind_queue(query, 1, prefix);
    query.bind(2, now);
    // Largest original key first: each goes to the front, so the item that
    // was nearest the front ends up there again.
    while (query.step()) {
      expired.push_back({query.integer(0), query.integer(1), read_lease(query, 2, prefix)});
    }
  }
  std::int64_t returned = 0;
  for (const Expired& lease : expired) {
    if (return_to_queue(*this, lease.row, now)) ++returned;
    connection.query(Sql::DeleteLease).bind(1, lease.id).bind(2, lease.token).run();
  }
  transaction.commit();
  return returned;
}

std::optional<Engine::Leased> SqliteEngine::lease(const std::optional<std::string>& prefix,
                                                  Side side,
                                                  std::chrono::duration<double> visibility,
                                                  bool retry, const ItemCheck& check) {
  refuse_nan_visibility(visibility, directory());
  Connection& connection = this->connection();
  reclaim_leases(prefix, retry);
  // An empty queue is answered by a read, without the write lock.
  if (connection.transaction().depth == 0 && !queue_key_at(prefix, 0, side)) return std::nullopt;
  WriteTransaction transaction = begin_write(connection, retry);
  std::optional<std::pair<Cell, StoredItem>> pulled = pull(prefix, side, retry, check);
  if (!pulled) {
    transaction.commit();
    return std::nullopt;
  }
  Leased leased{0, random_token(), std::move(pulled->first), std::move(pulled->second)};
  {
    Query query = connection.query(Sql::InsertLease);
    // Counted from the grant, after any wait for the write lock.
    query.bind(1, leased.token).bind(2, now_seconds() + visibility.count());
    bind_queue(query, 3, prefix);
    query.bind(4, leased.key).bind(5, leased.item.expire_time);
    if (leased.item.tag) {
      query.bind(6, *leased.item.tag);
    } else {
      query.bind_null(6);
    }
    // Inline: a file-backed value's bytes move into the row.
    const Mode mode = leased.item.value.mode();
    if (mode == Mode::Pickle) {
      throw SerializationError("cannot lease key " + leased.key.repr() + " in " +
                                   directory().string() + ": its value is a Python pickle (mode 4)",
                               directory(), leased.key.repr());
    }
    query.bind(7, static_cast<std::int64_t>(mode == Mode::Binary || mode == Mode::Text ? Mode::Raw
                                                                                       : mode));
    query.bind(8, leased.item.value);
    query.run(&leased.key);
  }
  leased.id = connection.last_insert_rowid();
  transaction.commit();
  DISKCACHE_TEST_KILL_POINT("lease_granted");
  return leased;
}

bool SqliteEngine::ack(std::int64_t id, std::int64_t token, bool retry) {
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  connection.query(Sql::DeleteLease).bind(1, id).bind(2, token).run();
  const bool found = connection.changes() > 0;
  DISKCACHE_TEST_KILL_POINT("ack_deleted");
  transaction.commit();
  return found;
}

bool SqliteEngine::renew(std::int64_t id, std::int64_t token,
                         std::chrono::duration<double> visibility, bool retry) {
  refuse_nan_visibility(visibility, directory());
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  connection.query(Sql::RenewLease)
      .bind(1, id)
      .bind(2, token)
      .bind(3, now_seconds() + visibility.count())
      .run();
  const bool found = connection.changes() > 0;
  transaction.commit();
  return found;
}

bool SqliteEngine::release(std::int64_t id, std::int64_t token, bool retry) {
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  std::optional<LeaseRow> row;
  {
    Query query = connection.query(Sql::SelectLease);
    query.bind(1, id).bind(2, token);
    if (query.step()) {
      std::optional<std::string> queue;
      if (!query.is_null(0)) queue = std::string(query.text(0));
      row = read_lease(query, 1, std::move(queue));
    }
  }
  if (!row) return false;
  return_to_queue(*this, *row, now_seconds());
  connection.query(Sql::DeleteLease).bind(1, id).bind(2, token).run();
  transaction.commit();
  return true;
}

}  // namespace diskcache::detail
