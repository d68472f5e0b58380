// disk::Auto: the default disk policy. Stores the types Python diskcache
// stores natively exactly as Python does, and any other type with cereal.
//
// What it stores, and how Python sees it:
//
//   C++ type                                 cell              Python reads
//   integer types (int8_t ... uint64_t)      INTEGER, raw      int
//   bool                                     INTEGER 0/1, raw  int (0 or 1)
//   float, double                            REAL, raw         float
//   std::string                              TEXT, raw         str
//   Bytes, std::vector<unsigned char>        BLOB, raw         bytes
//   diskcache::Value of kind Null, Integer,  the cell of the kind it holds
//     Real, Text, Blob, Bool                 (null: NULL,      None/int/...
//                                            bool: 0/1)
//   diskcache::Value of any other kind       BLOB, not raw,    tuple, list,
//     (Tuple, List, Dict, BigInt, ...)       mode 4: a pickle  dict, ... (the
//                                            (pickle.hpp)      object itself)
//   std::tuple, std::pair                    as the Value      tuple
//   std::vector (not of bytes)               Python's pickle   list
//   std::map, std::unordered_map             of the object     dict
//   std::set                                 would load as     set
//   std::optional (empty)                    (see below)       None
//   anything else (a struct through cereal)  BLOB, raw         bytes (cereal
//                                                              portable binary)
//
// Raw keys are the keys Python uses for the same int/float/str/bytes, so a
// C++ and a Python process share entries. A Value that Python pickles is
// stored as Python stores it: the key as pickletools.optimize(pickle.dumps(
// key, 5)), byte for byte, with raw = 0 (core.py's Disk.put), so each side
// finds the other's tuple keys; the value as a pickle with mode 4 (Python
// writes it unoptimized; both forms load the same). Reading a Value decodes
// Python's pickles of plain data; a pickled object becomes Kind::Object and
// is written back unchanged.
//
// The standard containers, tuples and optionals of the types in the table
// (nested to any depth: std::vector<std::tuple<std::string, double>>,
// std::map<std::string, std::vector<std::int64_t>>, ...) are stored as the
// Value Python's pickle of the same object loads as: a tuple, list, dict,
// set or None, with a bool inside one as True or False and a uint64_t
// beyond INT64_MAX as Python's int. So
// Cache<std::tuple<std::string, std::int64_t>, std::vector<double>> and a
// Python cache share items, with identical key bytes. Reading checks the
// shape all the way down and throws SerializationError naming what was
// found where (a list where a tuple of 2 is expected, an int out of range,
// a str where bytes are expected). An empty optional stored alone is a
// NULL cell, as a Value's None. Such types written by diskcache-cpp 0.1
// (cereal portable binary) still read back; their keys are found only by
// iteration, since the key bytes changed (docs/format.md).
//
// Any other type, a struct for instance, is stored with cereal portable
// binary as a raw BLOB, so Python reads it as bytes, keys included (and
// can look an item up by them). A Python bytes key holding the same bytes
// would be the same key. Character types (char, char8_t, ...) and long
// double are such types (long double would lose precision in a REAL).
//
// A type outside the table opts in the cereal way, with a `serialize`
// member or a save/load pair, and the cereal/types/ headers for the standard
// types it contains:
//
//   #include <cereal/types/vector.hpp>
//   struct Point {
//     int x = 0;
//     std::vector<int> tags;
//     template <class Archive> void serialize(Archive& ar) { ar(x, tags); }
//   };
//   diskcache::Cell cell = diskcache::disk::Auto::encode(Point{1, {2, 3}});
//   Point back = diskcache::disk::Auto::decode<Point>(cell);
//
// Keys are compared by their encoded bytes, so a key type must serialize
// equal objects to equal bytes (avoid unordered containers in keys).
//
// Thread safety: stateless; any number of threads may use it at once.
#ifndef DISKCACHE_DISK_AUTO_HPP_
#define DISKCACHE_DISK_AUTO_HPP_

// The cereal forms of the standard types disk::Auto maps to Python's, for
// reading what the previous release wrote (and for users' structs).
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/portable_binary.hpp"
#include "diskcache/disk/detail/python_types.hpp"
#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/pickle.hpp"

namespace diskcache::disk {

struct Auto {
  // Returns the cell for `object` (see the table above). Text and blob cells
  // of raw types borrow from `object`: keep it alive while using the cell.
  // Throws SerializationError if an unsigned integer is above INT64_MAX (it
  // has no raw form; use disk::Binary), or if cereal fails to serialize.
  // A type with no cereal serialization is a compile error from cereal.
  template <class T>
  static Cell encode(const T& object) {
    if constexpr (std::is_same_v<T, Value>) {
      if (pickled(object.kind())) return encode_pickle(object);
    }
    if constexpr (detail::is_raw_v<T>) {
      return detail::encode_raw(object, kName);
    } else if constexpr (detail::python_form_v<T>) {
      // A tuple, list, dict, set or None: the Value Python's pickle loads
      // as, stored as Python stores that object (an empty optional is None,
      // a NULL cell as a Value's None is).
      Value value = detail::to_python(object);
      if (pickled(value.kind())) return encode_pickle(value);
      return detail::encode_raw(value, kName).to_owning();
    } else {
      return detail::encode_portable(object, kName);
    }
  }

