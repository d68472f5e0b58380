// The Store's operations: each is one short write transaction (or a single
// read statement), following Python diskcache's core.py statement for
// statement, with value files handled by ValueFiles and WriteTransaction.
#include "diskcache/store.hpp"

#include <chrono>
#include <limits>

#include "diskcache/errors.hpp"
#include "store_impl.hpp"
#include "transaction.hpp"

namespace diskcache {

using detail::Connection;
using detail::Query;
using detail::Sql;
using detail::WriteTransaction;

namespace {

constexpr std::int64_t kBatchSize = 100;  // rows per transaction in bulk removals
constexpr int kMissingFileRereads = 3;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<double> expire_time_of(const std::optional<std::chrono::duration<double>>& expire,
                                     double now) {
  if (!expire) return std::nullopt;
  return now + expire->count();
}

std::int64_t raw_flag(const Cell& key) { return key.raw() ? 1 : 0; }

void require_key(const Cell& key, const std::filesystem::path& directory) {
  if (key.is_null()) {
    throw SerializationError("a null value cannot be a key (in " + directory.string() + ")",
                             directory);
  }
}

// A value on its way into a row: inline, or already written to a value file.
// Until a transaction takes the file over, the destructor removes it.
class StagedValue {
 public:
  StagedValue(Store::Impl& impl, const Cell& value, const Cell& key)
      : files_(impl.files()), value_(value) {
    const bool text = value.kind() == Cell::Kind::Text;
    if ((text || value.kind() == Cell::Kind::Blob) &&
        static_cast<std::int64_t>(value.bytes().size()) >= impl.min_file_size()) {
      filename_ = files_.write(value.bytes(), key.repr());
      mode_ = text ? Mode::Text : Mode::Binary;
      size_ = static_cast<std::int64_t>(value.bytes().size());
    }
  }
  StagedValue(const StagedValue&) = delete;
  StagedValue& operator=(const StagedValue&) = delete;
  ~StagedValue() {
    if (!handed_over_ && !filename_.empty()) files_.remove(filename_);
  }

  void hand_over(WriteTransaction& transaction) {
    transaction.remove_on_rollback(filename_);
    handed_over_ = true;
  }

  // Binds size, mode, filename, value at parameters first..first+3.
  void bind(Query& query, int first) const {
    query.bind(first, size_).bind(first + 1, static_cast<std::int64_t>(mode_));
    if (filename_.empty()) {
      query.bind_null(first + 2).bind(first + 3, value_);
    } else {
      query.bind_text(first + 2, filename_).bind_null(first + 3);
    }
  }

 private:
  detail::ValueFiles& files_;
  const Cell& value_;
  Mode mode_ = Mode::Raw;
  std::int64_t size_ = 0;  // as Python: 0 for inline values
  std::string filename_;
  bool handed_over_ = false;
};

void bind_tag(Query& query, int index, const std::optional<Value>& tag) {
  if (tag) {
    query.bind(index, *tag);
  } else {
    query.bind_null(index);
  }
}

void insert_row(Connection& connection, const Cell& key, double now,
                std::optional<double> expire_time, const std::optional<Value>& tag,
                const StagedValue& value) {
  Query query = connection.query(Sql::InsertRow);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now).bind(4, expire_time);
  bind_tag(query, 5, tag);
  value.bind(query, 6);
  query.run(&key);
}

void update_row(Connection& connection, const Cell& key, std::int64_t rowid, double now,
                std::optional<double> expire_time, const std::optional<Value>& tag,
                const StagedValue& value) {
  Query query = connection.query(Sql::UpdateRow);
  query.bind(1, now).bind(2, expire_time);
  bind_tag(query, 3, tag);
  value.bind(query, 4);
  query.bind(8, rowid);
  query.run(&key);
}

struct RowFile {
  std::int64_t rowid;
  std::string filename;  // empty: inline value
};

// Runs a SELECT whose first two columns are rowid and filename.
std::vector<RowFile> select_rows(Query& query) {
  std::vector<RowFile> rows;
  while (query.step()) {
    rows.push_back({query.integer(0), query.is_null(1) ? std::string()
                                                        : std::string(query.text(1))});
  }
  return rows;
}

void delete_rows(Connection& connection, WriteTransaction& transaction,
                 const std::vector<RowFile>& rows) {
  for (const RowFile& row : rows) {
    connection.query(Sql::DeleteRow).bind(1, row.rowid).run();
    transaction.remove_after_commit(row.filename);
  }
}

std::int64_t setting_integer(Connection& connection, const char* name) {
  Query query = connection.query(Sql::SelectSetting);
  query.bind_text(1, name);
  return query.step() ? query.integer(0) : 0;
}

std::int64_t volume_of(Store::Impl& impl, Connection& connection) {
  std::int64_t pages = 0;
  {
    Query query = connection.query(Sql::PageCount);
    if (query.step()) pages = query.integer(0);
  }
  return impl.page_size() * pages + setting_integer(connection, "size");
}

// The query selecting `policy`'s eviction candidates (rowid, filename),
// oldest first; none for EvictionPolicy::None.
std::optional<Sql> eviction_select(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::LeastRecentlyStored: return Sql::SelectLeastRecentlyStored;
    case EvictionPolicy::LeastRecentlyUsed: return Sql::SelectLeastRecentlyUsed;
    case EvictionPolicy::LeastFrequentlyUsed: return Sql::SelectLeastFrequentlyUsed;
    case EvictionPolicy::None: break;
  }
  return std::nullopt;
}

