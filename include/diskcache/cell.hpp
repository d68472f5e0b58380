// diskcache::Cell: what a disk policy turns a C++ key or value into, and what
// the Store keeps in one database column (or one value file).
//
// A Cell is one SQLite-storable datum: null, a 64-bit integer, a double, UTF-8
// text or a byte string, plus two flags that decide how Python diskcache sees
// it:
//
//   raw    true: the datum *is* the key or value, exactly as Python stores
//          int/float/str/bytes, so Python reads it back as that type.
//          false: the datum is an encoding of a C++ object (a pickle, as
//          Python diskcache stores every other key; cereal, Boost, JSON).
//   mode   set by the Store on values it reads: Raw (inline column), Binary
//          (bytes in a file), Text (text in a file) or Pickle (a Python
//          pickle). A policy sets Mode::Pickle on a value cell holding a
//          pickle, which the Store then writes with mode 4, as Python does;
//          the Store decides every other mode itself.
//
// Text and blob cells either own their bytes or borrow them from the object
// being stored (Cell::text_view/blob_view), which saves a copy on the hot path;
// a borrowing Cell must not outlive what it borrows.
//
// Disk policies (serializers/) build cells with the named constructors and read
// them with the accessors; the shipped policies are complete examples.
// Thread safety: like std::string.
#ifndef DISKCACHE_CELL_HPP_
#define DISKCACHE_CELL_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "diskcache/errors.hpp"
#include "diskcache/export.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

// Value modes of Python diskcache's Cache.mode column.
// NOTE: part of the on-disk format; do not renumber.
enum class Mode : int {
  None = 0,    // not a stored value (Python's MODE_NONE)
  Raw = 1,     // the value column holds the value itself
  Binary = 2,  // bytes stored in a value file
  Text = 3,    // UTF-8 text stored in a value file
  Pickle = 4,  // a Python pickle, inline or in a file (see diskcache/pickle.hpp)
};

class DISKCACHE_EXPORT Cell {
 public:
  // Only Null, Integer, Real, Text and Blob: what SQLite stores.
  using Kind = Value::Kind;

  Cell() = default;  // null

  static Cell null() { return Cell(); }
  static Cell integer(std::int64_t number, bool raw = true) {
    Cell cell(Kind::Integer, raw);
    cell.integer_ = number;
    return cell;
  }
  static Cell real(double number, bool raw = true) {
    Cell cell(Kind::Real, raw);
    cell.real_ = number;
    return cell;
  }
  // Owning text/blob cells.
  static Cell text(std::string text, bool raw = true) {
    return owning(Kind::Text, std::move(text), raw);
  }
  static Cell blob(std::string bytes, bool raw = true) {
    return owning(Kind::Blob, std::move(bytes), raw);
  }
  static Cell blob(const Bytes& bytes, bool raw = true) {
    return blob_view(as_chars(bytes), raw).to_owning();
  }
  // Borrowing text/blob cells: `bytes` must outlive the Cell.
  static Cell text_view(std::string_view text, bool raw = true) {
    return borrowing(Kind::Text, text, raw);
  }
  static Cell blob_view(std::string_view bytes, bool raw = true) {
    return borrowing(Kind::Blob, bytes, raw);
  }

  // Cells copy and move as values; a copy of a borrowing Cell borrows too.
  Cell(const Cell& other) { *this = other; }
  Cell(Cell&& other) noexcept { *this = std::move(other); }
  Cell& operator=(const Cell& other) {
    if (this != &other) {
      copy_scalars(other);
      storage_ = other.storage_;
      bytes_ = other.owned_ ? std::string_view(storage_) : other.bytes_;
    }
    return *this;
  }
  Cell& operator=(Cell&& other) noexcept {
    if (this != &other) {
      copy_scalars(other);
      storage_ = std::move(other.storage_);
      bytes_ = owned_ ? std::string_view(storage_) : other.bytes_;
      other.bytes_ = {};
    }
    return *this;
  }

  Kind kind() const noexcept { return kind_; }
  bool raw() const noexcept { return raw_; }
  Mode mode() const noexcept { return mode_; }
  void set_raw(bool raw) noexcept { raw_ = raw; }
  void set_mode(Mode mode) noexcept { mode_ = mode; }

  bool is_null() const noexcept { return kind_ == Kind::Null; }
  // REQUIRES: kind() == Kind::Integer / Kind::Real.
  std::int64_t integer() const noexcept { return integer_; }
  double real() const noexcept { return real_; }
  // Text or blob contents. REQUIRES: kind() is Text or Blob.
  std::string_view bytes() const noexcept { return bytes_; }

