// Internal: the C++ types stored "raw" (as Python diskcache stores int, float,
// str and bytes) and their conversion to and from Cells. Shared by disk::Auto
// and disk::Raw; not part of the API.
#ifndef DISKCACHE_DISK_DETAIL_RAW_TYPES_HPP_
#define DISKCACHE_DISK_DETAIL_RAW_TYPES_HPP_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "diskcache/cell.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/value.hpp"

namespace diskcache::disk::detail {

// Character types hold text, not numbers; none of them is stored raw.
template <class T>
inline constexpr bool is_character_v = diskcache::detail::CharacterType<T>;

// Integer types stored as INTEGER cells. Character types are excluded (Python
// has no character type); signed/unsigned char are int8_t/uint8_t.
template <class T>
inline constexpr bool is_raw_integer_v =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !is_character_v<T>;

// long double is deliberately absent: squeezing it into a REAL would lose
// precision silently, so disk::Auto serializes it with cereal instead.
template <class T>
inline constexpr bool is_raw_v =
    is_raw_integer_v<T> || std::is_same_v<T, bool> || std::is_same_v<T, float> ||
    std::is_same_v<T, double> || std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
    std::is_same_v<T, std::vector<unsigned char>> || std::is_same_v<T, Value>;

// The name of a raw type as error messages show it. Integers are named by
// width and signedness (`long` is "int64_t"), which is what matters when a
// stored number does not fit.
template <class T>
std::string raw_type_name() {
  if constexpr (std::is_same_v<T, bool>) {
    return "bool";
  } else if constexpr (is_raw_integer_v<T>) {
    return std::string(std::is_signed_v<T> ? "int" : "uint") +
           std::to_string(std::numeric_limits<std::make_unsigned_t<T>>::digits) + "_t";
  } else if constexpr (std::is_same_v<T, float>) {
    return "float";
  } else if constexpr (std::is_same_v<T, double>) {
    return "double";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "std::string";
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return "diskcache::Bytes";
  } else if constexpr (std::is_same_v<T, std::vector<unsigned char>>) {
    return "std::vector<unsigned char>";
  } else {
    return "diskcache::Value";
  }
}

// "an integer cell", "a text cell", ...
inline std::string cell_kind_phrase(Cell::Kind kind) {
  const char* name = Value::kind_name(kind);
  const bool vowel = kind == Cell::Kind::Integer;
  return std::string(vowel ? "an " : "a ") + name + " cell";
}

// Throws SerializationError unless `cell` has kind `expected`. `policy` names
// the policy ("disk::Auto"), `target` what was being decoded ("int32_t").
inline void expect_kind(const Cell& cell, Cell::Kind expected, const char* policy,
                        std::string_view target) {
  if (cell.kind() == expected) return;
  throw SerializationError(std::string(policy) + ": cannot decode " +
                           cell_kind_phrase(cell.kind()) + " as " + std::string(target) +
                           ": expected " + cell_kind_phrase(expected));
}

// Encodes a raw type. Text and blob cells borrow from `object`.
// Throws SerializationError for unsigned values above INT64_MAX.
template <class T>
Cell encode_raw(const T& object, const char* policy) {
  static_assert(is_raw_v<T>);
  if constexpr (std::is_same_v<T, bool>) {
    return Cell::integer(object ? 1 : 0);
  } else if constexpr (is_raw_integer_v<T>) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (!std::in_range<std::int64_t>(object)) {
        throw SerializationError(std::string(policy) + ": cannot encode the integer " +
                                 std::to_string(object) +
                                 ": above INT64_MAX, the largest integer SQLite and Python "
                                 "diskcache store raw; use disk::Binary for the full uint64_t "
                                 "range");
      }
    }
    return Cell::integer(static_cast<std::int64_t>(object));
  } else if constexpr (std::is_floating_point_v<T>) {
    return Cell::real(static_cast<double>(object));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Cell::text_view(object);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return Cell::blob_view(Cell::as_chars(object));
  } else if constexpr (std::is_same_v<T, std::vector<unsigned char>>) {
    return Cell::blob_view(
        std::string_view(reinterpret_cast<const char*>(object.data()), object.size()));
  } else {
    // Each kind becomes the cell Python stores for None/int/float/str/bytes;
    // text and bytes borrow from the Value. A bool is the integer 0 or 1, as
    // a C++ bool.
    switch (object.kind()) {
      case Value::Kind::Null: return Cell::null();
      case Value::Kind::Integer: return Cell::integer(*object.template get_if<std::int64_t>());
      case Value::Kind::Bool: return Cell::integer(*object.template get_if<bool>() ? 1 : 0);
      case Value::Kind::Real: return Cell::real(*object.template get_if<double>());
      case Value::Kind::Text: return Cell::text_view(*object.template get_if<std::string>());
      case Value::Kind::Blob:
        return Cell::blob_view(Cell::as_chars(*object.template get_if<Bytes>()));
      default: break;
    }
    throw SerializationError(std::string(policy) + ": cannot store a " +
                             Value::kind_name(object.kind()) +
                             " raw: only None, int, float, str and bytes have a raw form; "
                             "disk::Auto pickles the others as Python does");
  }
}

