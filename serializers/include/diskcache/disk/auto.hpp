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
//   anything else                            BLOB, not raw     bytes (cereal
//                                            portable binary)  portable binary)
//
// Raw keys are the keys Python uses for the same int/float/str/bytes, so a
// C++ and a Python process share entries. A Value that Python pickles is
// stored as Python stores it: the key as pickletools.optimize(pickle.dumps(
// key, 5)), byte for byte, with raw = 0 (core.py's Disk.put), so each side
// finds the other's tuple keys; the value as a pickle with mode 4 (Python
// writes it unoptimized; both forms load the same). Reading a Value decodes
// Python's pickles of plain data; a pickled object becomes Kind::Object and
// is written back unchanged. Other not-raw keys are only found by
// disk::Auto (or disk::Binary, which writes the same bytes) in C++.
// Character types (char, char8_t, ...) and long double are not raw: they go
// through cereal (long double would lose precision in a REAL).
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

#include "diskcache/cell.hpp"
#include "diskcache/disk/detail/portable_binary.hpp"
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
  // Other types want a BLOB holding exactly one cereal portable binary T.
  // REQUIRES: non-raw T is default constructible.
  //
  // Throws SerializationError, naming the expected and actual kind or the
  // cause, if the cell is a Python pickle (for a Value: one that is not
  // well formed, see pickle.hpp), has the wrong kind, holds a number out
  // of T's range, or holds bytes that are not exactly one T (corrupt,
  // truncated, trailing bytes).
  template <class T>
  static T decode(const Cell& cell) {
    if constexpr (std::is_same_v<T, Value>) {
      if (cell.mode() == Mode::Pickle || !cell.raw()) return decode_pickle(cell);
    }
    reject_pickle(cell);
    if constexpr (detail::is_raw_v<T>) {
      return detail::decode_raw<T>(cell, kName);
    } else {
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

  static Value decode_pickle(const Cell& cell) {
    const bool value = cell.mode() == Mode::Pickle;
    if (cell.kind() != Cell::Kind::Blob && cell.kind() != Cell::Kind::Text) {
      throw SerializationError(
          std::string(kName) + ": a " + (value ? "pickled value" : "key stored encoded (raw = 0)") +
          " that is " + detail::cell_kind_phrase(cell.kind()) + ", not a pickle");
    }
    try {
      return pickle::loads(cell.bytes(), {.keep_objects = true});
    } catch (const SerializationError& error) {
      throw SerializationError(std::string(kName) + ": cannot decode the " +
                               (value ? "pickled value (mode 4)" : "key stored encoded (raw = 0)") +
                               ": " + error.what());
    }
  }
};

}  // namespace diskcache::disk

#endif  // DISKCACHE_DISK_AUTO_HPP_
