// Row-level building blocks shared by the SQLite engine's operations: binding and
// writing rows, locating and loading values, culling, batch removal.
// Every function here runs on the calling thread's connection, inside the
// caller's transaction when it writes.
#ifndef DISKCACHE_SRC_SQLITE_ROWS_HPP_
#define DISKCACHE_SRC_SQLITE_ROWS_HPP_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "diskcache/cell.hpp"
#include "diskcache/store.hpp"
#include "function_ref.hpp"
#include "kill_point.hpp"
#include "sqlite_engine.hpp"
#include "transaction.hpp"

namespace diskcache::detail {

inline constexpr std::int64_t kBatchSize = 100;  // rows per transaction in bulk removals
inline constexpr int kMissingFileRereads = 3;

// Unix time in seconds, as Python's time.time().
double now_seconds();

// The Unix time at which an item written at `now` expires; none: never.
// Throws Error naming `key` for a NaN expire: SQLite would store NULL, which
// means never.
std::optional<double> expire_time_of(std::optional<double> expire_seconds, double now,
                                     const Cell& key, const std::filesystem::path& directory);
std::optional<double> expire_time_of(const std::optional<std::chrono::duration<double>>& expire,
                                     double now, const Cell& key,
                                     const std::filesystem::path& directory);

inline std::int64_t raw_flag(const Cell& key) { return key.raw() ? 1 : 0; }

// Throws SerializationError for a key SQLite cannot keep as it is: null,
// which nothing matches, NaN, which SQLite turns into NULL, or text that is
// not UTF-8, which Python cannot read back.
void require_key(const Cell& key, const std::filesystem::path& directory);

// Throws SerializationError for a queue prefix that cannot start a key: text
// that is not UTF-8, which Python cannot read back.
void require_queue_prefix(std::string_view prefix, const std::filesystem::path& directory);

// How messages name the item being written: by its key, or, before it has
// one, as the next key of its queue (push stages its value before that key
// is chosen). The name is formatted only when a message needs it: repr()
// allocates, and most writes print nothing. REQUIRES: the key or prefix
// outlives the ItemName.
class ItemName {
 public:
  ItemName(const Cell& key) noexcept : key_(&key) {}  // NOLINT: a key names its item
  // The next key of the queue `prefix`: 'prefix-<next>', or '<next queue
  // key>' for the queue of integer keys.
  static ItemName next_in_queue(const std::optional<std::string>& prefix) noexcept {
    return ItemName(prefix);
  }

  std::string str() const {
    if (key_ != nullptr) return key_->repr();
    return *queue_ ? "'" + **queue_ + "-<next>'" : "'<next queue key>'";
  }

 private:
  explicit ItemName(const std::optional<std::string>& queue) noexcept : queue_(&queue) {}

  const Cell* key_ = nullptr;
  const std::optional<std::string>* queue_ = nullptr;
};

// Throws SerializationError naming the item for a value or tag that SQLite
// would store as something else (a NaN becomes NULL) or Python could not
// read (text that is not UTF-8).
void require_storable(const Cell& value, const char* what, const ItemName& name,
                      const std::filesystem::path& directory);
void require_storable(const Value& value, const char* what, const ItemName& name,
                      const std::filesystem::path& directory);

// A value on its way into a row: inline, or already written to a value file.
// Until a transaction takes the file over, the destructor removes it.
class StagedValue {
 public:
  // Writes `value` to a value file if it is text or bytes of at least
  // Settings::disk_min_file_size. `name` only names the item in errors.
  StagedValue(SqliteEngine& engine, const Cell& value, ItemName name);
  // Adopts a value file already written for `name` (size bytes, mode Binary
  // or Text).
  StagedValue(SqliteEngine& engine, std::string filename, std::int64_t size, Mode mode,
              ItemName name);
  StagedValue(const StagedValue&) = delete;
  StagedValue& operator=(const StagedValue&) = delete;
  ~StagedValue();

  // From now on `transaction` removes the file if it rolls back. Throws
  // IoError if the file has gone meanwhile (see ValueFiles::confirm_staged).
  // REQUIRES: `transaction` holds the write lock, so no check(fix) runs.
  void hand_over(WriteTransaction& transaction);

  // Binds size, mode, filename, value at parameters first..first+3.
  void bind(Query& query, int first) const;
  // The value file's size in bytes; 0 for an inline value.
  std::int64_t file_size() const noexcept { return size_; }

