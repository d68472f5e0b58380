// The SQLite engine's queue on a cache (Store::push, pull, peek), statement for statement as
// core.py's Cache.push, pull and peek: a queue is a key range, its ends are
// found with ORDER BY key, new keys are one past an end.
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "sqlite_rows.hpp"

namespace diskcache::detail {

namespace {

constexpr std::int64_t kFirstNumber = 500000000000000;  // core.py: "starts at 500 trillion"

// The open key interval of one queue, as core.py's min_key and max_key.
struct QueueRange {
  explicit QueueRange(const std::optional<std::string>& prefix)
      : low(prefix ? Cell::text(*prefix + "-000000000000000") : Cell::integer(0)),
        high(prefix ? Cell::text(*prefix + "-999999999999999") : Cell::integer(999999999999999)) {}

  void bind(Query& query) const { query.bind(1, low).bind(2, high); }

  Cell low;
  Cell high;
};

// The key numbered `number`: the integer itself, or "prefix-%015d" as
// core.py formats it (a negative number keeps its sign inside the 15 digits).
Cell queue_key(const std::optional<std::string>& prefix, std::int64_t number) {
  if (!prefix) return Cell::integer(number);
  char digits[32];
  std::snprintf(digits, sizeof digits, "%015" PRId64, number);
  return Cell::text(*prefix + "-" + digits);
}

// The key `step` (+1 or -1) past `end`, the key at one end of the queue.
Cell key_beside(SqliteEngine& engine, const std::optional<std::string>& prefix, const Cell& end,
                std::int64_t step) {
  if (!prefix) {
    // Only numbers sort between two integer bounds. Python adds 1 to a
    // float key as well, and so do we.
    if (end.kind() == Cell::Kind::Real) return Cell::real(end.real() + static_cast<double>(step));
    return Cell::integer(end.integer() + step);
  }
  // Python takes the number after the last '-'; the range guarantees the
  // key starts with "prefix-" but not that a number follows.
  const std::string_view text = end.bytes();
  const std::string_view digits = text.substr(text.rfind('-') + 1);
  std::int64_t number = 0;
  const char* last = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), last, number);
  if (digits.empty() || error != std::errc() || stop != last ||
      __builtin_add_overflow(number, step, &number)) {
    throw Error("cannot push to queue '" + *prefix + "' in " + engine.directory().string() +
                    ": the key " + end.repr() + " at its end does not end in a number",
                engine.directory(), end.repr());
  }
  return queue_key(prefix, number);
}

constexpr auto kNoCheck = [](const Cell&, const StoredItem&) {};

struct QueueItem {
  Cell key;
  StoredItem item;
  RowFile row;
};

// The unexpired item at `side` of the queue, its value loaded (inside
// `transaction`, so a missing file is corruption, not a race). Expired items
// found there first are deleted. nullopt when the queue is empty.
std::optional<QueueItem> item_at(SqliteEngine& engine, Connection& connection,
                                 WriteTransaction& transaction, const QueueRange& range,
                                 Side side) {
  while (true) {
    Cell key;
    ValueLocation location;
    {
      Query query =
          connection.query(side == Side::Front ? Sql::QueueFirstItem : Sql::QueueLastItem);
      range.bind(query);
      if (!query.step()) return std::nullopt;
      key = query.cell(1);
      key.set_raw(true);
      // Columns: rowid, key, expire_time, tag, mode, filename, value, size
      location = read_location(query, 0, 2);
    }
    const RowFile row{location.rowid, location.filename};
    if (location.expire_time && *location.expire_time < now_seconds()) {
      delete_rows(connection, transaction, {row});
      continue;
    }
    std::optional<Cell> value = load_value(engine, location, key);
    if (!value) missing_file(engine, location, key);
    StoredItem item = to_item(location, std::move(*value));
    return QueueItem{std::move(key), std::move(item), row};
  }
}

