// Leases: an item pulled from a queue waits in the Lease table until it is
// acknowledged (deleted for good), released, or its deadline passes, when
// it goes back to the front of its queue (or, once it has had
// Settings::max_deliveries leases, to the dead letters). The Lease table sits
// beside Python's tables in cache.db; Python diskcache never reads it, so
// leased items are invisible to Python's Deque (and to its len()). Values
// are kept inline there, never in value files, so that Python's check()
// cannot take a leased item's file for an orphan.
//
// An item back in its queue has a new key, and a Cache row has no room for
// our counts, so the Delivery table remembers how often it was leased,
// under its key and store_time (a key alone is reused once the item is
// popped, by us or by Python).
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
  std::int64_t deliveries = 1;
};

// Reads key, expire_time, tag, mode, value, deliveries from columns first..
// on.
LeaseRow read_lease(const Query& query, int first, std::optional<std::string> queue) {
  LeaseRow row{std::move(queue), query.cell(first),     query.optional_real(first + 1),
               std::nullopt,     query.cell(first + 4), query.integer(first + 5)};
  if (!query.is_null(first + 2)) row.tag = query.value(first + 2);
  row.value.set_mode(static_cast<Mode>(query.integer(first + 3)));
  return row;
}

// The Delivery row of the queue item under `key`, read while its Cache row
// still exists: nullopt if the key has none, else how often the item was
// leased before, or 0 if the row is a stale one of an earlier item under
// that key (a key alone is reused once popped; store_time tells them apart).
std::optional<std::int64_t> delivery_row(Connection& connection, const Cell& key) {
  Query query = connection.query(Sql::SelectDelivery);
  query.bind(1, key);
  if (!query.step()) return std::nullopt;
  return query.integer(0);
}

// Where the item of a lease that ended unacknowledged goes: to the dead
// letters once it has had max_deliveries leases, else back to the front of
// its queue, its deliveries remembered. Returns whether it went back to the
// queue (false: dead-lettered, or expired meanwhile and dropped).
bool return_to_queue(SqliteEngine& engine, Connection& connection, const LeaseRow& row, double now,
                     bool retry) {
  SetOptions options{.tag = row.tag, .retry = retry};
  if (row.expire_time) {
    if (*row.expire_time <= now) return false;
    options.expire = std::chrono::duration<double>(*row.expire_time - now);
  }
  if (deliveries_exhausted(row.deliveries, engine.max_deliveries())) {
    // Committed there before the Lease row's deletion commits here.
    engine.dead_letters()->push(row.value, row.queue, Side::Back, options);
    return false;
  }
  const Cell key = engine.push(row.value, row.queue, Side::Front, options);
  // Under the store_time the push gave the new row, which names it.
  connection.query(Sql::SaveDelivery).bind(1, key).bind(2, row.deliveries).run();
  return true;
}

}  // namespace

void SqliteEngine::enable_leases() {
  Connection& connection = this->connection();
  // Every Deque opens with this call, and the tables are usually there: a
  // read says so, so opening a queue never waits for another writer.
  if (lease_tables_complete(connection)) return;
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
    if (return_to_queue(*this, connection, lease.row, now, retry)) ++returned;
    connection.query(Sql::DeleteLease).bind(1, lease.id).bind(2, lease.token).run();
  }
  connection.query(Sql::PruneDeliveries).run();
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
  std::optional<std::int64_t> delivered;
  const auto check_and_count = [&](const Cell& key, const StoredItem& item) {
    if (check) check(key, item);
    delivered = delivery_row(connection, key);
  };
  std::optional<std::pair<Cell, StoredItem>> pulled =
      pull_checked(prefix, side, retry, check_and_count);
  if (!pulled) {
    transaction.commit();
    return std::nullopt;
  }
  Leased leased{0, random_token(), std::move(pulled->first), std::move(pulled->second)};
  // The item is leaving the queue: its count moves into the Lease row.
  if (delivered) connection.query(Sql::DeleteDelivery).bind(1, leased.key).run();
  const std::int64_t deliveries = delivered.value_or(0) + 1;
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
    // Inline: a file-backed value's bytes move into the row; a pickle keeps
    // mode 4, so it goes back to the queue as the pickle it was.
    const Mode mode = leased.item.value.mode();
    query.bind(7, static_cast<std::int64_t>(mode == Mode::Binary || mode == Mode::Text ? Mode::Raw
                                                                                       : mode));
    query.bind(8, leased.item.value);
    query.bind(9, deliveries);
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
  return_to_queue(*this, connection, *row, now_seconds(), retry);
  connection.query(Sql::DeleteLease).bind(1, id).bind(2, token).run();
  transaction.commit();
  return true;
}

std::int64_t SqliteEngine::leased_count(const std::optional<std::string>& prefix) {
  Connection& connection = this->connection();
  // Before enable_leases() there is no table, and nothing leased.
  if (!connection.query(Sql::LeaseTableExists).step()) return 0;
  Query query = connection.query(Sql::CountLeases);
  bind_queue(query, 1, prefix);
  query.step();
  return query.integer(0);
}

}  // namespace diskcache::detail
