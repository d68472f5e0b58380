// The SQLite engine's single-key operations, statistics, transactions and
// waiting: each is one short write transaction (or a single read statement),
// following Python diskcache's core.py statement for statement, with value
// files handled by ValueFiles and WriteTransaction.
#include <algorithm>
#include <cmath>

#include "diskcache/errors.hpp"
#include "sqlite_rows.hpp"
#include "store_internal.hpp"

namespace diskcache::detail {

bool SqliteEngine::wait_until(std::chrono::duration<double> timeout,
                              const std::function<bool()>& attempt) {
  // Longest sleep without an event: bounds the cost of a missed wake-up.
  constexpr std::chrono::milliseconds kFallbackPoll{5};
  // Longer timeouts wait this long: converting them to the clock's integer
  // ticks would overflow.
  constexpr std::chrono::duration<double> kLongestWait = std::chrono::hours(24 * 365 * 100);
  if (std::isnan(timeout.count())) {
    throw Error("cannot wait for a change in " + directory().string() + ": the timeout is NaN",
                directory());
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::min(timeout, kLongestWait));
  if (attempt()) return true;
  ChangeSignal& changes = this->changes();
  while (true) {
    // The ticket comes before the attempt, so a commit between a failed
    // attempt and the sleep still ends the sleep.
    const std::uint64_t ticket = changes.ticket();
    if (attempt()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    changes.wait(ticket, std::min(deadline, now + kFallbackPoll));
  }
}

namespace {

// A Transaction's scope on this engine: a WriteTransaction, which rolls back
// when destroyed uncommitted.
class SqliteScope final : public Engine::Scope {
 public:
  SqliteScope(SqliteEngine& engine, bool retry)
      : transaction_(engine.begin_write(engine.connection(), retry)) {}
  void commit() override { transaction_.commit(); }

 private:
  WriteTransaction transaction_;
};

}  // namespace

std::unique_ptr<Engine::Scope> SqliteEngine::transact(bool retry) {
  return std::make_unique<SqliteScope>(*this, retry);
}

bool SqliteEngine::set(const Cell& key, const Cell& value, const SetOptions& options) {
  require_key(key, directory());
  const double now = now_seconds();
  StagedValue staged(*this, value, key);
  return store_staged(*this, key, staged, WriteMode::Replace, options, now);
}

bool SqliteEngine::add(const Cell& key, const Cell& value, const SetOptions& options) {
  require_key(key, directory());
  const double now = now_seconds();
  StagedValue staged(*this, value, key);
  return store_staged(*this, key, staged, WriteMode::AddIfAbsent, options, now);
}

std::optional<StoredItem> SqliteEngine::get(const Cell& key, bool retry) {
  require_key(key, directory());
  std::optional<StoredItem> item;
  load_unexpired(*this, key, retry, [&](ValueLocation& location) {
    std::optional<Cell> value = load_value(*this, location, key);
    if (value) item = to_item(location, std::move(*value));
    return value.has_value();
  });
  return item;
}

bool SqliteEngine::contains(const Cell& key) {
  require_key(key, directory());
  Query query = connection().query(Sql::ContainsKey);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now_seconds());
  return query.step(&key);
}

bool SqliteEngine::erase(const Cell& key, bool retry) {
  require_key(key, directory());
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
  if (!location) return false;
  delete_rows(connection, transaction, {{location->rowid, location->filename}});
  transaction.commit();
  return true;
}

std::optional<StoredItem> SqliteEngine::pop(const Cell& key, bool retry, const ItemCheck& check) {
  require_key(key, directory());
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
  if (!location) return std::nullopt;
  // Read before the delete commits: if the file is unreadable, the item stays.
  std::optional<Cell> value = load_value(*this, *location, key);
  if (!value) missing_file(*this, *location, key);
  const RowFile row{location->rowid, location->filename};
  StoredItem item = to_item(*location, std::move(*value));
  if (check) check(key, item);
  delete_rows(connection, transaction, {row});
  transaction.commit();
  return item;
}

namespace {

enum class Arithmetic { Add, Subtract };

// incr and decr: decr subtracts rather than adding -delta, as -INT64_MIN does
// not exist; every step is checked, so no user integer can overflow.
std::int64_t add_to_integer(SqliteEngine& engine, const Cell& key, std::int64_t delta,
                            Arithmetic arithmetic, std::optional<std::int64_t> default_value,
                            bool retry) {
  require_key(key, engine.directory());
  const double now = now_seconds();
  Connection& connection = engine.connection();
  WriteTransaction transaction = engine.begin_write(connection, retry);

  auto add = [&](std::int64_t base) {
    std::int64_t result;
    const bool overflow = arithmetic == Arithmetic::Add
                              ? __builtin_add_overflow(base, delta, &result)
                              : __builtin_sub_overflow(base, delta, &result);
    if (overflow) {
      const char* operation = arithmetic == Arithmetic::Add ? "incr" : "decr";
      throw SerializationError(std::string(operation) + " of key " + key.repr() + " in " +
                                   engine.directory().string() + " by " + std::to_string(delta) +
                                   " overflows a 64-bit integer (value " + std::to_string(base) +
                                   ")",
                               engine.directory(), key.repr());
    }
    return result;
  };
  auto start_from_default = [&]() {
    if (!default_value) {
      throw KeyError("key " + key.repr() + " not found in " + engine.directory().string(),
                     engine.directory(), key.repr());
    }
    return add(*default_value);
  };

  struct Existing {
    std::int64_t rowid;
    std::optional<double> expire_time;
    std::string filename;
    std::int64_t mode;
    Cell value;
  };
  std::optional<Existing> existing;
  {
    Query query = connection.query(Sql::SelectForIncr);
    query.bind(1, key).bind(2, raw_flag(key));
    if (query.step(&key)) {
      existing = Existing{query.integer(0), query.optional_real(1),
                          query.is_null(2) ? std::string() : std::string(query.text(2)),
                          query.integer(3), query.cell(4)};
    }
  }

  if (!existing || (existing->expire_time && *existing->expire_time < now)) {
    const std::int64_t result = start_from_default();
    const Cell cell = Cell::integer(result);
    std::optional<RowFile> replaced;
    if (existing) replaced = RowFile{existing->rowid, std::move(existing->filename)};
    commit_staged(engine, connection, transaction, key, replaced, StagedValue(engine, cell, key),
                  now, std::nullopt, std::nullopt);
    return result;
  }

  if (existing->mode != static_cast<std::int64_t>(Mode::Raw) ||
      existing->value.kind() != Cell::Kind::Integer) {
    throw SerializationError("cannot incr key " + key.repr() + " in " +
                                 engine.directory().string() + ": its value is not an integer",
                             engine.directory(), key.repr());
  }
  const std::int64_t result = add(existing->value.integer());
  Sql update = Sql::UpdateValueKeepMeta;
  if (engine.eviction_policy() == EvictionPolicy::LeastRecentlyUsed) {
    update = Sql::UpdateValueKeepMetaLru;
  } else if (engine.eviction_policy() == EvictionPolicy::LeastFrequentlyUsed) {
    update = Sql::UpdateValueKeepMetaLfu;
  }
  connection.query(update).bind(1, now).bind(2, result).bind(3, existing->rowid).run(&key);
  transaction.commit();
  return result;
}

}  // namespace

std::int64_t SqliteEngine::incr(const Cell& key, std::int64_t delta,
                                std::optional<std::int64_t> default_value, bool retry) {
  return add_to_integer(*this, key, delta, Arithmetic::Add, default_value, retry);
}

std::int64_t SqliteEngine::decr(const Cell& key, std::int64_t delta,
                                std::optional<std::int64_t> default_value, bool retry) {
  return add_to_integer(*this, key, delta, Arithmetic::Subtract, default_value, retry);
}

bool SqliteEngine::touch(const Cell& key, std::optional<double> expire_seconds, bool retry) {
  require_key(key, directory());
  const double now = now_seconds();
  const std::optional<double> expire_time = expire_time_of(expire_seconds, now, key, directory());
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  std::optional<std::int64_t> rowid;
  {
    Query query = connection.query(Sql::SelectForWrite);
    query.bind(1, key).bind(2, raw_flag(key));
    if (query.step(&key)) {
      const std::optional<double> old_expire = query.optional_real(2);
      if (!old_expire || *old_expire > now) rowid = query.integer(0);
    }
  }
  if (!rowid) return false;
  note_write(connection, expire_time, 0);
  connection.query(Sql::TouchRow).bind(1, expire_time).bind(2, *rowid).run(&key);
  transaction.commit();
  return true;
}

std::optional<std::pair<Cell, StoredItem>> SqliteEngine::peekitem(bool last, bool retry) {
  Connection& connection = this->connection();
  WriteTransaction transaction = begin_write(connection, retry);
  while (true) {
    std::optional<ValueLocation> location;
    Cell key;
    {
      Query query = connection.query(last ? Sql::SelectLastItem : Sql::SelectFirstItem);
      if (!query.step()) return std::nullopt;
      key = query.cell(1);
      key.set_raw(query.integer(2) != 0);
      // Columns: rowid, key, raw, expire_time, tag, mode, filename, value, size
      location = read_location(query, 0, 3);
    }
    if (location->expire_time && *location->expire_time < now_seconds()) {
      delete_rows(connection, transaction, {{location->rowid, location->filename}});
      continue;
    }
    std::optional<Cell> value = load_value(*this, *location, key);
    if (!value) missing_file(*this, *location, key);
    transaction.commit();
    return std::pair<Cell, StoredItem>(std::move(key), to_item(*location, std::move(*value)));
  }
}

std::int64_t SqliteEngine::size() { return setting_integer(connection(), "count"); }

std::int64_t SqliteEngine::volume() { return volume_of(*this, connection()); }

std::int64_t SqliteEngine::expire(std::optional<double> now, bool retry) {
  const double before = now.value_or(now_seconds());
  return remove_in_batches(*this, retry, [&](Connection& connection, std::int64_t) {
    Query query = connection.query(Sql::SelectExpiredBatch);
    query.bind(1, before).bind(2, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t SqliteEngine::evict(const Value& tag, bool retry) {
  return remove_in_batches(*this, retry, [&](Connection& connection, std::int64_t last) {
    Query query = connection.query(Sql::SelectTaggedBatch);
    query.bind(1, tag).bind(2, last).bind(3, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t SqliteEngine::clear(bool retry) {
  return remove_in_batches(*this, retry, [&](Connection& connection, std::int64_t last) {
    Query query = connection.query(Sql::SelectAllBatch);
    query.bind(1, last).bind(2, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t SqliteEngine::cull(bool retry) {
  std::int64_t removed = expire(std::nullopt, retry);
  const std::optional<Sql> select = eviction_select(eviction_policy());
  if (!select) return removed;
  Connection& connection = this->connection();
  while (volume_of(*this, connection) > size_limit()) {
    WriteTransaction transaction = begin_write(connection, retry);
    std::vector<RowFile> rows;
    {
      Query query = connection.query(*select);
      query.bind(1, std::int64_t{10});
      rows = select_rows(query);
    }
    if (rows.empty()) break;
    delete_rows(connection, transaction, rows);
    transaction.commit();
    removed += static_cast<std::int64_t>(rows.size());
    DISKCACHE_TEST_KILL_POINT("mid_cull");
  }
  return removed;
}

Stats SqliteEngine::stats(bool enable, bool reset_counters) {
  Connection& connection = this->connection();
  // Without a reset it only reads: reading the counters never waits for a
  // writer's lock (a writer may count a hit between the two reads, as in
  // Python). A reset reads and zeroes them in one write transaction.
  std::optional<WriteTransaction> transaction;
  if (reset_counters) transaction.emplace(connection, files_, /*retry=*/true, timeout());
  Stats result;
  result.hits = setting_integer(connection, "hits");
  result.misses = setting_integer(connection, "misses");
  if (transaction) {
    for (const char* name : {"hits", "misses"}) {
      connection.query(Sql::UpdateSetting).bind_text(1, name).bind(2, std::int64_t{0}).run();
    }
    transaction->commit();
  }
  if (statistics() != enable) {
    Settings change;
    change.statistics = enable;
    reset(change);
  }
  return result;
}

void SqliteEngine::create_tag_index() {
  Settings change;
  change.tag_index = true;
  reset(change);
}

void SqliteEngine::drop_tag_index() {
  Settings change;
  change.tag_index = false;
  reset(change);
}

SqliteEngine& SqliteEngine::TEST_of(const Store& store) {
  return dynamic_cast<SqliteEngine&>(StoreInternal::engine(store));
}

}  // namespace diskcache::detail
