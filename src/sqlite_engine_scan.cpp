// Store::scan and its Cursor: iteration a page of rows at a time, as core.py's
// _iter (by rowid, bounded by the largest rowid at the start) and iterkeys
// (by key, continuing after the last key seen). Each page is one statement,
// reset before next() returns, so no read snapshot outlives a page.
#include <cmath>
#include <utility>
#include <vector>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "sqlite_rows.hpp"

namespace diskcache {

using namespace detail;  // NOLINT: the Store is built from these parts

namespace {

struct ScanRow {
  std::int64_t rowid;
  Cell key;
};

}  // namespace

struct Store::Cursor::State {
  std::shared_ptr<Impl> impl;
  ScanOptions options;
  bool started = false;
  bool finished = false;  // the last page was short, or passed the range's end
  // Insertion order: rowids strictly between low and high remain.
  std::int64_t low_rowid = 0;
  std::int64_t high_rowid = 0;
  // Key order: the (key, raw) position the next page continues from.
  std::optional<Cell> position;
  std::vector<ScanRow> page;
  std::size_t next_row = 0;
  Cell key;
  StoredItem item;

  bool read_page();
  void read_rowid_page(Connection& connection);
  void read_key_page(Connection& connection);
  bool load_item();
};

bool Store::Cursor::State::read_page() {
  page.clear();
  next_row = 0;
  if (finished) return false;
  Connection& connection = impl->connection();
  if (!started) {
    started = true;
    if (options.order == ScanOrder::Insertion) {
      Query query = connection.query(Sql::MaxRowid);
      query.step();
      if (query.is_null(0)) return false;
      // Rows stored after this moment lie beyond the bound and are not visited.
      high_rowid = query.integer(0) + 1;
      low_rowid = 0;
    }
  }
  if (options.order == ScanOrder::Insertion) {
    read_rowid_page(connection);
  } else {
    read_key_page(connection);
  }
  if (static_cast<std::int64_t>(page.size()) < kScanPage) finished = true;
  return !page.empty();
}

void Store::Cursor::State::read_rowid_page(Connection& connection) {
  Query query = connection.query(options.reverse ? Sql::ScanByRowidDesc : Sql::ScanByRowidAsc);
  query.bind(1, low_rowid).bind(2, high_rowid).bind(5, now_seconds()).bind(6, kScanPage);
  while (query.step()) {
    Cell row_key = query.cell(1);
    row_key.set_raw(query.integer(2) != 0);
    page.push_back({query.integer(0), std::move(row_key)});
  }
  if (page.empty()) return;
  if (options.reverse) {
    high_rowid = page.back().rowid;
  } else {
    low_rowid = page.back().rowid;
  }
}

void Store::Cursor::State::read_key_page(Connection& connection) {
  const bool ranged = options.from || options.to;
  const std::optional<Cell>& far_bound = options.reverse ? options.from : options.to;
  Sql sql = options.reverse ? Sql::ScanByKeyBefore : Sql::ScanByKeyAfter;
  // Positions are (key, raw) pairs: raw is 0 or 1, so -1 takes in both raw
  // flags of the key, and 0, as an upper bound, neither.
  Cell start_key;
  std::int64_t start_raw = -1;
  if (position) {
    start_key = *position;
    start_raw = position->raw() ? 1 : 0;
  } else if (!options.reverse) {
    // -infinity sorts before every key SQLite stores except NULL, which no
    // key is.
    start_key = options.from ? *options.from : Cell::real(-INFINITY);
  } else if (options.to) {
    start_key = *options.to;
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
  query.bind(4, std::int64_t{ranged ? 1 : 0}).bind(5, now_seconds()).bind(6, kScanPage);
  while (query.step()) {
    // Column 3 is NULL without a far bound, 0 once a key passes it.
    if (!query.is_null(3) && query.integer(3) == 0) {
      finished = true;
      break;
    }
    Cell row_key = query.cell(1);
    row_key.set_raw(query.integer(2) != 0);
    page.push_back({query.integer(0), std::move(row_key)});
  }
  if (!page.empty()) position = page.back().key;
}

bool Store::Cursor::State::load_item() {
  // The page named the key; the value is read now, under the key, so it is
  // the one stored when the item is visited, and one value at a time is in
  // memory. A key removed since the page was read is skipped.
  Impl& engine = *impl;
  bool found = false;
  load_without_lock(engine, key, [&](ValueLocation& location) {
    std::optional<Cell> value = load_value(engine, location, key);
    if (value) {
      item = to_item(location, std::move(*value));
      found = true;
    }
    return value.has_value();
  });
  return found;
}

Store::Cursor::Cursor(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Store::Cursor::Cursor(Cursor&&) noexcept = default;
Store::Cursor& Store::Cursor::operator=(Cursor&&) noexcept = default;
Store::Cursor::~Cursor() = default;

bool Store::Cursor::next() {
  State& state = *state_;
  while (true) {
    if (state.next_row == state.page.size() && !state.read_page()) return false;
    state.key = std::move(state.page[state.next_row++].key);
    if (!state.options.values || state.load_item()) return true;
  }
}

const Cell& Store::Cursor::key() const noexcept { return state_->key; }

StoredItem& Store::Cursor::item() noexcept { return state_->item; }

Store::Cursor Store::scan(ScanOptions options) {
  Impl& impl = *impl_;
  for (std::optional<Cell>* bound : {&options.from, &options.to}) {
    if (!*bound) continue;
    require_key(**bound, impl.directory());
    if (options.order != ScanOrder::Key) {
      throw Error(
          "a scan in insertion order cannot have key bounds (in " + impl.directory().string() + ")",
          impl.directory(), (*bound)->repr());
    }
    // The caller's Cell may borrow from an object that goes away first.
    **bound = (*bound)->to_owning();
  }
  auto state = std::make_unique<Cursor::State>();
  state->impl = impl_;
  state->options = std::move(options);
  return Cursor(std::move(state));
}

}  // namespace diskcache
