#include "statement.hpp"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "sqlite_error.hpp"

namespace diskcache::detail {

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

namespace {

// The gate's state. Replaced in a fork()ed child: the condition variable may
// count waiters that are threads of the parent.
struct Gate {
  std::atomic<int> inside{0};  // threads inside
  std::atomic<bool> forking{false};
  std::mutex mutex;  // held across fork() by prepare()
  std::condition_variable changed;
};

std::atomic<Gate*> g_gate{new Gate};  // the parent's is leaked in a child
thread_local int t_gate_depth = 0;    // this thread's nesting of Use

void enter_gate() {
  Gate& gate = *g_gate.load();
  while (true) {
    gate.inside.fetch_add(1);
    if (!gate.forking.load()) return;
    // A fork is waiting for the threads inside: step back until it is done.
    gate.inside.fetch_sub(1);
    std::unique_lock lock(gate.mutex);
    gate.changed.notify_all();
    gate.changed.wait(lock, [&] { return !gate.forking.load(); });
  }
}

void leave_gate() {
  Gate& gate = *g_gate.load();
  gate.inside.fetch_sub(1);
  if (gate.forking.load()) {
    std::lock_guard lock(gate.mutex);
    gate.changed.notify_all();
  }
}

// SQLite's static mutexes, in the order SQLite nests them (an outer one may
// be held while an inner one is entered: OPEN then MAIN in sqlite3BtreeOpen,
// PRNG then MAIN in sqlite3_randomness, VFS1 then MEM in the unix VFS, LRU
// then PMEM then MEM in the page cache); MEM, the allocator's, innermost.
std::array<sqlite3_mutex*, 12>& static_mutexes() {
  static std::array<sqlite3_mutex*, 12> mutexes = [] {
    std::array<sqlite3_mutex*, 12> found{};
    std::size_t i = 0;
    for (int id : {SQLITE_MUTEX_STATIC_APP1, SQLITE_MUTEX_STATIC_APP2, SQLITE_MUTEX_STATIC_APP3,
                   SQLITE_MUTEX_STATIC_OPEN, SQLITE_MUTEX_STATIC_PRNG, SQLITE_MUTEX_STATIC_MAIN,
                   SQLITE_MUTEX_STATIC_VFS1, SQLITE_MUTEX_STATIC_VFS2, SQLITE_MUTEX_STATIC_VFS3,
                   SQLITE_MUTEX_STATIC_LRU, SQLITE_MUTEX_STATIC_PMEM, SQLITE_MUTEX_STATIC_MEM}) {
      found[i++] = sqlite3_mutex_alloc(id);  // null if SQLite has no mutexes
    }
    return found;
  }();
  return mutexes;
}

void leave_static_mutexes() {
  auto& mutexes = static_mutexes();
  for (auto it = mutexes.rbegin(); it != mutexes.rend(); ++it) sqlite3_mutex_leave(*it);
}

}  // namespace

ForkGate::Use::Use() {
  if (t_gate_depth++ == 0) enter_gate();
}

ForkGate::Use::~Use() {
  if (--t_gate_depth == 0) leave_gate();
}

ForkGate::Away::Away() : depth_(std::exchange(t_gate_depth, 0)) {
  if (depth_ > 0) leave_gate();
}

ForkGate::Away::~Away() {
  if (depth_ > 0) enter_gate();
  t_gate_depth = depth_;
}

void ForkGate::prepare() noexcept {
  auto& mutexes = static_mutexes();  // allocated before any is entered
  Gate& gate = *g_gate.load();
  std::unique_lock lock(gate.mutex);
  gate.forking.store(true);
  const int own = t_gate_depth > 0 ? 1 : 0;
  gate.changed.wait(lock, [&] { return gate.inside.load() == own; });
  lock.release();  // held across fork(), left by parent() or child()
  for (sqlite3_mutex* mutex : mutexes) sqlite3_mutex_enter(mutex);
}

void ForkGate::parent() noexcept {
  leave_static_mutexes();
  Gate& gate = *g_gate.load();
  gate.forking.store(false);
  gate.mutex.unlock();
  gate.changed.notify_all();
}

void ForkGate::child() noexcept {
  leave_static_mutexes();
  auto* fresh = new Gate;
  fresh->inside.store(t_gate_depth > 0 ? 1 : 0);
  g_gate.store(fresh);
}

Statement::Statement(sqlite3* db, std::string_view sql, const std::filesystem::path& directory)
    : sql_(sql) {
  const ForkGate::Use fork_gate;
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);  // owned before the check, so a failure still finalizes
  if (rc != SQLITE_OK) {
    throw_sqlite_error(db, rc, "cannot prepare \"" + sql_ + "\"", directory);
  }
}

