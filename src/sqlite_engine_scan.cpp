// The SQLite engine's scan and its Cursor: iteration a page of rows at a
// time, as core.py's _iter (by rowid, bounded by the largest rowid at the
// start) and iterkeys (by key, continuing after the last key seen). Each page is one statement,
// reset before next() returns, so no read snapshot outlives a page.
#include <cmath>
#include <utility>
#include <vector>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "sqlite_rows.hpp"

namespace diskcache::detail {
namespace {

struct ScanRow {
  std::int64_t rowid;
  Cell key;
};

// Walks the rows a page at a time: each page is one query, reset before
// next() returns.
class SqliteCursor final : public Engine::Cursor {
 public:
  SqliteCursor(SqliteEngine& engine, ScanOptions options)
      : engine_(engine), options_(std::move(options)) {}

  bool next() override;
  const Cell& key() const noexcept override { return key_; }
  StoredItem& item() noexcept override { return item_; }

 private:
  bool read_page();
  void read_rowid_page(Connection& connection);
  void read_key_page(Connection& connection);
  bool load_item();

  SqliteEngine& engine_;  // outlives the cursor (Engine::scan)
  const ScanOptions options_;
  bool started_ = false;
  bool finished_ = false;  // the last page was short, or passed the range's end
  // Insertion order: rowids strictly between low and high remain.
  std::int64_t low_rowid_ = 0;
  std::int64_t high_rowid_ = 0;
  // Key order: the (key, raw) position the next page continues from.
  std::optional<Cell> position_;
  std::vector<ScanRow> page_;
  std::size_t next_row_ = 0;
  Cell key_;
  StoredItem item_;
};

bool SqliteCursor::read_page() {
  page_.clear();
  next_row_ = 0;
  if (finished_) return false;
  Connection& connection = engine_.connection();
  if (!started_) {
    started_ = true;
    if (options_.order == ScanOrder::Insertion) {
      Query query = connection.query(Sql::MaxRowid);
      query.step();
      if (query.is_null(0)) return false;
      // Rows stored after this moment lie beyond the bound and are not visited.
      high_rowid_ = query.integer(0) + 1;
      low_rowid_ = 0;
    }
  }
  if (options_.order == ScanOrder::Insertion) {
    read_rowid_page(connection);
  } else {
    read_key_page(connection);
  }
  if (static_cast<std::int64_t>(page_.size()) < Store::kScanPage) finished_ = true;
  return !page_.empty();
}

void SqliteCursor::read_rowid_page(Connection& connection) {
  Query query = connection.query(options_.reverse ? Sql::ScanByRowidDesc : Sql::ScanByRowidAsc);
  query.bind(1, low_rowid_).bind(2, high_rowid_).bind(5, now_seconds()).bind(6, Store::kScanPage);
  while (query.step()) {
    Cell row_key = query.cell(1);
    row_key.set_raw(query.integer(2) != 0);
    page_.push_back({query.integer(0), std::move(row_key)});
  }
  if (page_.empty()) return;
  if (options_.reverse) {
    high_rowid_ = page_.back().rowid;
  } else {
    low_rowid_ = page_.back().rowid;
  }
}

void SqliteCursor::read_key_page(Connection& connection) {
  const bool ranged = options_.from || options_.to;
  const std::optional<Cell>& far_bound = options_.reverse ? options_.from : options_.to;
  Sql sql = options_.reverse ? Sql::ScanByKeyBefore : Sql::ScanByKeyAfter;
  // Positions are (key, raw) pairs: raw is 0 or 1, so -1 takes in both raw
  // flags of the key, and 0, as an upper bound, neither.
  Cell start_key;
  std::int64_t start_raw = -1;
  if (position_) {
    start_key = *position_;
    start_raw = position_->raw() ? 1 : 0;
  } else if (!options_.reverse) {
    // -infinity sorts before every key SQLite stores except NULL, which no
    // key is.
    start_key = options_.from ? *options_.from : Cell::real(-INFINITY);
  } else if (options_.to) {
    start_key = *options_.to;
    start_raw = 0;
  } else {
    sql = Sql::ScanByKeyLast;
  }

  Query query = connection.query(sql);
  if (sql != Sql::ScanByKeyLast) query.bind(1, start_key).bind(2, start_raw);
  if (far_bound) {
    query.bind(3, *far_bound);
  } else {
    query.bind_null(3);
  }
  query.bind(4, std::int64_t{ranged ? 1 : 0}).bind(5, now_seconds()).bind(6, Store::kScanPage);
  while (query.step()) {
    // Column 3 is NULL without a far bound, 0 once a key passes it.
    if (!query.is_null(3) && query.integer(3) == 0) {
      finished_ = true;
      break;
    }
    Cell row_key = query.cell(1);
    row_key.set_raw(query.integer(2) != 0);
    page_.push_back({query.integer(0), std::move(row_key)});
  }
  if (!page_.empty()) position_ = page_.back().key;
}

bool SqliteCursor::load_item() {
  // The page named the key; the value is read now, under the key, so it is
  // the one stored when the item is visited, and one value at a time is in
  // memory. A key removed since the page was read is skipped.
  bool found = false;
  load_without_lock(engine_, key_, [&](ValueLocation& location) {
    std::optional<Cell> value = load_value(engine_, location, key_);
    if (value) {
      item_ = to_item(location, std::move(*value));
      found = true;
    }
    return value.has_value();
  });
  return found;
}

bool SqliteCursor::next() {
  while (true) {
    if (next_row_ == page_.size() && !read_page()) return false;
    key_ = std::move(page_[next_row_++].key);
    if (!options_.values || load_item()) return true;
  }
}

}  // namespace

std::unique_ptr<Engine::Cursor> SqliteEngine::scan(ScanOptions options) {
  for (std::optional<Cell>* bound : {&options.from, &options.to}) {
    if (!*bound) continue;
    require_key(**bound, directory());
    if (options.order != ScanOrder::Key) {
      throw Error(
          "a scan in insertion order cannot have key bounds (in " + directory().string() + ")",
          directory(), (*bound)->repr());
    }
    // The caller's Cell may borrow from an object that goes away first.
    **bound = (*bound)->to_owning();
  }
  return std::make_unique<SqliteCursor>(*this, std::move(options));
}

}  // namespace diskcache::detail
