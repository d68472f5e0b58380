#include "sqlite_rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "diskcache/detail/utf8.hpp"
#include "diskcache/errors.hpp"
#include "kill_point.hpp"

namespace diskcache::detail {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<double> expire_time_of(std::optional<double> expire_seconds, double now,
                                     const Cell& key, const std::filesystem::path& directory) {
  if (!expire_seconds) return std::nullopt;
  if (std::isnan(*expire_seconds)) {
    throw Error("cannot set the expiry of key " + key.repr() + " in " + directory.string() +
                    ": the expire time is NaN",
                directory, key.repr());
  }
  return now + *expire_seconds;
}

std::optional<double> expire_time_of(const std::optional<std::chrono::duration<double>>& expire,
                                     double now, const Cell& key,
                                     const std::filesystem::path& directory) {
  if (!expire) return std::nullopt;
  return expire_time_of(expire->count(), now, key, directory);
}

namespace {

// Why SQLite would not give `number` back as stored; empty if it would.
std::string unstorable_real(double number) {
  return std::isnan(number) ? "NaN, which SQLite stores as NULL" : "";
}

// Why `text` must not become TEXT; empty if it may. Python's sqlite3 fails
// on a row whose TEXT is not UTF-8, and with it every iteration.
std::string unstorable_text(std::string_view text) {
  const std::size_t offset = invalid_utf8_offset(text);
  if (offset == text.size()) return "";
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[offset]));
  return "text that is not valid UTF-8 (byte " + std::string(byte) + " at offset " +
         std::to_string(offset) + ")";
}

std::string unstorable(const Cell& cell) {
  if (cell.kind() == Cell::Kind::Real) return unstorable_real(cell.real());
  if (cell.kind() == Cell::Kind::Text) return unstorable_text(cell.bytes());
  return "";
}

void refuse(const std::string& why, const char* what, const ItemName& name,
            const std::filesystem::path& directory) {
  if (why.empty()) return;
  const std::string item = name.str();
  throw SerializationError("cannot store the " + std::string(what) + " of key " + item + " in " +
                               directory.string() + ": it is " + why,
                           directory, item);
}

}  // namespace

void require_key(const Cell& key, const std::filesystem::path& directory) {
  if (key.is_null()) {
    throw SerializationError("a null value cannot be a key (in " + directory.string() + ")",
                             directory);
  }
  const std::string why = unstorable(key);
  if (!why.empty()) {
    throw SerializationError(
        "key " + key.repr() + " cannot be stored in " + directory.string() + ": it is " + why,
        directory, key.repr());
  }
}

void require_queue_prefix(std::string_view prefix, const std::filesystem::path& directory) {
  const std::string why = unstorable_text(prefix);
  if (!why.empty()) {
    throw SerializationError("queue prefix " + Cell::text_view(prefix).repr() +
                                 " cannot be stored in " + directory.string() + ": it is " + why,
                             directory);
  }
}

void require_storable(const Cell& value, const char* what, const ItemName& name,
                      const std::filesystem::path& directory) {
  refuse(unstorable(value), what, name, directory);
}

void require_storable(const Value& value, const char* what, const ItemName& name,
                      const std::filesystem::path& directory) {
  if (const double* number = value.get_if<double>()) {
    refuse(unstorable_real(*number), what, name, directory);
  } else if (const std::string* text = value.get_if<std::string>()) {
    refuse(unstorable_text(*text), what, name, directory);
  }
}

StagedValue::StagedValue(SqliteEngine& engine, const Cell& value, ItemName name)
    : files_(engine.files()), value_(&value), name_(std::move(name)) {
  require_storable(value, "value", name_, engine.directory());
  // A pickle keeps mode 4 inline and in a file, as Python stores one.
  const bool pickle = value.mode() == Mode::Pickle;
  if (pickle) mode_ = Mode::Pickle;
  const bool text = value.kind() == Cell::Kind::Text;
  if ((text || value.kind() == Cell::Kind::Blob) &&
      static_cast<std::int64_t>(value.bytes().size()) >= engine.min_file_size()) {
    filename_ = files_.write(value.bytes(), name_.str());
    mode_ = pickle ? Mode::Pickle : text ? Mode::Text : Mode::Binary;
    size_ = static_cast<std::int64_t>(value.bytes().size());
  }
}

StagedValue::StagedValue(SqliteEngine& engine, std::string filename, std::int64_t size, Mode mode,
                         ItemName name)
    : files_(engine.files()),
      mode_(mode),
      size_(size),
      filename_(std::move(filename)),
      name_(std::move(name)) {}

