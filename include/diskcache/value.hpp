// diskcache::Value: a dynamically typed value holding Python's plain data,
// the default key and value type of Cache<>.
//
// A Value holds one of the kinds Python diskcache stores, in the order of
// Value::Kind:
//
//   kind        Python       C++ type held (get_if<T>, as<T>, visit)
//   Null        None         std::monostate
//   Integer     int          std::int64_t
//   Real        float        double
//   Text        str          std::string (UTF-8)
//   Blob        bytes        Bytes
//   Bool        bool         bool
//   BigInt      int          BigInt: an int outside the int64 range, never
//                            truncated (Value(BigInt) of a smaller number is
//                            an Integer)
//   ByteArray   bytearray    ByteArray
//   List        list         List (a std::vector<Value>)
//   Tuple       tuple        Tuple (a std::vector<Value>)
//   Dict        dict         Dict: keys unique, in insertion order
//   Set         set          Set: elements unique, in insertion order
//   FrozenSet   frozenset    FrozenSet: as Set, a distinct kind as in Python
//   Object      any other    PickledObject: a pickle that needs code to load
//               object       (a class instance, a function), kept as its
//                            bytes with the name of its class; never
//                            converted to anything else
//
// The first five are what SQLite stores natively, and Cache<> stores a Bool
// alone as the integer 0 or 1; it stores the others as Python does, pickled
// (diskcache/pickle.hpp). With one Value type a single cache mixes types as
// a Python one does:
//
//   diskcache::Cache<> cache(dir);
//   cache.set("score", 99);
//   cache.set(diskcache::Tuple{"point", 2}, diskcache::List{1.5, "x", nullptr});
//   std::int64_t score = cache.get("score")->as<std::int64_t>();
//   for (const auto& [key, value] : cache.items()) std::cout << key << ": " << value << '\n';
//
// Equality and order. Two Values are equal when they hold the same kind and
// equal contents, with these rules:
//   - Bool is a kind of integer, as in Python: true == 1 and false == 0 (a
//     bool stored at the top level of a cache reads back as an Integer);
//     Integer and Real are never equal (1 != 1.0, unlike Python), nor are
//     Blob and ByteArray, or Set and FrozenSet.
//   - Reals compare as numbers (-0.0 == 0.0), except that NaN equals NaN,
//     unlike Python's float, so that equality is an equivalence.
//   - Dict equality ignores the order of the entries and Set/FrozenSet
//     equality the order of the elements, as Python's; List and Tuple
//     compare element by element.
// Dict keys and Set elements are unique as in Python, where numbers of equal
// value are one key: a Dict holds one of 1, 1.0 and true (the first given,
// with the last value), and find(1.0) finds the key 1. contains() follows
// Python's `in` the same way. Python also wants them hashable: a Dict key or
// a Set element that is (or holds) a List, Dict, Set or ByteArray can be
// built in C++, but Python cannot load its pickle.
// operator<=> is a total order consistent with ==: first by kind (None,
// numbers, str, bytes, bytearray, tuple, list, dict, set, frozenset,
// objects), numbers by value across Bool, Integer, BigInt and Real (an
// integer before an equal Real, NaN last), text and bytes bytewise (so text
// by code point), sequences lexicographically, dicts and sets as their
// sorted entries. Comparing dicts and sets sorts them: O(n log n).
//
// Nesting: a Value decoded from a pickle or from cereal is at most
// kMaxNestingDepth (1000) containers deep; comparing, copying, printing and
// destroying recurse once per level, so Values built deeper by hand may
// exhaust the stack, as any recursive structure would.
//
// Thread safety: like std::string; distinct objects may be used concurrently.
#ifndef DISKCACHE_VALUE_HPP_
#define DISKCACHE_VALUE_HPP_

#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "diskcache/errors.hpp"
#include "diskcache/export.hpp"

