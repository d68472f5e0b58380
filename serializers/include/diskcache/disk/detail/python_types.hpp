// Internal: the C++ types that have a form in Python's plain data (tuple,
// list, dict, set, None, bool besides int, float, str and bytes) and their
// conversion to and from a Value. disk::Auto stores them through it as
// Python stores the same data, and memoize builds Python's keys with it.
// Not part of the API.
#ifndef DISKCACHE_DISK_DETAIL_PYTHON_TYPES_HPP_
#define DISKCACHE_DISK_DETAIL_PYTHON_TYPES_HPP_

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "diskcache/disk/detail/raw_types.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/value.hpp"

namespace diskcache::disk::detail {

// Whether T has a Python form: a raw type, or a tuple, pair, vector, map,
// unordered_map, set or optional of types that have one.
template <class T>
struct python_form : std::bool_constant<is_raw_v<T>> {};
template <class... E>
struct python_form<std::tuple<E...>> : std::bool_constant<(python_form<E>::value && ...)> {};
template <class A, class B>
struct python_form<std::pair<A, B>>
    : std::bool_constant<python_form<A>::value && python_form<B>::value> {};
// Bytes and std::vector<unsigned char> are raw (bytes), other vectors lists.
template <class E, class Alloc>
struct python_form<std::vector<E, Alloc>>
    : std::bool_constant<is_raw_v<std::vector<E, Alloc>> || python_form<E>::value> {};
template <class K, class V, class Less, class Alloc>
struct python_form<std::map<K, V, Less, Alloc>>
    : std::bool_constant<python_form<K>::value && python_form<V>::value> {};
template <class K, class V, class Hash, class Eq, class Alloc>
struct python_form<std::unordered_map<K, V, Hash, Eq, Alloc>>
    : std::bool_constant<python_form<K>::value && python_form<V>::value> {};
template <class E, class Less, class Alloc>
struct python_form<std::set<E, Less, Alloc>> : python_form<E> {};
template <class E>
struct python_form<std::optional<E>> : python_form<E> {};
template <class T>
inline constexpr bool python_form_v = python_form<T>::value;

template <class T>
struct is_std_map : std::false_type {};
template <class K, class V, class Less, class Alloc>
struct is_std_map<std::map<K, V, Less, Alloc>> : std::true_type {};
template <class K, class V, class Hash, class Eq, class Alloc>
struct is_std_map<std::unordered_map<K, V, Hash, Eq, Alloc>> : std::true_type {};
template <class T>
struct is_std_set : std::false_type {};
template <class E, class Less, class Alloc>
struct is_std_set<std::set<E, Less, Alloc>> : std::true_type {};
template <class T>
struct is_std_vector : std::false_type {};
template <class E, class Alloc>
struct is_std_vector<std::vector<E, Alloc>> : std::true_type {};
template <class T>
struct is_std_optional : std::false_type {};
template <class E>
struct is_std_optional<std::optional<E>> : std::true_type {};
template <class T>
struct is_std_tuple : std::false_type {};
template <class... E>
struct is_std_tuple<std::tuple<E...>> : std::true_type {};
template <class A, class B>
struct is_std_tuple<std::pair<A, B>> : std::true_type {};

template <class T>
struct is_std_pair : std::false_type {};
template <class A, class B>
struct is_std_pair<std::pair<A, B>> : std::true_type {};

// Whether Python's bytes are a form of T (bytes, or an optional of them):
// for such a T a stored blob is data, never an old cereal encoding.
template <class T>
inline constexpr bool bytes_form_v =
    std::is_same_v<T, Bytes> || std::is_same_v<T, std::vector<unsigned char>> ||
    std::is_same_v<T, Value>;
template <class E>
inline constexpr bool bytes_form_v<std::optional<E>> = bytes_form_v<E>;

// The C++ name of a mapped type as messages show it:
// "std::tuple<std::string, int64_t>".
template <class T>
std::string python_type_name() {
  if constexpr (is_raw_v<T>) {
    return raw_type_name<T>();
  } else if constexpr (is_std_optional<T>::value) {
    return "std::optional<" + python_type_name<typename T::value_type>() + ">";
  } else if constexpr (is_std_vector<T>::value) {
    return "std::vector<" + python_type_name<typename T::value_type>() + ">";
  } else if constexpr (is_std_set<T>::value) {
    return "std::set<" + python_type_name<typename T::value_type>() + ">";
  } else if constexpr (is_std_map<T>::value) {
    return "std::map<" + python_type_name<typename T::key_type>() + ", " +
           python_type_name<typename T::mapped_type>() + ">";
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      std::string name = is_std_pair<T>::value ? "std::pair<" : "std::tuple<";
      ((name += (I == 0 ? "" : ", ") + python_type_name<std::tuple_element_t<I, T>>()), ...);
      return name + ">";
    }
    (std::make_index_sequence<std::tuple_size_v<T>>());
  }
}