  // Moves the text/blob contents out (copying if borrowed).
  std::string take_bytes() {
    std::string out = owned_ ? std::move(storage_) : std::string(bytes_);
    bytes_ = {};
    owned_ = false;
    return out;
  }

  // Returns a Cell that owns its bytes (a copy if this one borrows).
  Cell to_owning() const {
    Cell out = *this;
    if (!out.owned_ && (kind_ == Kind::Text || kind_ == Kind::Blob)) {
      out.storage_ = std::string(bytes_);
      out.owned_ = true;
      out.bytes_ = out.storage_;
    }
    return out;
  }

  // The cell as a dynamic Value (null, integer, real, text or bytes).
  Value to_value() const {
    switch (kind_) {
      case Kind::Integer: return Value(integer_);
      case Kind::Real: return Value(real_);
      case Kind::Text: return Value(std::string(bytes_));
      case Kind::Blob: {
        const auto* first = reinterpret_cast<const std::byte*>(bytes_.data());
        return Value(Bytes(first, first + bytes_.size()));
      }
      default: return Value();  // Null: a Cell holds no other kind
    }
  }

  // A printable form for messages: the value's short repr ('text', 42,
  // b'..') for raw cells, "<N-byte encoded key>" for cells a disk policy
  // encoded.
  std::string repr() const {
    if (raw_) return to_value().short_repr();
    // Appended, not `"<" + std::to_string(...)`: GCC 12 at -O3 reports a
    // false -Wrestrict for operator+(const char*, std::string&&) (GCC bug
    // 105329).
    std::string text(1, '<');
    text += std::to_string(bytes_.size());
    text += "-byte encoded key>";
    return text;
  }

  // Same kind, raw flag and contents: the same key in the database (SQLite
  // compares an INTEGER and a REAL by value, as here). The mode is not part
  // of a key.
  friend bool operator==(const Cell& a, const Cell& b) noexcept {
    if (a.raw_ != b.raw_) return false;
    const auto number = [](const Cell& cell) {
      return cell.kind_ == Kind::Integer ? static_cast<long double>(cell.integer_)
                                         : static_cast<long double>(cell.real_);
    };
    const bool a_number = a.kind_ == Kind::Integer || a.kind_ == Kind::Real;
    const bool b_number = b.kind_ == Kind::Integer || b.kind_ == Kind::Real;
    if (a_number || b_number) return a_number && b_number && number(a) == number(b);
    return a.kind_ == b.kind_ && a.bytes_ == b.bytes_;
  }

  static std::string_view as_chars(const Bytes& bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

 private:
  Cell(Kind kind, bool raw) : kind_(kind), raw_(raw) {}

  static Cell owning(Kind kind, std::string bytes, bool raw) {
    Cell cell(kind, raw);
    cell.storage_ = std::move(bytes);
    cell.owned_ = true;
    cell.bytes_ = cell.storage_;
    return cell;
  }
  static Cell borrowing(Kind kind, std::string_view bytes, bool raw) {
    Cell cell(kind, raw);
    cell.bytes_ = bytes;
    return cell;
  }
  void copy_scalars(const Cell& other) noexcept {
    kind_ = other.kind_;
    raw_ = other.raw_;
    mode_ = other.mode_;
    owned_ = other.owned_;
    integer_ = other.integer_;
    real_ = other.real_;
  }

  Kind kind_ = Kind::Null;
  bool raw_ = true;
  bool owned_ = false;
  Mode mode_ = Mode::Raw;
  std::int64_t integer_ = 0;
  double real_ = 0;
  std::string storage_;     // the bytes when owned_
  std::string_view bytes_;  // points into storage_ or into borrowed memory
};

// Throws SerializationError if `cell` holds a Python pickle, which no type
// but diskcache::Value is read from (disk::Auto decodes Python's plain data
// into a Value, never running code). Disk policies call this first.
inline void reject_pickle(const Cell& cell) {
  if (cell.mode() == Mode::Pickle) {
    throw SerializationError(
        "value is a Python pickle (mode 4, MODE_PICKLE), which only "
        "diskcache::Value reads (Cache<> with disk::Auto); store it from Python as "
        "int, float, str or bytes to read it as another type");
  }
}

}  // namespace diskcache

#endif  // DISKCACHE_CELL_HPP_