namespace diskcache {

// A byte string: stored as a SQLite BLOB (Python `bytes`).
using Bytes = std::vector<std::byte>;

// Converts between text and Bytes without reinterpreting anything but the
// element type. Handy for building byte values in examples and tests.
//
// to_bytes keeps every byte it is given, NULs included, so it takes only
// arguments that carry their size:
//
//   to_bytes("\x00\x01\xff")                 // a literal: 3 bytes
//   to_bytes(std::string_view(data, size))   // a buffer: `size` bytes
//   to_bytes(some_std_string)                // all of it
//
// A `char*` or `const char*` does not compile (a static_assert says what
// to write instead): its length would be a guess, and strlen() guesses by
// dropping everything from the first NUL on. Neither does a non-const
// `char` array, a buffer of which only some leading part may hold data.
inline Bytes to_bytes(std::string_view text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return Bytes(first, first + text.size());
}
namespace detail {
// A string literal or a constant char array: every element but a final NUL
// (a literal's terminator), so an array written without one loses nothing.
template <std::size_t N>
constexpr std::string_view literal_text(const char (&text)[N]) noexcept {
  return std::string_view(text, text[N - 1] == '\0' ? N - 1 : N);
}
}  // namespace detail
// A string literal or a constant char array: see detail::literal_text.
template <std::size_t N>
Bytes to_bytes(const char (&text)[N]) {
  return to_bytes(detail::literal_text(text));
}
namespace detail {
template <class T>
concept CharPointer = std::is_pointer_v<T> &&
    (std::is_same_v<std::remove_cv_t<std::remove_pointer_t<T>>, char>);
template <class T>
inline constexpr bool kDependentFalse = false;
}  // namespace detail
// Refused: see above.
template <detail::CharPointer Pointer>
Bytes to_bytes(Pointer) {
  static_assert(detail::kDependentFalse<Pointer>,
                "to_bytes(const char*) cannot know how many bytes to take, and stopping at the "
                "first NUL would silently drop the rest: pass std::string_view(data, size)");
  return {};
}
// Refused: see above.
template <std::size_t N>
Bytes to_bytes(char (&buffer)[N]) {
  static_assert(detail::kDependentFalse<decltype(buffer)>,
                "to_bytes(char buffer[N]) cannot know how much of the buffer holds data: pass "
                "std::string_view(buffer, length)");
  return {};
}
inline std::string to_string(const Bytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// How deep containers may nest in a Value read from a pickle or from a
// cereal archive: deeper input is refused with SerializationError, so
// hostile bytes cannot exhaust the stack. Python's own pickler fails near
// the same depth (its recursion limit).
inline constexpr std::size_t kMaxNestingDepth = 1000;

class Value;

// Python `bytearray`: bytes, kept apart from Bytes so that a bytearray read
// from Python is written back as one.
class ByteArray : public Bytes {
 public:
  using Bytes::Bytes;
  ByteArray() = default;
  explicit ByteArray(Bytes bytes) noexcept : Bytes(std::move(bytes)) {}
};

// A Python int of any size. Value keeps an int that fits in int64 as an
// Integer; a BigInt holds the others, every digit of them. Stored as sign
// and magnitude; comparisons are exact.
class DISKCACHE_EXPORT BigInt {
 public:
  BigInt() = default;  // 0
  explicit BigInt(std::int64_t number);

  // Parses optional '-' or '+' and decimal digits (no spaces, no '_').
  // Throws SerializationError naming the text if it is anything else.
  // Quadratic in the number of digits.
  static BigInt from_string(std::string_view decimal);

  // From two's complement bytes, least significant first: the form of
  // pickle's LONG1/LONG4 and of Python's int.from_bytes(b, "little",
  // signed=True). No bytes is 0.
  static BigInt from_twos_complement(std::span<const std::byte> little_endian);

  // Decimal, with '-' when negative. Quadratic in the number of digits.
  std::string to_string() const;
  // The shortest two's complement bytes, least significant first (0: no
  // bytes), as Python's pickler writes them.
  Bytes twos_complement() const;

  bool is_negative() const noexcept { return negative_; }
  bool is_zero() const noexcept { return magnitude_.empty(); }
  // The number if it fits in int64.
  std::optional<std::int64_t> to_int64() const noexcept;
  // The number if it fits in uint64 (not negative, at most 64 bits).
  std::optional<std::uint64_t> to_uint64() const noexcept;
  // Bits of the magnitude (0 for 0), as Python's int.bit_length().
  std::size_t bit_length() const noexcept;

  friend bool operator==(const BigInt&, const BigInt&) = default;
  friend DISKCACHE_EXPORT std::strong_ordering operator<=>(const BigInt& a,
                                                           const BigInt& b) noexcept;

  // The magnitude in 32-bit limbs, least significant first, no high zero
  // limb. For the pickle codec and comparisons.
  const std::vector<std::uint32_t>& magnitude() const noexcept { return magnitude_; }
  // REQUIRES: no high zero limb in `magnitude`.
  static BigInt from_magnitude(bool negative, std::vector<std::uint32_t> magnitude);

 private:
  bool negative_ = false;
  std::vector<std::uint32_t> magnitude_;
};

// Python `list` and `tuple`: sequences of Values, as std::vector.
class List : public std::vector<Value> {
 public:
  using std::vector<Value>::vector;
};
class Tuple : public std::vector<Value> {
 public:
  using std::vector<Value>::vector;
};

// Python `dict`: entries in insertion order, keys unique as in Python (see
// Value). Lookups are linear in the number of entries.
class DISKCACHE_EXPORT Dict {
 public:
  using Entry = std::pair<Value, Value>;
  using const_iterator = std::vector<Entry>::const_iterator;

  Dict() = default;
  // A key given twice keeps its first place and its last value, as in a
  // Python dict display {k: v, ...}.
  Dict(std::initializer_list<Entry> entries);
  // The same from a vector; O(n log n).
  static Dict from_entries(std::vector<Entry> entries);

  const_iterator begin() const noexcept;
  const_iterator end() const noexcept;
  std::size_t size() const noexcept;
  bool empty() const noexcept;

  // The value under `key`, or nullptr.
  const Value* find(const Value& key) const;
  bool contains(const Value& key) const { return find(key) != nullptr; }
  // The value under `key`. Throws KeyError naming the key if it is absent.
  const Value& at(const Value& key) const;

  // d[key] = value: a new key goes last, an existing one keeps its place.
  void insert_or_assign(Value key, Value value);
  // Removes `key`; returns whether it was there.
  bool erase(const Value& key);

 private:
  std::vector<Entry> entries_;
};

namespace detail {
// What Set and FrozenSet share: unique elements in insertion order.
// Lookups are linear in the number of elements.
class DISKCACHE_EXPORT UniqueValues {
 public:
  using const_iterator = std::vector<Value>::const_iterator;

  const_iterator begin() const noexcept;
  const_iterator end() const noexcept;
  std::size_t size() const noexcept;
  bool empty() const noexcept;
  bool contains(const Value& element) const;
  // Adds `element` unless an equal one is there; returns whether it added.
  bool insert(Value element);
  // Removes the element equal to `element`; returns whether there was one.
  bool erase(const Value& element);

 protected:
  UniqueValues() = default;
  UniqueValues(std::initializer_list<Value> elements);
  // Keeps the first of equal elements, as Python's set(); O(n log n).
  explicit UniqueValues(std::vector<Value> elements);

 private:
  std::vector<Value> elements_;
};
}  // namespace detail

// Python `set` and `frozenset`: elements unique as in Python (see Value),
// in the order they were added; an element given twice is kept once, in its first
// place. The order is the one Python pickled them in, so a frozenset key
// read from Python is written back byte for byte.
// (Their constructors are defined below Value, which they need whole.)
class Set : public detail::UniqueValues {
 public:
  Set() = default;
  Set(std::initializer_list<Value> elements);
  explicit Set(std::vector<Value> elements);
};
class FrozenSet : public detail::UniqueValues {
 public:
  FrozenSet() = default;
  FrozenSet(std::initializer_list<Value> elements);
  explicit FrozenSet(std::vector<Value> elements);
};

// A Python object that only code can rebuild (a class instance, a
// function, a type): its complete pickle, kept unchanged so that it can be
// stored again, and the module.qualname of the first class or function the
// pickle names ("datetime.datetime"; "copyreg extension 42" or "persistent
// id" for the rare pickles that name none). Nothing decodes it.
class PickledObject {
 public:
  PickledObject() = default;
  PickledObject(std::string class_name, Bytes pickle)
      : class_name_(std::move(class_name)), pickle_(std::move(pickle)) {}

  const std::string& class_name() const noexcept { return class_name_; }
  const Bytes& pickle() const noexcept { return pickle_; }

 private:
  std::string class_name_;
  Bytes pickle_;
};

namespace detail {
// Integer types a Value stores as Kind::Integer: not bool (Kind::Bool) and
// not character types.
template <class T>
concept StoredAsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                          !std::is_same_v<T, char> && !std::is_same_v<T, char8_t>;
// Character types: text, never numbers, so Value::as<T> refuses them.
template <class T>
concept CharacterType = std::is_same_v<T, char> || std::is_same_v<T, wchar_t> ||
    std::is_same_v<T, char8_t> || std::is_same_v<T, char16_t> || std::is_same_v<T, char32_t>;
// Whether `number` converts to the floating type Real without overflow:
// NaN and infinities do; a finite number beyond Real's range does not.
template <class Real>
bool real_fits(double number) {
  if constexpr (std::numeric_limits<Real>::max() >= std::numeric_limits<double>::max()) {
    return true;
  } else {
    return !std::isfinite(number) || (number <= std::numeric_limits<Real>::max() &&
                                      number >= std::numeric_limits<Real>::lowest());
  }
}
// A char pointer, however qualified, as a forwarding reference deduces it
// (an array argument deduces an array type, so it never matches).
template <class T>
concept CharPointerArgument = CharPointer<std::remove_cvref_t<T>>;
}  // namespace detail

class DISKCACHE_EXPORT Value {
 public:
  // The kinds a Value can hold, in the order of the variant alternatives.
  // NOTE: part of Value's cereal encoding; do not renumber.
  enum class Kind {
    Null,
    Integer,
    Real,
    Text,
    Blob,
    Bool,
    BigInt,
    ByteArray,
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Object,
  };

  // Null (Python None).
  Value() = default;
  Value(std::nullptr_t) {}

  // Any integer type except bool and character types becomes Kind::Integer.
  // REQUIRES: the value fits in int64 (unsigned 64-bit values above INT64_MAX
  // throw SerializationError; use BigInt).
  template <detail::StoredAsInteger Int>
  Value(Int number) : data_(std::in_place_type<std::int64_t>, checked_int64(number)) {}
  // An int of any size: Kind::Integer if it fits in int64, else Kind::BigInt.
  Value(BigInt number);

  // Kind::Bool. Stored alone as a cache's key or value it is the integer 0
  // or 1, as disk::Auto stores a C++ bool (and Python reads an int); inside
  // a container it is pickled as Python's True or False.
  Value(bool flag) : data_(std::in_place_type<bool>, flag) {}

  Value(double number) : data_(std::in_place_type<double>, number) {}
  Value(float number) : data_(std::in_place_type<double>, static_cast<double>(number)) {}

  // Text from a string literal keeps every character the literal holds,
  // NULs included: Value("a\0b") is the 3-character text "a\0b" (a constant
  // char array without a final NUL keeps all its elements). A char pointer
  // or a writable char buffer is a C string: the text ends at its first NUL
  // (at the buffer's end if it has none), as every C API reads it. For bytes
  // up to a length, pass std::string_view(data, size).
  // Throws Error for a null char pointer.
  template <std::size_t N>
  Value(const char (&text)[N])
      : data_(std::in_place_type<std::string>, detail::literal_text(text)) {}
  template <std::size_t N>
  Value(char (&buffer)[N]) : data_(std::in_place_type<std::string>, c_string(buffer, N)) {}
  template <detail::CharPointerArgument Pointer>
  Value(Pointer&& text) : data_(std::in_place_type<std::string>, c_string(text)) {}
  Value(std::string text) : data_(std::in_place_type<std::string>, std::move(text)) {}
  Value(std::string_view text) : data_(std::in_place_type<std::string>, text) {}

  Value(Bytes bytes) : data_(std::in_place_type<Bytes>, std::move(bytes)) {}
  Value(const std::vector<unsigned char>& bytes)
      : data_(std::in_place_type<Bytes>, reinterpret_cast<const std::byte*>(bytes.data()),
              reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size()) {}
  Value(ByteArray bytes) : data_(std::in_place_type<ByteArray>, std::move(bytes)) {}

  Value(List list) : data_(std::in_place_type<List>, std::move(list)) {}
  Value(Tuple tuple) : data_(std::in_place_type<Tuple>, std::move(tuple)) {}
  Value(Dict dict) : data_(std::in_place_type<Dict>, std::move(dict)) {}
  Value(Set set) : data_(std::in_place_type<Set>, std::move(set)) {}
  Value(FrozenSet set) : data_(std::in_place_type<FrozenSet>, std::move(set)) {}
  Value(PickledObject object) : data_(std::in_place_type<PickledObject>, std::move(object)) {}

  // Copying builds the held alternative in place: libstdc++ 12's std::variant
  // copy constructor, when copying the string or bytes throws std::bad_alloc,
  // destroys an alternative it never built and crashes. Its copy assignment
  // copies through that constructor too, so assignment copies the same way
  // and moves the copy in (strong guarantee: `*this` is untouched on throw).
  Value(const Value& other) : data_(copy_of(other.data_)) {}
  Value(Value&&) noexcept = default;
  Value& operator=(const Value& other) {
    data_ = copy_of(other.data_);
    return *this;
  }
  Value& operator=(Value&&) noexcept = default;
  ~Value() = default;

  Kind kind() const noexcept { return static_cast<Kind>(data_.index()); }
  bool is_null() const noexcept { return kind() == Kind::Null; }

  // Returns the held value as T: std::int64_t, double, std::string, Bytes,
  // std::vector<unsigned char>, bool, BigInt, ByteArray, List, Tuple, Dict,
  // Set, FrozenSet or PickledObject. As in Python, a Bool reads as the
  // std::int64_t 0 or 1 and an Integer 0 or 1 as a bool (a bool stored
  // alone comes back as an integer); BigInt accepts every integer kind.
  // Every other integer type (int, unsigned, std::uint64_t, short, ...)
  // reads an Integer, Bool or BigInt whose number it can hold, and float
  // and long double read a Real: as<int>() of 3'000'000'000 throws rather
  // than wrapping. Character types do not compile.
  // Throws SerializationError naming both kinds (and the class of a pickled
  // object) if the Value holds another kind, or naming the number and the
  // type if the number does not fit in T (a finite Real beyond float's
  // range for float; NaN and infinities convert).
  template <class T>
  T as() const {
    if constexpr (std::is_same_v<T, std::vector<unsigned char>>) {
      const Bytes& bytes = get<Bytes>();
      const auto* first = reinterpret_cast<const unsigned char*>(bytes.data());
      return T(first, first + bytes.size());
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      if (const bool* flag = std::get_if<bool>(&data_)) return *flag ? 1 : 0;
      return get<std::int64_t>();
    } else if constexpr (std::is_same_v<T, bool>) {
      const std::int64_t* number = std::get_if<std::int64_t>(&data_);
      if (number != nullptr && (*number == 0 || *number == 1)) return *number == 1;
      return get<bool>();
    } else if constexpr (std::is_same_v<T, BigInt>) {
      if (const std::int64_t* number = std::get_if<std::int64_t>(&data_)) return BigInt(*number);
      if (const bool* flag = std::get_if<bool>(&data_)) return BigInt(*flag ? 1 : 0);
      return get<BigInt>();
    } else if constexpr (std::is_integral_v<T> && !detail::CharacterType<T>) {
      return checked_integer<T>();
    } else if constexpr (std::is_floating_point_v<T>) {
      return checked_real<T>();
    } else {
      static_assert(!detail::CharacterType<T>,
                    "Value::as<T>: a character type is text, not a number: read std::string, "
                    "or a number as std::int8_t or std::uint8_t");
      static_assert(kind_of<T>() != Kind::Null,
                    "Value::as<T>: T must be std::int64_t, double, std::string, "
                    "diskcache::Bytes, std::vector<unsigned char>, bool, BigInt, ByteArray, "
                    "List, Tuple, Dict, Set, FrozenSet or PickledObject");
      return get<T>();
    }
  }

  // Pointer to the held T, or nullptr when the Value holds another kind.
  // Refused on a temporary Value (cache.at(k).get_if<T>() would point into a
  // Value destroyed at the end of the statement): keep the Value, or use
  // as<T>(). The compiler cannot see through std::optional:
  // cache.get(k)->get_if<T>() compiles and dangles just the same.
  template <class T>
  const T* get_if() const& noexcept {
    return std::get_if<T>(&data_);
  }
  template <class T>
  const T* get_if() const&& = delete;

  // Calls `visitor` with the held alternative (std::monostate for Null, see
  // the table above) and returns what it returns, as std::visit.
  template <class Visitor>
  decltype(auto) visit(Visitor&& visitor) const {
    return std::visit(std::forward<Visitor>(visitor), data_);
  }

  // Elements of containers. size(): the number of elements of a List,
  // Tuple, Dict, Set or FrozenSet. operator[]: an element of a List or
  // Tuple. find(): the value of a Dict under `key`, or nullptr. contains():
  // Python's `in`: a Dict's keys, or the elements of any other container.
  // Each throws SerializationError naming the kind when the Value holds
  // another one; operator[] std::out_of_range for an index past the end.
  std::size_t size() const;
  const Value& operator[](std::size_t index) const;
  const Value* find(const Value& key) const;
  bool contains(const Value& element) const;

  // Python's repr() of the value: None, True, 42, 2.5, 1e+16, nan, 'it''s'
  // as "it's", 'é' as 'é' and '\u200b' escaped as Python does (its notion
  // of printable, Unicode 14), b'\x00', bytearray(b'a'), (1,), [1, 2],
  // {'a': 1}, {1, 2}, set(), frozenset({1}). Two exceptions: an int of more
  // than 4300 digits, which Python 3.11 refuses to convert to decimal, is
  // written in hexadecimal (0x...), and a pickled object as
  // <pickled module.Class>, since only Python could run its __repr__.
  std::string repr() const;
  // repr() shortened for messages: text and bytes after 40 characters,
  // containers after 8 elements and below 4 levels become "...".
  std::string short_repr() const;

  static const char* kind_name(Kind kind) noexcept {
    switch (kind) {
      case Kind::Null: return "null";
      case Kind::Integer: return "integer";
      case Kind::Real: return "real";
      case Kind::Text: return "text";
      case Kind::Blob: return "bytes";
      case Kind::Bool: return "bool";
      case Kind::BigInt: return "big integer";
      case Kind::ByteArray: return "bytearray";
      case Kind::List: return "list";
      case Kind::Tuple: return "tuple";
      case Kind::Dict: return "dict";
      case Kind::Set: return "set";
      case Kind::FrozenSet: return "frozenset";
      case Kind::Object: return "pickled object";
    }
    return "unknown";
  }

 private:
  template <class Int>
  static std::int64_t checked_int64(Int number) {
    if constexpr (std::is_unsigned_v<Int> && sizeof(Int) >= sizeof(std::int64_t)) {
      if (number > static_cast<Int>(INT64_MAX)) {
        throw SerializationError("integer " + std::to_string(number) +
                                 " does not fit in a signed 64-bit Value; use BigInt");
      }
    }
    return static_cast<std::int64_t>(number);
  }

  template <class T>
  const T& get() const {
    if (const T* held = std::get_if<T>(&data_)) return *held;
    throw_wrong_kind(kind_of<T>());
  }
  [[noreturn]] void throw_wrong_kind(Kind wanted) const;
  // Throws SerializationError: the held number does not fit in a
  // `bits`-bit integer, or (bits 0) in a float.
  [[noreturn]] void throw_out_of_range(int bits, bool is_signed) const;

  template <class Int>
  Int checked_integer() const {
    if (const BigInt* big = std::get_if<BigInt>(&data_)) {
      if constexpr (std::is_unsigned_v<Int>) {
        const std::optional<std::uint64_t> number = big->to_uint64();
        if (number && std::in_range<Int>(*number)) return static_cast<Int>(*number);
      }
      throw_out_of_range(std::numeric_limits<Int>::digits + std::is_signed_v<Int>,
                         std::is_signed_v<Int>);
    }
    const std::int64_t number = as<std::int64_t>();
    if (!std::in_range<Int>(number)) {
      throw_out_of_range(std::numeric_limits<Int>::digits + std::is_signed_v<Int>,
                         std::is_signed_v<Int>);
    }
    return static_cast<Int>(number);
  }
  template <class Real>
  Real checked_real() const {
    const double number = get<double>();
    if (!detail::real_fits<Real>(number)) throw_out_of_range(0, true);
    return static_cast<Real>(number);
  }

  // The text of a C string; `size` bounds a buffer's search for its NUL.
  static std::string c_string(const char* text);
  static std::string c_string(const char* buffer, std::size_t size);

  template <class T>
  static constexpr Kind kind_of() {
    if constexpr (std::is_same_v<T, std::int64_t>) return Kind::Integer;
    if constexpr (std::is_same_v<T, double>) return Kind::Real;
    if constexpr (std::is_same_v<T, std::string>) return Kind::Text;
    if constexpr (std::is_same_v<T, Bytes>) return Kind::Blob;
    if constexpr (std::is_same_v<T, bool>) return Kind::Bool;
    if constexpr (std::is_same_v<T, BigInt>) return Kind::BigInt;
    if constexpr (std::is_same_v<T, ByteArray>) return Kind::ByteArray;
    if constexpr (std::is_same_v<T, List>) return Kind::List;
    if constexpr (std::is_same_v<T, Tuple>) return Kind::Tuple;
    if constexpr (std::is_same_v<T, Dict>) return Kind::Dict;
    if constexpr (std::is_same_v<T, Set>) return Kind::Set;
    if constexpr (std::is_same_v<T, FrozenSet>) return Kind::FrozenSet;
    if constexpr (std::is_same_v<T, PickledObject>) return Kind::Object;
    return Kind::Null;
  }

  using Data = std::variant<std::monostate, std::int64_t, double, std::string, Bytes, bool, BigInt,
                            ByteArray, List, Tuple, Dict, Set, FrozenSet, PickledObject>;

  static Data copy_of(const Data& data);

  Data data_;
};

// See "Equality and order" above.
DISKCACHE_EXPORT bool operator==(const Value& a, const Value& b);
DISKCACHE_EXPORT std::weak_ordering operator<=>(const Value& a, const Value& b);

namespace detail {
// Value's order, except that numbers of equal value are equivalent, as
// Python's dict and set keys: what keeps Dict keys and Set elements unique.
DISKCACHE_EXPORT std::weak_ordering key_order(const Value& a, const Value& b);
struct KeyLess {
  bool operator()(const Value& a, const Value& b) const { return key_order(a, b) < 0; }
};
}  // namespace detail

// Writes value.repr().
DISKCACHE_EXPORT std::ostream& operator<<(std::ostream& out, const Value& value);

inline Dict::const_iterator Dict::begin() const noexcept { return entries_.begin(); }
inline Dict::const_iterator Dict::end() const noexcept { return entries_.end(); }
inline std::size_t Dict::size() const noexcept { return entries_.size(); }
inline bool Dict::empty() const noexcept { return entries_.empty(); }

inline Set::Set(std::initializer_list<Value> elements) : UniqueValues(elements) {}
inline Set::Set(std::vector<Value> elements) : UniqueValues(std::move(elements)) {}
inline FrozenSet::FrozenSet(std::initializer_list<Value> elements) : UniqueValues(elements) {}
inline FrozenSet::FrozenSet(std::vector<Value> elements) : UniqueValues(std::move(elements)) {}

namespace detail {
inline UniqueValues::const_iterator UniqueValues::begin() const noexcept {
  return elements_.begin();
}
inline UniqueValues::const_iterator UniqueValues::end() const noexcept { return elements_.end(); }
inline std::size_t UniqueValues::size() const noexcept { return elements_.size(); }
inline bool UniqueValues::empty() const noexcept { return elements_.empty(); }

// Counts the nesting depth of Values being loaded from a cereal archive on
// this thread: a hostile archive nests lists without end, and each level is
// a recursive call. Throws SerializationError past kMaxNestingDepth.
class CerealDepth {
 public:
  CerealDepth() {
    if (++depth() > kMaxNestingDepth) {
      --depth();
      throw SerializationError("a serialized Value nests deeper than " +
                               std::to_string(kMaxNestingDepth) + " containers");
    }
  }
  ~CerealDepth() { --depth(); }
  CerealDepth(const CerealDepth&) = delete;
  CerealDepth& operator=(const CerealDepth&) = delete;

 private:
  static std::size_t& depth() {
    thread_local std::size_t levels = 0;
    return levels;
  }
};

template <class Archive, class Range>
void save_elements(Archive& archive, const Range& elements) {
  archive(static_cast<std::uint64_t>(elements.size()));
  for (const Value& element : elements) archive(element);
}

// Reads a count, then that many Values. The count is never trusted for an
// allocation: elements are added as they are read, so a count larger than
// the archive fails at its end.
template <class Archive>
std::vector<Value> load_elements(Archive& archive, std::uint64_t per_element = 1) {
  std::uint64_t count = 0;
  archive(count);
  std::vector<Value> elements;
  for (std::uint64_t i = 0; i < count * per_element; ++i) {
    elements.emplace_back();
    archive(elements.back());
  }
  return elements;
}
}  // namespace detail

// cereal support, found by cereal through argument-dependent lookup: a Value
// is written as its kind, then its contents (containers: a 64-bit count,
// then the elements; a dict its keys and values alternating; a pickled
// object its class name and bytes). So structs with Value members,
// Cache<Value, Value, disk::Binary> and memoized functions taking Values work
// with every cereal-based policy.
template <class Archive>
void save(Archive& archive, const Value& value) {
  const detail::CerealDepth level;
  archive(static_cast<std::uint8_t>(value.kind()));
  switch (value.kind()) {
    case Value::Kind::Null: break;
    case Value::Kind::Integer: archive(*value.get_if<std::int64_t>()); break;
    case Value::Kind::Real: archive(*value.get_if<double>()); break;
    case Value::Kind::Text: archive(*value.get_if<std::string>()); break;
    case Value::Kind::Blob: archive(to_string(*value.get_if<Bytes>())); break;
    case Value::Kind::Bool: archive(*value.get_if<bool>()); break;
    case Value::Kind::BigInt: archive(to_string(value.get_if<BigInt>()->twos_complement())); break;
    case Value::Kind::ByteArray: archive(to_string(*value.get_if<ByteArray>())); break;
    case Value::Kind::List: detail::save_elements(archive, *value.get_if<List>()); break;
    case Value::Kind::Tuple: detail::save_elements(archive, *value.get_if<Tuple>()); break;
    case Value::Kind::Dict: {
      const Dict& dict = *value.get_if<Dict>();
      archive(static_cast<std::uint64_t>(dict.size()));
      for (const auto& [key, item] : dict) archive(key, item);
      break;
    }
    case Value::Kind::Set: detail::save_elements(archive, *value.get_if<Set>()); break;
    case Value::Kind::FrozenSet: detail::save_elements(archive, *value.get_if<FrozenSet>()); break;
    case Value::Kind::Object: {
      const PickledObject& object = *value.get_if<PickledObject>();
      archive(object.class_name(), to_string(object.pickle()));
      break;
    }
  }
}

// Throws SerializationError for an unknown kind, a big integer that fits in
// int64 (never written), or nesting deeper than kMaxNestingDepth.
template <class Archive>
void load(Archive& archive, Value& value) {
  const detail::CerealDepth level;
  std::uint8_t kind = 0;
  archive(kind);
  switch (static_cast<Value::Kind>(kind)) {
    case Value::Kind::Null: value = Value(); return;
    case Value::Kind::Integer: {
      std::int64_t number = 0;
      archive(number);
      value = Value(number);
      return;
    }
    case Value::Kind::Real: {
      double number = 0;
      archive(number);
      value = Value(number);
      return;
    }
    case Value::Kind::Text:
    case Value::Kind::Blob:
    case Value::Kind::ByteArray: {
      std::string bytes;
      archive(bytes);
      if (static_cast<Value::Kind>(kind) == Value::Kind::Text) {
        value = Value(std::move(bytes));
      } else if (static_cast<Value::Kind>(kind) == Value::Kind::Blob) {
        value = Value(to_bytes(bytes));
      } else {
        value = Value(ByteArray(to_bytes(bytes)));
      }
      return;
    }
    case Value::Kind::Bool: {
      bool flag = false;
      archive(flag);
      value = Value(flag);
      return;
    }
    case Value::Kind::BigInt: {
      std::string bytes;
      archive(bytes);
      const Bytes twos_complement = to_bytes(bytes);
      BigInt number = BigInt::from_twos_complement(twos_complement);
      if (number.to_int64()) {
        throw SerializationError("a serialized Value holds a big integer that fits in int64");
      }
      value = Value(std::move(number));
      return;
    }
    case Value::Kind::List: {
      std::vector<Value> elements = detail::load_elements(archive);
      value = Value(
          List(std::make_move_iterator(elements.begin()), std::make_move_iterator(elements.end())));
      return;
    }
    case Value::Kind::Tuple: {
      std::vector<Value> elements = detail::load_elements(archive);
      value = Value(Tuple(std::make_move_iterator(elements.begin()),
                          std::make_move_iterator(elements.end())));
      return;
    }
    case Value::Kind::Dict: {
      std::vector<Value> flat = detail::load_elements(archive, 2);
      std::vector<Dict::Entry> entries;
      entries.reserve(flat.size() / 2);
      for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
        entries.emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
      }
      value = Value(Dict::from_entries(std::move(entries)));
      return;
    }
    case Value::Kind::Set: value = Value(Set(detail::load_elements(archive))); return;
    case Value::Kind::FrozenSet: value = Value(FrozenSet(detail::load_elements(archive))); return;
    case Value::Kind::Object: {
      std::string class_name;
      std::string pickle;
      archive(class_name, pickle);
      value = Value(PickledObject(std::move(class_name), to_bytes(pickle)));
      return;
    }
  }
  throw SerializationError("a serialized Value has the unknown kind " + std::to_string(kind));
}

}  // namespace diskcache

#endif  // DISKCACHE_VALUE_HPP_