// Culling on write, as core.py _cull: up to cull_limit expired items, then,
// if the cache is at its size limit, items by eviction policy.
void cull_on_write(Store::Impl& impl, Connection& connection, WriteTransaction& transaction,
                   double now) {
  std::int64_t limit = impl.cull_limit();
  if (limit == 0) return;
  std::vector<RowFile> rows;
  {
    Query query = connection.query(Sql::SelectExpiredForCull);
    query.bind(1, now).bind(2, limit);
    rows = select_rows(query);
  }
  delete_rows(connection, transaction, rows);
  limit -= static_cast<std::int64_t>(rows.size());
  if (limit == 0) return;

  const std::optional<Sql> select = eviction_select(impl.eviction_policy());
  if (!select || volume_of(impl, connection) < impl.size_limit()) return;
  {
    Query query = connection.query(*select);
    query.bind(1, limit);
    rows = select_rows(query);
  }
  delete_rows(connection, transaction, rows);
}

// The columns of a row that locate its value.
struct ValueLocation {
  std::int64_t rowid = 0;
  std::optional<double> expire_time;
  std::optional<Value> tag;
  std::int64_t mode = 0;
  std::string filename;
  std::int64_t size = 0;
  Cell inline_value;
};

// Reads columns expire_time..size laid out as in SelectItem, from `first`.
ValueLocation read_location(const Query& query, int rowid_column, int first) {
  ValueLocation location;
  location.rowid = query.integer(rowid_column);
  location.expire_time = query.optional_real(first);
  if (!query.is_null(first + 1)) location.tag = query.value(first + 1);
  location.mode = query.integer(first + 2);
  if (!query.is_null(first + 3)) location.filename = std::string(query.text(first + 3));
  location.inline_value = query.cell(first + 4);
  location.size = query.integer(first + 5);
  return location;
}

// Turns a row's value into a Cell, reading its file if it has one. Returns
// nullopt if the file does not exist (the caller decides what that means).
std::optional<Cell> load_value(Store::Impl& impl, ValueLocation& location, const Cell& key) {
  const auto fail = [&](const std::string& why) -> std::optional<Cell> {
    throw CorruptionError("cannot read the value of key " + key.repr() + " in " +
                              impl.directory().string() + ": " + why,
                          impl.directory(), key.repr());
  };
  switch (static_cast<Mode>(location.mode)) {
    case Mode::Raw: {
      if (!location.filename.empty()) return fail("mode 1 (raw) with a value file");
      Cell cell = std::move(location.inline_value);
      cell.set_mode(Mode::Raw);
      return cell;
    }
    case Mode::Pickle: {
      // Never read, never decoded: the policy reports the pickle.
      Cell cell = Cell::blob(std::string());
      cell.set_mode(Mode::Pickle);
      return cell;
    }
    case Mode::Binary:
    case Mode::Text: {
      if (location.filename.empty()) {
        return fail("mode " + std::to_string(location.mode) + " without a value file");
      }
      std::optional<std::string> bytes =
          impl.files().read(location.filename, location.size, key.repr());
      if (!bytes) return std::nullopt;
      const bool text = static_cast<Mode>(location.mode) == Mode::Text;
      Cell cell = text ? Cell::text(std::move(*bytes)) : Cell::blob(std::move(*bytes));
      cell.set_mode(static_cast<Mode>(location.mode));
      return cell;
    }
    case Mode::None: break;
  }
  return fail("unknown value mode " + std::to_string(location.mode));
}