StagedValue::~StagedValue() {
  if (!handed_over_ && !filename_.empty()) files_.remove(filename_);
}

void StagedValue::hand_over(WriteTransaction& transaction) {
  if (filename_.empty()) return;
  transaction.remove_on_rollback(filename_);
  handed_over_ = true;
  files_.confirm_staged(filename_, size_, name_.str());
}

void StagedValue::bind(Query& query, int first) const {
  query.bind(first, size_).bind(first + 1, static_cast<std::int64_t>(mode_));
  if (filename_.empty()) {
    query.bind_null(first + 2).bind(first + 3, *value_);
  } else {
    query.bind_text(first + 2, filename_).bind_null(first + 3);
  }
}

void bind_tag(Query& query, int index, const std::optional<Value>& tag, const Cell& key,
              const std::filesystem::path& directory) {
  if (tag) {
    require_storable(*tag, "tag", key, directory);
    query.bind(index, *tag);
  } else {
    query.bind_null(index);
  }
}

void note_write(Connection& connection, std::optional<double> expire_time, std::int64_t file_size) {
  Connection::CullState& state = connection.cull_state();
  if (expire_time) state.next_expiry = std::min(state.next_expiry, *expire_time);
  // A replaced file's bytes are not subtracted: values_size stays an upper
  // bound, which only makes the next size check exact sooner.
  state.values_size += file_size;
}

RowFile row_file(Query& query) {
  return {query.integer(0), query.is_null(1) ? std::string() : std::string(query.text(1))};
}

std::vector<RowFile> select_rows(Query& query) {
  std::vector<RowFile> rows;
  while (query.step()) rows.push_back(row_file(query));
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

namespace {

std::int64_t page_count(Connection& connection) {
  Query query = connection.query(Sql::PageCount);
  return query.step() ? query.integer(0) : 0;
}

// Whether volume_of() has reached the size limit, as core.py's cull checks
// on every write, but cheaply: SQLite prepares a PRAGMA again each time it
// runs it, so "PRAGMA page_count" costs a tenth of a whole set. The page
// count is reused while the volume stays more than an eighth of the limit
// below it, for at most kPageCountReuses checks: only the database pages of
// small inline values can have grown meanwhile. The stored size of the
// values (which includes every value file, whoever wrote it) is read at the
// first check of a write transaction; later checks in it use that plus the
// bytes of the value files written since (see note_write), until a check
// needs the page count and reads both again.
bool over_size_limit(SqliteEngine& engine, Connection& connection) {
  constexpr int kPageCountReuses = 32;
  const std::int64_t limit = engine.size_limit();
  Connection::CullState& state = connection.cull_state();
  const bool size_fresh = !state.size_known;
  if (size_fresh) {
    state.values_size = setting_integer(connection, "size");
    state.size_known = true;
  }
  Connection::PageCountHint& hint = connection.page_count_hint();
  if (hint.pages >= 0 && hint.reuses < kPageCountReuses &&
      engine.page_size() * hint.pages + state.values_size < limit - limit / 8) {
    ++hint.reuses;
    return false;
  }
  hint.pages = page_count(connection);
  hint.reuses = 0;
  if (!size_fresh) state.values_size = setting_integer(connection, "size");
  return engine.page_size() * hint.pages + state.values_size >= limit;
}

}  // namespace

std::int64_t volume_of(SqliteEngine& engine, Connection& connection) {
  return engine.page_size() * page_count(connection) + setting_integer(connection, "size");
}

std::optional<Sql> eviction_select(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::LeastRecentlyStored: return Sql::SelectLeastRecentlyStored;
    case EvictionPolicy::LeastRecentlyUsed: return Sql::SelectLeastRecentlyUsed;
    case EvictionPolicy::LeastFrequentlyUsed: return Sql::SelectLeastFrequentlyUsed;
    case EvictionPolicy::None: break;
  }
  return std::nullopt;
}

namespace {

void insert_row(Connection& connection, const Cell& key, double now,
                std::optional<double> expire_time, const std::optional<Value>& tag,
                const StagedValue& value) {
  note_write(connection, expire_time, value.file_size());
  Query query = connection.query(Sql::InsertRow);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now).bind(4, expire_time);
  bind_tag(query, 5, tag, key, connection.directory());
  value.bind(query, 6);
  query.run(&key);
}