// Decodes a raw type, keeping kinds strict except that an integer cell may be
// read as a floating-point number. REQUIRES: reject_pickle(cell) was called.
// Throws SerializationError on a kind mismatch or a number out of range.
template <class T>
T decode_raw(const Cell& cell, const char* policy) {
  static_assert(is_raw_v<T>);
  // A key stored with raw = 0 is an encoding (a Python pickle, or another
  // policy's bytes), never the raw value itself: reading its bytes as the
  // value would be silently wrong.
  if (!cell.raw()) {
    throw SerializationError(std::string(policy) +
                             ": the key is stored encoded (raw = 0, e.g. a Python "
                             "pickle), not as a raw value");
  }
  if constexpr (std::is_same_v<T, Value>) {
    return cell.to_value();
  } else if constexpr (std::is_same_v<T, bool> || is_raw_integer_v<T>) {
    expect_kind(cell, Cell::Kind::Integer, policy, raw_type_name<T>());
    const std::int64_t number = cell.integer();
    bool fits;
    if constexpr (std::is_same_v<T, bool>) {
      fits = number == 0 || number == 1;
    } else {
      fits = std::in_range<T>(number);
    }
    if (!fits) {
      throw SerializationError(std::string(policy) + ": cannot decode the integer " +
                               std::to_string(number) + " as " + raw_type_name<T>() +
                               ": out of range [" + std::to_string(+std::numeric_limits<T>::min()) +
                               ", " + std::to_string(+std::numeric_limits<T>::max()) + "]");
    }
    return static_cast<T>(number);
  } else if constexpr (std::is_floating_point_v<T>) {
    // Python code stores 1 where it means 1.0, so integers are accepted.
    if (cell.kind() == Cell::Kind::Integer) {
      return static_cast<T>(cell.integer());
    }
    expect_kind(cell, Cell::Kind::Real, policy, raw_type_name<T>());
    const double number = cell.real();
    if constexpr (std::is_same_v<T, float>) {
      if (!diskcache::detail::real_fits<float>(number)) {
        throw SerializationError(std::string(policy) + ": cannot decode the real " +
                                 std::to_string(number) + " as float: out of range");
      }
    }
    return static_cast<T>(number);
  } else if constexpr (std::is_same_v<T, std::string>) {
    expect_kind(cell, Cell::Kind::Text, policy, raw_type_name<T>());
    return std::string(cell.bytes());
  } else {
    expect_kind(cell, Cell::Kind::Blob, policy, raw_type_name<T>());
    const std::string_view bytes = cell.bytes();
    using Element = typename T::value_type;
    const auto* first = reinterpret_cast<const Element*>(bytes.data());
    return T(first, first + bytes.size());
  }
}

}  // namespace diskcache::disk::detail

#endif  // DISKCACHE_DISK_DETAIL_RAW_TYPES_HPP_