  // Decodes a cell read from the cache as a T.
  //
  // Raw types want the matching kind: an integer type an INTEGER cell whose
  // value fits T (bool: 0 or 1), std::string a TEXT cell, Bytes and
  // std::vector<unsigned char> a BLOB cell. Floating-point types accept REAL
  // and also INTEGER cells, because Python code often stores 1 meaning 1.0.
  // Value accepts every kind, and pickles: a value of mode 4 and a key
  // stored with raw = 0, decoded by pickle::loads (objects kept whole).
  // The other types of the table, and raw types too, read a pickle of
  // plain data of their shape (Python's True for a bool, a tuple of 2 for
  // a std::pair); tuples, containers and optionals also read their old
  // cereal form. Other types want a BLOB holding exactly one cereal
  // portable binary T.
  // REQUIRES: non-raw T is default constructible.
  //
  // Throws SerializationError, naming the expected and actual kind or the
  // cause, if the cell is a Python pickle that is not well formed (see
  // pickle.hpp), is of a pickled object, or (but for a Value) is not of
  // T's shape, has the wrong kind, holds a number out of T's range, or
  // holds bytes that are not exactly one T (corrupt, truncated, trailing
  // bytes).
  template <class T>
  static T decode(const Cell& cell) {
    if constexpr (std::is_same_v<T, Value>) {
      if (cell.mode() == Mode::Pickle || !cell.raw()) return decode_pickle(cell);
      return detail::decode_raw<T>(cell, kName);
    } else if constexpr (detail::python_form_v<T>) {
      if (holds_pickle(cell)) return from_pickle<T>(cell);
      if constexpr (detail::is_raw_v<T>) {
        return detail::decode_raw<T>(cell, kName);
      } else {
        // The current release's form of these types: cereal portable
        // binary (a blob opening with its endianness byte, 0 or 1). Python
        // never stores one where a tuple, list, dict or set is expected.
        if (old_cereal_form<T>(cell)) return detail::decode_portable<T>(cell, kName);
        return detail::from_python<T>(cell.to_value(), kName);
      }
    } else {
      reject_pickle(cell);
      return detail::decode_portable<T>(cell, kName);
    }
  }

  // Whether a Value of `kind` is stored pickled: all but None, int, float,
  // str and bytes, as Python, and bool, which is the integer 0 or 1 as a
  // C++ bool (Python pickles a bool, inside a tuple for instance).
  static bool pickled(Value::Kind kind) noexcept {
    switch (kind) {
      case Value::Kind::Null:
      case Value::Kind::Integer:
      case Value::Kind::Real:
      case Value::Kind::Text:
      case Value::Kind::Blob:
      case Value::Kind::Bool: return false;
      default: return true;
    }
  }

 private:
  static constexpr const char* kName = "disk::Auto";

  static Cell encode_pickle(const Value& value) {
    Cell cell = Cell::blob(pickle::dumps_key(value), /*raw=*/false);
    cell.set_mode(Mode::Pickle);
    return cell;
  }

  // Whether `cell` holds a pickle: a value of mode 4, or a key stored
  // encoded (raw = 0) that is not the current release's cereal form.
  static bool holds_pickle(const Cell& cell) {
    if (cell.mode() == Mode::Pickle) return true;
    return !cell.raw() && !(cell.kind() == Cell::Kind::Blob && opens_like_cereal(cell));
  }

  static bool opens_like_cereal(const Cell& cell) {
    return !cell.bytes().empty() && static_cast<unsigned char>(cell.bytes()[0]) <= 1;
  }

  template <class T>
  static bool old_cereal_form(const Cell& cell) {
    return !detail::bytes_form_v<T> && cell.kind() == Cell::Kind::Blob && opens_like_cereal(cell);
  }

  static Value load_pickle(const Cell& cell, bool keep_objects) {
    const bool value = cell.mode() == Mode::Pickle;
    if (cell.kind() != Cell::Kind::Blob && cell.kind() != Cell::Kind::Text) {
      throw SerializationError(
          std::string(kName) + ": a " + (value ? "pickled value" : "key stored encoded (raw = 0)") +
          " that is " + detail::cell_kind_phrase(cell.kind()) + ", not a pickle");
    }
    try {
      return pickle::loads(cell.bytes(), {.keep_objects = keep_objects});
    } catch (const SerializationError& error) {
      throw SerializationError(std::string(kName) + ": cannot decode the " +
                               (value ? "pickled value (mode 4)" : "key stored encoded (raw = 0)") +
                               ": " + error.what());
    }
  }

  static Value decode_pickle(const Cell& cell) { return load_pickle(cell, /*keep_objects=*/true); }

  // A pickle's plain data as T; a shape error says the data came from a
  // pickle, which is where a reader looks for the writer (Python).
  template <class T>
  static T from_pickle(const Cell& cell) {
    const Value value = load_pickle(cell, /*keep_objects=*/false);
    try {
      return detail::from_python<T>(value, kName);
    } catch (const SerializationError& error) {
      throw SerializationError(std::string(error.what()) + ", read from a Python pickle (" +
                               (cell.mode() == Mode::Pickle ? "mode 4" : "a key with raw = 0") +
                               ")");
    }
  }
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_AUTO_HPP_