StoredItem to_item(ValueLocation& location, Cell value) {
  return StoredItem{std::move(value), location.expire_time, std::move(location.tag)};
}

[[noreturn]] void missing_file(Store::Impl& impl, const ValueLocation& location,
                               const Cell& key) {
  throw CorruptionError("value file " + (impl.directory() / location.filename).string() +
                            " for key " + key.repr() + " is missing",
                        impl.directory(), key.repr());
}

std::optional<ValueLocation> select_item(Connection& connection, const Cell& key,
                                         double now) {
  Query query = connection.query(Sql::SelectItem);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now);
  if (!query.step(&key)) return std::nullopt;
  return read_location(query, 0, 1);
}

}  // namespace

Store::Store(std::filesystem::path directory, const Settings& settings)
    : impl_(std::make_shared<Impl>(std::move(directory), settings)) {}

const std::filesystem::path& Store::directory() const noexcept { return impl_->directory(); }

Settings Store::settings() const { return impl_->settings(); }

void Store::reset(const Settings& settings) { impl_->store_settings(settings); }

void Store::close() { impl_->close(); }

bool Store::set(const Cell& key, const Cell& value, const SetOptions& options) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  const double now = now_seconds();
  Connection& connection = impl.connection();
  StagedValue staged(impl, value, key);
  WriteTransaction transaction(connection, impl.files(), options.retry, impl.timeout());
  staged.hand_over(transaction);

  // SELECT then UPDATE or INSERT (not INSERT OR REPLACE): the old row's
  // file name is needed to remove the file after the commit.
  std::optional<RowFile> existing;
  {
    Query query = connection.query(Sql::SelectForWrite);
    query.bind(1, key).bind(2, raw_flag(key));
    std::vector<RowFile> rows = select_rows(query);
    if (!rows.empty()) existing = rows.front();
  }
  const std::optional<double> expire_time = expire_time_of(options.expire, now);
  if (existing) {
    update_row(connection, key, existing->rowid, now, expire_time, options.tag, staged);
    transaction.remove_after_commit(existing->filename);
  } else {
    insert_row(connection, key, now, expire_time, options.tag, staged);
  }
  cull_on_write(impl, connection, transaction, now);
  transaction.commit();
  return true;
}

bool Store::add(const Cell& key, const Cell& value, const SetOptions& options) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  const double now = now_seconds();
  Connection& connection = impl.connection();
  StagedValue staged(impl, value, key);
  WriteTransaction transaction(connection, impl.files(), options.retry, impl.timeout());
  staged.hand_over(transaction);

  std::optional<std::int64_t> rowid;
  std::string old_filename;
  {
    Query query = connection.query(Sql::SelectForWrite);
    query.bind(1, key).bind(2, raw_flag(key));
    if (query.step(&key)) {
      const std::optional<double> old_expire = query.optional_real(2);
      // A live item wins: roll back, which also removes the staged file.
      if (!old_expire || *old_expire > now) return false;
      rowid = query.integer(0);
      if (!query.is_null(1)) old_filename = std::string(query.text(1));
    }
  }
  const std::optional<double> expire_time = expire_time_of(options.expire, now);
  if (rowid) {
    update_row(connection, key, *rowid, now, expire_time, options.tag, staged);
    transaction.remove_after_commit(old_filename);
  } else {
    insert_row(connection, key, now, expire_time, options.tag, staged);
  }
  cull_on_write(impl, connection, transaction, now);
  transaction.commit();
  return true;
}

