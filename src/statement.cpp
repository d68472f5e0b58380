#include "statement.hpp"

#include <sqlite3.h>

#include "sqlite_error.hpp"

namespace diskcache::detail {

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3* db, std::string_view sql,
                     const std::filesystem::path& directory)
    : sql_(sql) {
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
  check_bind(sqlite3_bind_blob64(statement_->handle(), index, data, bytes.size(),
                                 SQLITE_STATIC));
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
  }
  return *this;
}

Query& Query::bind(int index, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null: return bind_null(index);
    case Value::Kind::Integer: return bind(index, *value.get_if<std::int64_t>());
    case Value::Kind::Real: return bind(index, *value.get_if<double>());
    case Value::Kind::Text: return bind_text(index, *value.get_if<std::string>());
    case Value::Kind::Blob: return bind_blob(index, Cell::as_chars(*value.get_if<Bytes>()));
  }
  return *this;
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

double Query::real(int column) const {
  return sqlite3_column_double(statement_->handle(), column);
}

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