// pull (remove = true) and peek: one write transaction, which also commits
// the removal of expired items met at the end of the queue.
std::optional<std::pair<Cell, StoredItem>> take(SqliteEngine& engine,
                                                const std::optional<std::string>& prefix, Side side,
                                                bool retry, bool remove,
                                                SqliteEngine::ItemCheckRef check) {
  const QueueRange range(prefix);
  Connection& connection = engine.connection();
  if (connection.transaction().depth == 0) {
    // An empty queue is answered by a read, without the write lock: idle
    // consumers then never hold up producers (or each other).
    Query query = connection.query(side == Side::Front ? Sql::QueueFirstKey : Sql::QueueLastKey);
    range.bind(query);
    if (!query.step()) return std::nullopt;
  }
  WriteTransaction transaction = engine.begin_write(connection, retry);
  std::optional<QueueItem> found = item_at(engine, connection, transaction, range, side);
  if (found && remove) {
    check(found->key, found->item);
    delete_rows(connection, transaction, {found->row});
  }
  transaction.commit();
  if (!found) return std::nullopt;
  return std::pair<Cell, StoredItem>(std::move(found->key), std::move(found->item));
}

}  // namespace

Cell SqliteEngine::push(const Cell& value, const std::optional<std::string>& prefix, Side side,
                        const SetOptions& options) {
  const QueueRange range(prefix);
  const double now = now_seconds();
  Connection& connection = this->connection();
  if (prefix) require_queue_prefix(*prefix, directory());
  // The value file is written before taking the lock, as Python does; the
  // key is not known yet, so errors name the queue's next key.
  StagedValue staged(*this, value, ItemName::next_in_queue(prefix));
  WriteTransaction transaction = begin_write(connection, options.retry);
  staged.hand_over(transaction);

  Cell key = queue_key(prefix, kFirstNumber);
  {
    Query query = connection.query(side == Side::Back ? Sql::QueueLastKey : Sql::QueueFirstKey);
    range.bind(query);
    if (query.step()) key = key_beside(*this, prefix, query.cell(0), side == Side::Back ? 1 : -1);
  }
  commit_staged(*this, connection, transaction, key, std::nullopt, staged, now,
                expire_time_of(options.expire, now, key, directory()), options.tag);
  return key;
}

std::optional<std::pair<Cell, StoredItem>> SqliteEngine::pull(
    const std::optional<std::string>& prefix, Side side, bool retry, const ItemCheck& check) {
  if (!check) return pull_checked(prefix, side, retry, kNoCheck);
  return pull_checked(prefix, side, retry, check);
}

std::optional<std::pair<Cell, StoredItem>> SqliteEngine::pull_checked(
    const std::optional<std::string>& prefix, Side side, bool retry, ItemCheckRef check) {
  return take(*this, prefix, side, retry, /*remove=*/true, check);
}

std::optional<std::pair<Cell, StoredItem>> SqliteEngine::peek(
    const std::optional<std::string>& prefix, Side side, bool retry) {
  return take(*this, prefix, side, retry, /*remove=*/false, kNoCheck);
}

std::optional<Cell> SqliteEngine::queue_key_at(const std::optional<std::string>& prefix,
                                               std::int64_t index, Side side) {
  const QueueRange range(prefix);
  Query query =
      connection().query(side == Side::Front ? Sql::QueueKeyAtFromFront : Sql::QueueKeyAtFromBack);
  range.bind(query);
  query.bind(3, index);
  if (!query.step()) return std::nullopt;
  Cell key = query.cell(0);
  key.set_raw(true);
  return key;
}

std::vector<Cell> SqliteEngine::queue_keys(const std::optional<std::string>& prefix, Side side,
                                           const std::optional<Cell>& after, std::int64_t limit) {
  QueueRange range(prefix);
  // The page starts past `after`: it narrows the open interval from its side.
  if (after) (side == Side::Front ? range.low : range.high) = *after;
  Query query =
      connection().query(side == Side::Front ? Sql::QueueKeysAscending : Sql::QueueKeysDescending);
  range.bind(query);
  query.bind(3, limit);
  std::vector<Cell> keys;
  while (query.step()) {
    keys.push_back(query.cell(0));
    keys.back().set_raw(true);
  }
  return keys;
}

}  // namespace diskcache::detail
