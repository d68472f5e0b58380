// diskcache::Value: a dynamically typed value, the default key and value type
// of Cache<>.
//
// A Value holds one of the five kinds Python diskcache stores natively: null
// (Python None), a 64-bit integer, a double, a UTF-8 string or a byte string.
// With it a single cache can mix types as a Python one does:
//
//   diskcache::Cache<> cache(dir);
//   cache.set("score", 99);
//   cache.set("name", "alice");
//   std::int64_t score = cache.get("score")->as<std::int64_t>();
//
// Values compare equal when they hold the same kind and the same contents.
// Thread safety: like std::string; distinct objects may be used concurrently.
#ifndef DISKCACHE_VALUE_HPP_
#define DISKCACHE_VALUE_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
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
// A string literal or a constant char array: every element but a final NUL
// (a literal's terminator), so an array written without one loses nothing.
template <std::size_t N>
Bytes to_bytes(const char (&text)[N]) {
  return to_bytes(std::string_view(text, text[N - 1] == '\0' ? N - 1 : N));
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

namespace detail {
// Integer types a Value stores as Kind::Integer: not bool (Python's True is
// stored as 1 by its own constructor) and not character types.
template <class T>
concept StoredAsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                          !std::is_same_v<T, char> && !std::is_same_v<T, char8_t>;
}  // namespace detail

class DISKCACHE_EXPORT Value {
 public:
  // The kinds a Value can hold, in the order of the variant alternatives.
  enum class Kind { Null, Integer, Real, Text, Blob };

  // Null (Python None).
  Value() = default;
  Value(std::nullptr_t) {}

  // Any integer type except bool and character types becomes Kind::Integer.
  // REQUIRES: the value fits in int64 (unsigned 64-bit values above INT64_MAX
  // throw SerializationError).
  template <detail::StoredAsInteger Int>
  Value(Int number) : data_(checked_int64(number)) {}

  // Booleans are stored as the integers 0 and 1, as Python stores True/False.
  Value(bool flag) : data_(std::int64_t{flag ? 1 : 0}) {}

  Value(double number) : data_(number) {}
  Value(float number) : data_(static_cast<double>(number)) {}

  Value(const char* text) : data_(std::string(text)) {}
  Value(std::string text) : data_(std::move(text)) {}
  Value(std::string_view text) : data_(std::string(text)) {}

  Value(Bytes bytes) : data_(std::move(bytes)) {}
  Value(const std::vector<unsigned char>& bytes)
      : data_(Bytes(reinterpret_cast<const std::byte*>(bytes.data()),
                    reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size())) {}

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

  // Returns the held value as T, one of std::int64_t, double, std::string,
  // Bytes or std::vector<unsigned char>.
  // Throws SerializationError naming both kinds if the Value holds another kind.
  template <class T>
  T as() const {
    if constexpr (std::is_same_v<T, std::vector<unsigned char>>) {
      const Bytes& bytes = get<Bytes>();
      const auto* first = reinterpret_cast<const unsigned char*>(bytes.data());
      return T(first, first + bytes.size());
    } else {
      static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                        std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>,
                    "Value::as<T>: T must be std::int64_t, double, std::string, "
                    "diskcache::Bytes or std::vector<unsigned char>");
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

  // A short human-readable rendering used in error messages: 42, 2.5,
  // 'text', b'\x00\x01' (long contents are elided).
  std::string repr() const;

  static const char* kind_name(Kind kind) noexcept {
    switch (kind) {
      case Kind::Null: return "null";
      case Kind::Integer: return "integer";
      case Kind::Real: return "real";
      case Kind::Text: return "text";
      case Kind::Blob: return "bytes";
    }
    return "unknown";
  }

  friend bool operator==(const Value&, const Value&) = default;

 private:
  template <class Int>
  static std::int64_t checked_int64(Int number) {
    if constexpr (std::is_unsigned_v<Int> && sizeof(Int) >= sizeof(std::int64_t)) {
      if (number > static_cast<Int>(INT64_MAX)) {
        throw SerializationError("integer " + std::to_string(number) +
                                 " does not fit in a signed 64-bit Value");
      }
    }
    return static_cast<std::int64_t>(number);
  }

  template <class T>
  const T& get() const {
    if (const T* held = std::get_if<T>(&data_)) return *held;
    throw SerializationError(std::string("Value holds ") + kind_name(kind()) + ", not " +
                             kind_name(kind_of<T>()));
  }

  template <class T>
  static constexpr Kind kind_of() {
    if constexpr (std::is_same_v<T, std::int64_t>) return Kind::Integer;
    if constexpr (std::is_same_v<T, double>) return Kind::Real;
    if constexpr (std::is_same_v<T, std::string>) return Kind::Text;
    return Kind::Blob;
  }

  using Data = std::variant<std::monostate, std::int64_t, double, std::string, Bytes>;

  static Data copy_of(const Data& data) {
    return std::visit(
        [](const auto& held) {
          return Data(std::in_place_type<std::decay_t<decltype(held)>>, held);
        },
        data);
  }

  Data data_;
};

// cereal support, found by cereal through argument-dependent lookup: a Value
// is written as its kind, then its contents. So structs with Value members,
// Cache<Value, Value, disk::Binary> and memoized functions taking Values work
// with every cereal-based policy.
template <class Archive>
void save(Archive& archive, const Value& value) {
  archive(static_cast<std::uint8_t>(value.kind()));
  switch (value.kind()) {
    case Value::Kind::Null: break;
    case Value::Kind::Integer: archive(*value.get_if<std::int64_t>()); break;
    case Value::Kind::Real: archive(*value.get_if<double>()); break;
    case Value::Kind::Text: archive(*value.get_if<std::string>()); break;
    case Value::Kind::Blob: archive(to_string(*value.get_if<Bytes>())); break;
  }
}

// Throws SerializationError for an unknown kind.
template <class Archive>
void load(Archive& archive, Value& value) {
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
    case Value::Kind::Blob: {
      std::string bytes;
      archive(bytes);
      value = static_cast<Value::Kind>(kind) == Value::Kind::Text ? Value(std::move(bytes))
                                                                  : Value(to_bytes(bytes));
      return;
    }
  }
  throw SerializationError("a serialized Value has the unknown kind " + std::to_string(kind));
}

}  // namespace diskcache

#endif  // DISKCACHE_VALUE_HPP_