Query::~Query() {
  sqlite3_reset(statement_->handle());
  sqlite3_clear_bindings(statement_->handle());
}

void Query::check_bind(int rc) const {
  if (rc != SQLITE_OK) {
    throw_sqlite_error(db_, rc, "cannot bind a parameter of \"" + statement_->sql() + "\"",
                       *directory_);
  }
}

Query& Query::bind(int index, std::int64_t number) {
  check_bind(sqlite3_bind_int64(statement_->handle(), index, number));
  return *this;
}

Query& Query::bind(int index, double number) {
  check_bind(sqlite3_bind_double(statement_->handle(), index, number));
  return *this;
}

Query& Query::bind_text(int index, std::string_view text) {
  check_bind(sqlite3_bind_text64(statement_->handle(), index, text.data(), text.size(),
                                 SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob must still be a BLOB, not NULL: SQLite binds NULL when
  // the pointer is null, so point at a static empty byte instead.
  static const char kEmpty = 0;
  const char* data = bytes.empty() ? &kEmpty : bytes.data();
  check_bind(sqlite3_bind_blob64(statement_->handle(), index, data, bytes.size(), SQLITE_STATIC));
  return *this;
}

Query& Query::bind_null(int index) {
  check_bind(sqlite3_bind_null(statement_->handle(), index));
  return *this;
}

Query& Query::bind(int index, const Cell& cell) {
  switch (cell.kind()) {
    case Cell::Kind::Null: return bind_null(index);
    case Cell::Kind::Integer: return bind(index, cell.integer());
    case Cell::Kind::Real: return bind(index, cell.real());
    case Cell::Kind::Text: return bind_text(index, cell.bytes());
    case Cell::Kind::Blob: return bind_blob(index, cell.bytes());
    default: break;  // a Cell holds no other kind
  }
  return *this;
}

Query& Query::bind(int index, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null: return bind_null(index);
    case Value::Kind::Integer: return bind(index, *value.get_if<std::int64_t>());
    case Value::Kind::Bool: return bind(index, std::int64_t{*value.get_if<bool>() ? 1 : 0});
    case Value::Kind::Real: return bind(index, *value.get_if<double>());
    case Value::Kind::Text: return bind_text(index, *value.get_if<std::string>());
    case Value::Kind::Blob: return bind_blob(index, Cell::as_chars(*value.get_if<Bytes>()));
    default: break;
  }
  // Tags and settings are columns of their own, which hold what SQLite
  // stores; Python's sqlite3 refuses the other kinds the same way.
  throw SerializationError(std::string("a ") + Value::kind_name(value.kind()) + " (" +
                               value.short_repr() + ") cannot be stored in a column of " +
                               directory_->string() + ": only None, int, float, str or bytes",
                           *directory_);
}

Query& Query::bind(int index, const std::optional<double>& number) {
  return number ? bind(index, *number) : bind_null(index);
}

bool Query::step(const Cell* key) {
  const int rc = sqlite3_step(statement_->handle());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, "cannot run \"" + statement_->sql() + "\"", *directory_,
                     key != nullptr ? key->repr() : std::string());
}

bool Query::is_null(int column) const {
  return sqlite3_column_type(statement_->handle(), column) == SQLITE_NULL;
}

std::int64_t Query::integer(int column) const {
  return sqlite3_column_int64(statement_->handle(), column);
}

double Query::real(int column) const { return sqlite3_column_double(statement_->handle(), column); }

std::optional<double> Query::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

std::string_view Query::text(int column) const {
  const auto* data =
      reinterpret_cast<const char*>(sqlite3_column_text(statement_->handle(), column));
  const int size = sqlite3_column_bytes(statement_->handle(), column);
  return data == nullptr ? std::string_view() : std::string_view(data, size);
}

Cell Query::cell(int column) const {
  sqlite3_stmt* stmt = statement_->handle();
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER: return Cell::integer(sqlite3_column_int64(stmt, column));
    case SQLITE_FLOAT: return Cell::real(sqlite3_column_double(stmt, column));
    case SQLITE_TEXT: return Cell::text(std::string(text(column)));
    case SQLITE_BLOB: {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, column));
      const int size = sqlite3_column_bytes(stmt, column);
      return Cell::blob(data == nullptr ? std::string() : std::string(data, size));
    }
    default: return Cell::null();
  }
}

Value Query::value(int column) const { return cell(column).to_value(); }

}  // namespace diskcache::detail