std::optional<StoredItem> Store::get(const Cell& key, bool retry) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  Connection& connection = impl.connection();
  const EvictionPolicy policy = impl.eviction_policy();
  const bool statistics = impl.statistics();
  const bool records_access = policy == EvictionPolicy::LeastRecentlyUsed ||
                              policy == EvictionPolicy::LeastFrequentlyUsed;

  if (!statistics && !records_access) {
    // Fast path: one read statement, no lock. A value file can vanish
    // between the SELECT and the open when a writer replaces the value and
    // commits; the row is read again then (RELIABILITY.md rule 2).
    for (int attempt = 0;; ++attempt) {
      std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
      if (!location) return std::nullopt;
      std::optional<Cell> value = load_value(impl, *location, key);
      if (value) return to_item(*location, std::move(*value));
      if (attempt == kMissingFileRereads) missing_file(impl, *location, key);
    }
  }

  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
  const double now = now_seconds();
  std::optional<ValueLocation> location = select_item(connection, key, now);
  if (!location) {
    if (statistics) connection.query(Sql::CountMiss).run();
    transaction.commit();
    return std::nullopt;
  }
  // Inside the write lock nobody can remove the file: missing is corruption.
  std::optional<Cell> value = load_value(impl, *location, key);
  if (!value) missing_file(impl, *location, key);
  if (statistics) connection.query(Sql::CountHit).run();
  if (policy == EvictionPolicy::LeastRecentlyUsed) {
    connection.query(Sql::HitLeastRecentlyUsed).bind(1, now).bind(2, location->rowid).run();
  } else if (policy == EvictionPolicy::LeastFrequentlyUsed) {
    connection.query(Sql::HitLeastFrequentlyUsed).bind(1, location->rowid).run();
  }
  transaction.commit();
  return to_item(*location, std::move(*value));
}

bool Store::contains(const Cell& key) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  Query query = impl.connection().query(Sql::ContainsKey);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now_seconds());
  return query.step(&key);
}

bool Store::erase(const Cell& key, bool retry) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  Connection& connection = impl.connection();
  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
  std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
  if (!location) return false;
  delete_rows(connection, transaction, {{location->rowid, location->filename}});
  transaction.commit();
  return true;
}

std::optional<StoredItem> Store::pop(const Cell& key, bool retry) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  Connection& connection = impl.connection();
  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
  std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
  if (!location) return std::nullopt;
  // Read before the delete commits: if the file is unreadable, the item stays.
  std::optional<Cell> value = load_value(impl, *location, key);
  if (!value) missing_file(impl, *location, key);
  delete_rows(connection, transaction, {{location->rowid, location->filename}});
  transaction.commit();
  return to_item(*location, std::move(*value));
}

std::int64_t Store::incr(const Cell& key, std::int64_t delta,
                         std::optional<std::int64_t> default_value, bool retry) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  const double now = now_seconds();
  Connection& connection = impl.connection();
  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());

  auto add = [&](std::int64_t base) {
    std::int64_t sum;
    if (__builtin_add_overflow(base, delta, &sum)) {
      throw SerializationError("incr of key " + key.repr() + " by " + std::to_string(delta) +
                                   " overflows a 64-bit integer (value " +
                                   std::to_string(base) + ")",
                               impl.directory(), key.repr());
    }
    return sum;
  };
  auto start_from_default = [&]() {
    if (!default_value) {
      throw KeyError("key " + key.repr() + " not found in " + impl.directory().string(),
                     impl.directory(), key.repr());
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
    StagedValue staged(impl, cell, key);
    if (existing) {
      update_row(connection, key, existing->rowid, now, std::nullopt, std::nullopt, staged);
      transaction.remove_after_commit(existing->filename);
    } else {
      insert_row(connection, key, now, std::nullopt, std::nullopt, staged);
    }
    cull_on_write(impl, connection, transaction, now);
    transaction.commit();
    return result;
  }

  if (existing->mode != static_cast<std::int64_t>(Mode::Raw) ||
      existing->value.kind() != Cell::Kind::Integer) {
    throw SerializationError("cannot incr key " + key.repr() + " in " +
                                 impl.directory().string() +
                                 ": its value is not an integer",
                             impl.directory(), key.repr());
  }
  const std::int64_t result = add(existing->value.integer());
  Sql update = Sql::UpdateValueKeepMeta;
  if (impl.eviction_policy() == EvictionPolicy::LeastRecentlyUsed) {
    update = Sql::UpdateValueKeepMetaLru;
  } else if (impl.eviction_policy() == EvictionPolicy::LeastFrequentlyUsed) {
    update = Sql::UpdateValueKeepMetaLfu;
  }
  connection.query(update).bind(1, now).bind(2, result).bind(3, existing->rowid).run(&key);
  transaction.commit();
  return result;
}