// The Value Python's pickle of `object` loads as. Integers beyond int64
// (uint64_t) become a BigInt, which Python reads as its int.
template <class T>
Value to_python(const T& object) {
  static_assert(python_form_v<T>);
  if constexpr (std::is_same_v<T, Value> || std::is_same_v<T, bool> ||
                std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
                std::is_same_v<T, std::vector<unsigned char>>) {
    return Value(object);
  } else if constexpr (is_raw_integer_v<T>) {
    if (!std::in_range<std::int64_t>(object)) {  // only a uint64_t above INT64_MAX
      const auto number = static_cast<std::uint64_t>(object);
      return Value(BigInt::from_magnitude(
          /*negative=*/false,
          {static_cast<std::uint32_t>(number), static_cast<std::uint32_t>(number >> 32)}));
    }
    return Value(static_cast<std::int64_t>(object));
  } else if constexpr (std::is_floating_point_v<T>) {
    return Value(static_cast<double>(object));
  } else if constexpr (is_std_optional<T>::value) {
    return object ? to_python(*object) : Value();
  } else if constexpr (is_std_tuple<T>::value) {
    return std::apply(
        [](const auto&... element) {
          Tuple tuple;
          tuple.reserve(sizeof...(element));
          (tuple.push_back(to_python(element)), ...);
          return Value(std::move(tuple));
        },
        object);
  } else if constexpr (is_std_vector<T>::value) {
    List list;
    list.reserve(object.size());
    for (const auto& element : object) list.push_back(to_python<typename T::value_type>(element));
    return Value(std::move(list));
  } else if constexpr (is_std_set<T>::value) {
    Set set;
    for (const auto& element : object) set.insert(to_python(element));
    return Value(std::move(set));
  } else {
    Dict dict;
    for (const auto& [key, value] : object) dict.insert_or_assign(to_python(key), to_python(value));
    return Value(std::move(dict));
  }
}

// Where in a nested value an element sits, from the top ("[2]['k'][0]"):
// steps chained on the stack as from_python descends, turned into text only
// for an error message, so decoding a well-formed value builds no string.
struct Where {
  enum class Step { Top, Index, SetElement, DictKey, DictValue };
  const Where* parent = nullptr;
  Step step = Step::Top;
  std::size_t index = 0;       // Step::Index
  const Value* key = nullptr;  // Step::DictValue

  Where at_index(std::size_t i) const { return {this, Step::Index, i, nullptr}; }
  Where at_set_element() const { return {this, Step::SetElement, 0, nullptr}; }
  Where at_dict_key() const { return {this, Step::DictKey, 0, nullptr}; }
  Where at_value_of(const Value& dict_key) const { return {this, Step::DictValue, 0, &dict_key}; }

  std::string text() const {
    // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict
    // for operator+(const char*, std::string&&) (GCC bug 105329).
    std::string out = parent != nullptr ? parent->text() : std::string();
    switch (step) {
      case Step::Top: break;
      case Step::Index: out.append("[").append(std::to_string(index)).append("]"); break;
      case Step::SetElement: out += "{element}"; break;
      case Step::DictKey: out += "{key}"; break;
      case Step::DictValue: out.append("[").append(key->short_repr()).append("]"); break;
    }
    return out;
  }
};

// "the list [1, 2]", "the tuple (1,)", "None" for messages.
inline std::string python_phrase(const Value& value) {
  if (value.is_null()) return "None";
  return std::string("the ") + Value::kind_name(value.kind()) + " " + value.short_repr();
}

[[noreturn]] inline void throw_shape(const char* policy, const Value& value,
                                     const std::string& target, const Where& where,
                                     const std::string& expected) {
  const std::string place = where.text();
  throw SerializationError(std::string(policy) + ": cannot decode " + python_phrase(value) +
                           (place.empty() ? "" : " at " + place) + " as " + target + ": expected " +
                           expected);
}

// An integer of `value` (Integer, Bool or BigInt) as T, range checked.
template <class T>
T integer_from_python(const Value& value, const char* policy, const Where& where) {
  const auto out_of_range = [&] {
    throw_shape(policy, value, raw_type_name<T>(), where,
                "an int in [" + std::to_string(+std::numeric_limits<T>::min()) + ", " +
                    std::to_string(+std::numeric_limits<T>::max()) + "]");
  };
  if (const BigInt* big = value.get_if<BigInt>()) {
    // Only uint64_t holds ints beyond int64.
    const std::optional<std::uint64_t> number = big->to_uint64();
    if (!number || !std::in_range<T>(*number)) out_of_range();
    return static_cast<T>(*number);
  }
  if (value.kind() != Value::Kind::Integer && value.kind() != Value::Kind::Bool) {
    throw_shape(policy, value, raw_type_name<T>(), where, "an int");
  }
  const std::int64_t number = value.as<std::int64_t>();
  if (!std::in_range<T>(number)) out_of_range();
  return static_cast<T>(number);
}