void update_row(Connection& connection, const Cell& key, std::int64_t rowid, double now,
                std::optional<double> expire_time, const std::optional<Value>& tag,
                const StagedValue& value) {
  note_write(connection, expire_time, value.file_size());
  Query query = connection.query(Sql::UpdateRow);
  query.bind(1, now).bind(2, expire_time);
  bind_tag(query, 3, tag, key, connection.directory());
  value.bind(query, 4);
  query.bind(8, rowid);
  query.run(&key);
}

// Culling on write, as core.py _cull: up to cull_limit expired items, then,
// if the cache is at its size limit, items by eviction policy. The size
// check may reuse a recent page count (see over_size_limit).
void cull_on_write(SqliteEngine& engine, Connection& connection, WriteTransaction& transaction,
                   double now) {
  std::int64_t limit = engine.cull_limit();
  if (limit == 0) return;
  std::vector<RowFile> rows;
  Connection::CullState& state = connection.cull_state();
  // Once a cull in this transaction has removed every expired row, none
  // expires before next_expiry: the query would find nothing until then.
  if (!state.expiry_known || now > state.next_expiry) {
    {
      Query query = connection.query(Sql::SelectExpiredForCull);
      query.bind(1, now).bind(2, limit);
      rows = select_rows(query);
    }
    delete_rows(connection, transaction, rows);
    if (!rows.empty()) DISKCACHE_TEST_KILL_POINT("mid_cull");
    // Worth knowing only when more writes follow in this transaction.
    state.expiry_known =
        static_cast<std::int64_t>(rows.size()) < limit && connection.transaction().depth > 1;
    if (state.expiry_known) {
      Query query = connection.query(Sql::MinExpireTime);
      state.next_expiry = query.step() && !query.is_null(0)
                              ? query.real(0)
                              : std::numeric_limits<double>::infinity();
    }
    limit -= static_cast<std::int64_t>(rows.size());
    if (limit == 0) return;
  }

  const std::optional<Sql> select = eviction_select(engine.eviction_policy());
  if (!select || !over_size_limit(engine, connection)) return;
  {
    Query query = connection.query(*select);
    query.bind(1, limit);
    rows = select_rows(query);
  }
  delete_rows(connection, transaction, rows);
}

}  // namespace

void commit_staged(SqliteEngine& engine, Connection& connection, WriteTransaction& transaction,
                   const Cell& key, const std::optional<RowFile>& replaced,
                   const StagedValue& staged, double now, std::optional<double> expire_time,
                   const std::optional<Value>& tag) {
  if (replaced) {
    update_row(connection, key, replaced->rowid, now, expire_time, tag, staged);
    transaction.remove_after_commit(replaced->filename);
  } else {
    insert_row(connection, key, now, expire_time, tag, staged);
  }
  cull_on_write(engine, connection, transaction, now);
  transaction.commit();
}

bool store_staged(SqliteEngine& engine, const Cell& key, StagedValue& staged, WriteMode mode,
                  const SetOptions& options, double now) {
  Connection& connection = engine.connection();
  WriteTransaction transaction = engine.begin_write(connection, options.retry);
  staged.hand_over(transaction);

  // SELECT then UPDATE or INSERT (not INSERT OR REPLACE): the old row's
  // file name is needed to remove the file after the commit.
  std::optional<RowFile> existing;
  {
    Query query = connection.query(Sql::SelectForWrite);
    query.bind(1, key).bind(2, raw_flag(key));
    if (query.step(&key)) {
      if (mode == WriteMode::AddIfAbsent) {
        const std::optional<double> old_expire = query.optional_real(2);
        // A live item wins: roll back, which also removes the staged file.
        if (!old_expire || *old_expire > now) return false;
      }
      existing = row_file(query);
    }
  }
  commit_staged(engine, connection, transaction, key, existing, staged, now,
                expire_time_of(options.expire, now, key, engine.directory()), options.tag);
  return true;
}

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

std::string unreadable_mode(std::int64_t mode, bool has_file) {
  // Range first: a cast to Mode keeps only the low 32 bits (2^32 + 1 is 1).
  const bool known = mode >= static_cast<int>(Mode::Raw) && mode <= static_cast<int>(Mode::Pickle);
  switch (known ? static_cast<Mode>(mode) : Mode::None) {
    case Mode::Raw: return has_file ? "mode 1 (raw) with a value file" : "";
    case Mode::Pickle: return "";
    case Mode::Binary:
    case Mode::Text:
      return has_file ? "" : "mode " + std::to_string(mode) + " without a value file";
    case Mode::None: break;
  }
  return "unknown value mode " + std::to_string(mode);
}