bool Store::touch(const Cell& key, std::optional<double> expire_seconds, bool retry) {
  Impl& impl = *impl_;
  require_key(key, impl.directory());
  const double now = now_seconds();
  Connection& connection = impl.connection();
  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
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
  std::optional<double> expire_time;
  if (expire_seconds) expire_time = now + *expire_seconds;
  connection.query(Sql::TouchRow).bind(1, expire_time).bind(2, *rowid).run(&key);
  transaction.commit();
  return true;
}

std::optional<std::pair<Cell, StoredItem>> Store::peekitem(bool last, bool retry) {
  Impl& impl = *impl_;
  Connection& connection = impl.connection();
  WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
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
    std::optional<Cell> value = load_value(impl, *location, key);
    if (!value) missing_file(impl, *location, key);
    transaction.commit();
    return std::pair<Cell, StoredItem>(std::move(key), to_item(*location, std::move(*value)));
  }
}

std::int64_t Store::size() { return setting_integer(impl_->connection(), "count"); }

std::int64_t Store::volume() { return volume_of(*impl_, impl_->connection()); }

namespace {

// Removes rows in batches of kBatchSize, one transaction per batch, so other
// writers get the lock between batches. `select_batch` binds and runs the
// batch query, returning rows (rowid, filename); it is given the last rowid
// removed so far (0 at first).
template <class SelectBatch>
std::int64_t remove_in_batches(Store::Impl& impl, bool retry, SelectBatch&& select_batch) {
  Connection& connection = impl.connection();
  std::int64_t removed = 0;
  std::int64_t last_rowid = 0;
  while (true) {
    WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
    std::vector<RowFile> rows = select_batch(connection, last_rowid);
    if (rows.empty()) {
      transaction.commit();
      return removed;
    }
    delete_rows(connection, transaction, rows);
    transaction.commit();
    removed += static_cast<std::int64_t>(rows.size());
    last_rowid = rows.back().rowid;
  }
}

}  // namespace

std::int64_t Store::expire(bool retry) {
  const double now = now_seconds();
  return remove_in_batches(*impl_, retry, [&](Connection& connection, std::int64_t) {
    Query query = connection.query(Sql::SelectExpiredBatch);
    query.bind(1, now).bind(2, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t Store::evict(const Value& tag, bool retry) {
  return remove_in_batches(*impl_, retry, [&](Connection& connection, std::int64_t last) {
    Query query = connection.query(Sql::SelectTaggedBatch);
    query.bind(1, tag).bind(2, last).bind(3, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t Store::clear(bool retry) {
  return remove_in_batches(*impl_, retry, [&](Connection& connection, std::int64_t last) {
    Query query = connection.query(Sql::SelectAllBatch);
    query.bind(1, last).bind(2, kBatchSize);
    return select_rows(query);
  });
}

std::int64_t Store::cull(bool retry) {
  Impl& impl = *impl_;
  std::int64_t removed = expire(retry);
  const std::optional<Sql> select = eviction_select(impl.eviction_policy());
  if (!select) return removed;
  Connection& connection = impl.connection();
  while (volume_of(impl, connection) > impl.size_limit()) {
    WriteTransaction transaction(connection, impl.files(), retry, impl.timeout());
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
  }
  return removed;
}

Stats Store::stats(bool enable, bool reset) {
  Impl& impl = *impl_;
  Connection& connection = impl.connection();
  Stats result;
  {
    WriteTransaction transaction(connection, impl.files(), /*retry=*/true, impl.timeout());
    result.hits = setting_integer(connection, "hits");
    result.misses = setting_integer(connection, "misses");
    if (reset) {
      for (const char* name : {"hits", "misses"}) {
        connection.query(Sql::UpdateSetting).bind_text(1, name).bind(2, std::int64_t{0}).run();
      }
    }
    transaction.commit();
  }
  if (impl.statistics() != enable) {
    Settings change;
    change.statistics = enable;
    impl.store_settings(change);
  }
  return result;
}

void Store::create_tag_index() {
  Settings change;
  change.tag_index = true;
  impl_->store_settings(change);
}

void Store::drop_tag_index() {
  Settings change;
  change.tag_index = false;
  impl_->store_settings(change);
}

}  // namespace diskcache