 private:
  ValueFiles& files_;
  const Cell* value_ = nullptr;  // null when adopting a file
  Mode mode_ = Mode::Raw;
  std::int64_t size_ = 0;  // as Python: 0 for inline values
  std::string filename_;
  ItemName name_;  // for messages only
  bool handed_over_ = false;
};

// Binds `tag` (NULL if none); refuses one require_storable refuses.
void bind_tag(Query& query, int index, const std::optional<Value>& tag, const Cell& key,
              const std::filesystem::path& directory);

// Records in the connection's cull state (see Connection::CullState) a row
// written with `expire_time` and a value file of `file_size` bytes (0:
// inline). Every write of an expire_time or a value file calls it.
void note_write(Connection& connection, std::optional<double> expire_time, std::int64_t file_size);

struct RowFile {
  std::int64_t rowid;
  std::string filename;  // empty: inline value
};

// The end of every write of a value (set, add, incr from its default, push):
// inside `transaction`, which holds the write lock, makes `staged` the value
// of `key`, stored at `now`, in the row `replaced` (whose value file is
// removed after the commit) or in a new row; then culls as core.py's _cull
// (expired items, then items by eviction policy while at the size limit) and
// commits.
void commit_staged(SqliteEngine& engine, Connection& connection, WriteTransaction& transaction,
                   const Cell& key, const std::optional<RowFile>& replaced,
                   const StagedValue& staged, double now, std::optional<double> expire_time,
                   const std::optional<Value>& tag);

// What store_staged does with a row `key` already has.
enum class WriteMode {
  Replace,      // set: any row is replaced
  AddIfAbsent,  // add: an unexpired row wins and nothing is written
};

// The write of set() and add(): in one write transaction, which takes the
// staged file over, stores `staged` under `key` as `mode` says, at `now`,
// then culls and commits. Returns whether it stored.
bool store_staged(SqliteEngine& engine, const Cell& key, StagedValue& staged, WriteMode mode,
                  const SetOptions& options, double now);

// The current row of a SELECT whose first two columns are rowid and
// filename; select_rows() runs the SELECT and collects every row.
RowFile row_file(Query& query);
std::vector<RowFile> select_rows(Query& query);

// Deletes `rows`; their files go once the outermost transaction commits.
void delete_rows(Connection& connection, WriteTransaction& transaction,
                 const std::vector<RowFile>& rows);

// An integer row of the Settings table (count, size, hits, misses); 0 if absent.
std::int64_t setting_integer(Connection& connection, const char* name);

// Database pages plus the stored size of value files, as core.py volume().
std::int64_t volume_of(SqliteEngine& engine, Connection& connection);

// The query selecting `policy`'s eviction candidates (rowid, filename),
// oldest first; none for EvictionPolicy::None.
std::optional<Sql> eviction_select(EvictionPolicy policy);

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

// Reads the rowid from `rowid_column` and expire_time, tag, mode, filename,
// value, size from consecutive columns starting at `first`.
ValueLocation read_location(const Query& query, int rowid_column, int first);

// Why no reader can use a row with `mode` and (if `has_file`) a value file,
// e.g. "mode 1 (raw) with a value file"; empty if the row is readable.
// check() reports exactly the rows checked_mode refuses.
std::string unreadable_mode(std::int64_t mode, bool has_file);

// The row's mode, once known to agree with where the value is (inline for
// Raw, a file for Binary and Text). Throws CorruptionError otherwise.
Mode checked_mode(SqliteEngine& engine, const ValueLocation& location, const Cell& key);

// Turns a row's value into a Cell, reading its file if it has one. Returns
// nullopt if the file does not exist (the caller decides what that means).
// Throws CorruptionError for an inconsistent row or a damaged file.
std::optional<Cell> load_value(SqliteEngine& engine, ValueLocation& location, const Cell& key);

StoredItem to_item(ValueLocation& location, Cell value);

[[noreturn]] void missing_file(SqliteEngine& engine, const ValueLocation& location,
                               const Cell& key);

// The unexpired row of `key`, or nullopt.
std::optional<ValueLocation> select_item(Connection& connection, const Cell& key, double now);

// Finds the unexpired row of `key` and hands it to `load`, which returns
// false if the row's value file does not exist; then reads the row again, a
// few times, since a writer may have replaced the value meanwhile. Takes no
// lock and records nothing. Returns false if there is no unexpired row.
// Throws CorruptionError if the value file stays missing.
bool load_without_lock(SqliteEngine& engine, const Cell& key,
                       FunctionRef<bool(ValueLocation& location)> load);

// The read of get() and read(): finds the unexpired row of `key` and hands it
// to `load`, which returns false if the row's value file does not exist.
// Counts the hit or miss and records the access if statistics or the
// eviction policy need it. Returns false if there is no unexpired row.
// Throws CorruptionError if the value file stays missing.
bool load_unexpired(SqliteEngine& engine, const Cell& key, bool retry,
                    FunctionRef<bool(ValueLocation& location)> load);

// Removes rows in batches of kBatchSize, one transaction per batch, so other
// writers get the lock between batches. `select_batch` binds and runs the
// batch query, returning rows (rowid, filename); it is given the last rowid
// removed so far (0 at first).
template <class SelectBatch>
std::int64_t remove_in_batches(SqliteEngine& engine, bool retry, SelectBatch&& select_batch) {
  Connection& connection = engine.connection();
  std::int64_t removed = 0;
  std::int64_t last_rowid = 0;
  while (true) {
    WriteTransaction transaction = engine.begin_write(connection, retry);
    std::vector<RowFile> rows = select_batch(connection, last_rowid);
    if (rows.empty()) {
      transaction.commit();
      return removed;
    }
    delete_rows(connection, transaction, rows);
    transaction.commit();
    removed += static_cast<std::int64_t>(rows.size());
    last_rowid = rows.back().rowid;
    DISKCACHE_TEST_KILL_POINT("between_batches");
  }
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SQLITE_ROWS_HPP_