Mode checked_mode(SqliteEngine& engine, const ValueLocation& location, const Cell& key) {
  const std::string why = unreadable_mode(location.mode, !location.filename.empty());
  if (!why.empty()) {
    throw CorruptionError("cannot read the value of key " + key.repr() + " in " +
                              engine.directory().string() + ": " + why,
                          engine.directory(), key.repr());
  }
  return static_cast<Mode>(location.mode);
}

std::optional<Cell> load_value(SqliteEngine& engine, ValueLocation& location, const Cell& key) {
  const Mode mode = checked_mode(engine, location, key);
  if (mode == Mode::Raw) {
    Cell cell = std::move(location.inline_value);
    cell.set_mode(Mode::Raw);
    return cell;
  }
  if (mode == Mode::Pickle && location.filename.empty()) {
    // The policy decides what a pickle becomes (disk::Auto: a Value).
    Cell cell = std::move(location.inline_value);
    cell.set_mode(Mode::Pickle);
    return cell;
  }
  std::optional<std::string> bytes =
      engine.files().read(location.filename, location.size, key.repr());
  if (!bytes) return std::nullopt;
  Cell cell = mode == Mode::Text ? Cell::text(std::move(*bytes)) : Cell::blob(std::move(*bytes));
  cell.set_mode(mode);
  return cell;
}

StoredItem to_item(ValueLocation& location, Cell value) {
  std::int64_t size = location.size;
  if (location.filename.empty()) {
    const bool has_bytes = value.kind() == Cell::Kind::Text || value.kind() == Cell::Kind::Blob;
    size = has_bytes ? static_cast<std::int64_t>(value.bytes().size()) : 0;
  }
  return StoredItem{std::move(value), location.expire_time, std::move(location.tag), size};
}

[[noreturn]] void missing_file(SqliteEngine& engine, const ValueLocation& location,
                               const Cell& key) {
  throw CorruptionError("value file " + (engine.directory() / location.filename).string() +
                            " for key " + key.repr() + " is missing",
                        engine.directory(), key.repr());
}

std::optional<ValueLocation> select_item(Connection& connection, const Cell& key, double now) {
  Query query = connection.query(Sql::SelectItem);
  query.bind(1, key).bind(2, raw_flag(key)).bind(3, now);
  if (!query.step(&key)) return std::nullopt;
  return read_location(query, 0, 1);
}

bool load_without_lock(SqliteEngine& engine, const Cell& key,
                       FunctionRef<bool(ValueLocation& location)> load) {
  Connection& connection = engine.connection();
  // One read statement, no lock. A value file can vanish between the SELECT
  // and the open when a writer replaces the value and commits; the row is
  // read again then (RELIABILITY.md rule 2).
  for (int attempt = 0;; ++attempt) {
    std::optional<ValueLocation> location = select_item(connection, key, now_seconds());
    if (!location) return false;
    if (load(*location)) return true;
    if (attempt == kMissingFileRereads) missing_file(engine, *location, key);
  }
}

bool load_unexpired(SqliteEngine& engine, const Cell& key, bool retry,
                    FunctionRef<bool(ValueLocation& location)> load) {
  Connection& connection = engine.connection();
  const EvictionPolicy policy = engine.eviction_policy();
  const bool statistics = engine.statistics();
  const bool records_access =
      policy == EvictionPolicy::LeastRecentlyUsed || policy == EvictionPolicy::LeastFrequentlyUsed;

  if (!statistics && !records_access) return load_without_lock(engine, key, load);

  WriteTransaction transaction = engine.begin_write(connection, retry);
  const double now = now_seconds();
  std::optional<ValueLocation> location = select_item(connection, key, now);
  if (!location) {
    if (statistics) connection.query(Sql::CountMiss).run();
    transaction.commit();
    return false;
  }
  // Inside the write lock nobody can remove the file: missing is corruption.
  if (!load(*location)) missing_file(engine, *location, key);
  if (statistics) connection.query(Sql::CountHit).run();
  if (policy == EvictionPolicy::LeastRecentlyUsed) {
    connection.query(Sql::HitLeastRecentlyUsed).bind(1, now).bind(2, location->rowid).run();
  } else if (policy == EvictionPolicy::LeastFrequentlyUsed) {
    connection.query(Sql::HitLeastFrequentlyUsed).bind(1, location->rowid).run();
  }
  transaction.commit();
  return true;
}

}  // namespace diskcache::detail