// `value` as T, checking its shape all the way down. Throws
// SerializationError naming what was found, where (an element's index or
// a dict's key, from the top) and what T expects.
template <class T>
T from_python(const Value& value, const char* policy, const Where& where = {}) {
  static_assert(python_form_v<T>);
  using Kind = Value::Kind;
  const auto expect = [&](bool ok, const char* expected) {
    if (!ok) throw_shape(policy, value, python_type_name<T>(), where, expected);
  };
  if constexpr (std::is_same_v<T, Value>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool>) {
    // True and False, or the ints 0 and 1 that a bool stored alone is.
    const std::int64_t* number = value.get_if<std::int64_t>();
    expect(value.kind() == Kind::Bool || (number != nullptr && (*number == 0 || *number == 1)),
           "a bool (or the int 0 or 1)");
    return value.as<bool>();
  } else if constexpr (is_raw_integer_v<T>) {
    return integer_from_python<T>(value, policy, where);
  } else if constexpr (std::is_floating_point_v<T>) {
    // Python code stores 1 where it means 1.0.
    if (const std::int64_t* number = value.get_if<std::int64_t>()) return static_cast<T>(*number);
    expect(value.kind() == Kind::Real, "a float");
    const double number = *value.get_if<double>();
    if constexpr (std::is_same_v<T, float>) {
      expect(diskcache::detail::real_fits<float>(number), "a float in the range of float");
    }
    return static_cast<T>(number);
  } else if constexpr (std::is_same_v<T, std::string>) {
    expect(value.kind() == Kind::Text, "a str");
    return *value.get_if<std::string>();
  } else if constexpr (std::is_same_v<T, Bytes> || std::is_same_v<T, std::vector<unsigned char>>) {
    expect(value.kind() == Kind::Blob || value.kind() == Kind::ByteArray, "bytes");
    const Bytes& bytes =
        value.kind() == Kind::Blob ? *value.get_if<Bytes>() : *value.get_if<ByteArray>();
    using Element = typename T::value_type;
    const auto* first = reinterpret_cast<const Element*>(bytes.data());
    return T(first, first + bytes.size());
  } else if constexpr (is_std_optional<T>::value) {
    if (value.is_null()) return std::nullopt;
    return from_python<typename T::value_type>(value, policy, where);
  } else if constexpr (is_std_tuple<T>::value) {
    constexpr std::size_t kSize = std::tuple_size_v<T>;
    const Tuple* tuple = value.get_if<Tuple>();
    if (tuple == nullptr || tuple->size() != kSize) {
      throw_shape(policy, value, python_type_name<T>(), where,
                  "a tuple of " + std::to_string(kSize));
    }
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return T(from_python<std::tuple_element_t<I, T>>((*tuple)[I], policy, where.at_index(I))...);
    }
    (std::make_index_sequence<kSize>());
  } else if constexpr (is_std_vector<T>::value) {
    const List* list = value.get_if<List>();
    expect(list != nullptr, "a list");
    T out;
    out.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
      out.push_back(from_python<typename T::value_type>((*list)[i], policy, where.at_index(i)));
    }
    return out;
  } else if constexpr (is_std_set<T>::value) {
    expect(value.kind() == Kind::Set || value.kind() == Kind::FrozenSet, "a set");
    const diskcache::detail::UniqueValues& elements =
        value.kind() == Kind::Set
            ? static_cast<const diskcache::detail::UniqueValues&>(*value.get_if<Set>())
            : *value.get_if<FrozenSet>();
    T out;
    for (const Value& element : elements) {
      out.insert(from_python<typename T::value_type>(element, policy, where.at_set_element()));
    }
    return out;
  } else {
    const Dict* dict = value.get_if<Dict>();
    expect(dict != nullptr, "a dict");
    T out;
    for (const auto& [key, item] : *dict) {
      out.emplace(from_python<typename T::key_type>(key, policy, where.at_dict_key()),
                  from_python<typename T::mapped_type>(item, policy, where.at_value_of(key)));
    }
    return out;
  }
}

}  // namespace diskcache::disk::detail

#endif  // DISKCACHE_DISK_DETAIL_PYTHON_TYPES_HPP_
