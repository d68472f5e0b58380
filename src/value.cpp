#include "diskcache/value.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <stdexcept>

namespace diskcache {
namespace {

// Kinds that compare with each other: the four numbers share a rank.
int rank(Value::Kind kind) noexcept {
  switch (kind) {
    case Value::Kind::Null: return 0;
    case Value::Kind::Bool:
    case Value::Kind::Integer:
    case Value::Kind::BigInt:
    case Value::Kind::Real: return 1;
    case Value::Kind::Text: return 2;
    case Value::Kind::Blob: return 3;
    case Value::Kind::ByteArray: return 4;
    case Value::Kind::Tuple: return 5;
    case Value::Kind::List: return 6;
    case Value::Kind::Dict: return 7;
    case Value::Kind::Set: return 8;
    case Value::Kind::FrozenSet: return 9;
    case Value::Kind::Object: return 10;
  }
  return 11;
}

// The integer a double holds exactly. REQUIRES: |number| >= 2^63 and finite,
// so that it is integral.
BigInt exact_big_int(double number) {
  int exponent = 0;
  const double fraction = std::frexp(std::fabs(number), &exponent);
  // 53 significant bits, shifted left by at least 10 (exponent >= 64).
  auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  const int shift = exponent - 53;
  std::vector<std::uint32_t> magnitude(static_cast<std::size_t>(shift / 32) + 3, 0);
  const int bits = shift % 32;
  const std::size_t limb = static_cast<std::size_t>(shift / 32);
  // mantissa << bits spans at most 53 + 31 bits: three limbs.
  const std::uint64_t low = mantissa << bits;
  const std::uint64_t high = bits == 0 ? 0 : mantissa >> (64 - bits);
  magnitude[limb] = static_cast<std::uint32_t>(low);
  magnitude[limb + 1] = static_cast<std::uint32_t>(low >> 32);
  magnitude[limb + 2] = static_cast<std::uint32_t>(high);
  while (!magnitude.empty() && magnitude.back() == 0) magnitude.pop_back();
  return BigInt::from_magnitude(number < 0, std::move(magnitude));
}

// How numbers of equal value but different kinds compare: Value's order
// puts the integer first (1 < 1.0: different Values); Python's hashing
// makes them one key (1 == 1.0 == True).
enum class EqualNumbers { IntegerFirst, Equivalent };

// An integer against a Real of the same value.
std::weak_ordering tie(EqualNumbers equal_numbers) {
  return equal_numbers == EqualNumbers::Equivalent ? std::weak_ordering::equivalent
                                                   : std::weak_ordering::less;
}

// An int64 against a double, exactly.
std::weak_ordering compare_integer_real(std::int64_t integer, double real, EqualNumbers equal) {
  if (std::isnan(real)) return std::weak_ordering::less;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (real >= kTwo63) return std::weak_ordering::less;
  if (real < -kTwo63) return std::weak_ordering::greater;
  const double whole = std::trunc(real);
  const auto truncated = static_cast<std::int64_t>(whole);
  if (integer != truncated) return integer <=> truncated;
  const double fraction = real - whole;
  if (fraction > 0) return std::weak_ordering::less;
  if (fraction < 0) return std::weak_ordering::greater;
  return tie(equal);
}

std::weak_ordering compare_big_real(const BigInt& big, double real, EqualNumbers equal) {
  if (std::isnan(real)) return std::weak_ordering::less;
  if (std::isinf(real)) return real > 0 ? std::weak_ordering::less : std::weak_ordering::greater;
  // A BigInt is outside int64: beyond every double of smaller magnitude.
  if (std::fabs(real) < 9223372036854775808.0) {
    return big.is_negative() ? std::weak_ordering::less : std::weak_ordering::greater;
  }
  const std::strong_ordering order = big <=> exact_big_int(real);
  return order == 0 ? tie(equal) : std::weak_ordering(order);
}

std::weak_ordering compare_reals(double a, double b) {
  const bool a_nan = std::isnan(a);
  const bool b_nan = std::isnan(b);
  if (a_nan || b_nan) return a_nan <=> b_nan;  // NaN last, equal to NaN
  return a < b   ? std::weak_ordering::less
         : a > b ? std::weak_ordering::greater
                 : std::weak_ordering::equivalent;
}

std::weak_ordering reversed(std::weak_ordering order) { return 0 <=> order; }

std::weak_ordering compare_numbers(const Value& a, const Value& b, EqualNumbers equal) {
  // Bool and Integer are one kind of number here: true == 1.
  const auto integer = [](const Value& value) -> std::optional<std::int64_t> {
    if (const bool* flag = value.get_if<bool>()) return *flag ? 1 : 0;
    if (const std::int64_t* number = value.get_if<std::int64_t>()) return *number;
    return std::nullopt;
  };
  const std::optional<std::int64_t> a_int = integer(a);
  const std::optional<std::int64_t> b_int = integer(b);
  const BigInt* a_big = a.get_if<BigInt>();
  const BigInt* b_big = b.get_if<BigInt>();
  const double* a_real = a.get_if<double>();
  const double* b_real = b.get_if<double>();
  if (a_int && b_int) return *a_int <=> *b_int;
  if (a_real && b_real) return compare_reals(*a_real, *b_real);
  if (a_big && b_big) return *a_big <=> *b_big;
  // A BigInt lies outside the int64 range, on the side of its sign.
  if (a_big && b_int)
    return a_big->is_negative() ? std::weak_ordering::less : std::weak_ordering::greater;
  if (a_int && b_big)
    return b_big->is_negative() ? std::weak_ordering::greater : std::weak_ordering::less;
  if (a_int && b_real) return compare_integer_real(*a_int, *b_real, equal);
  if (a_real && b_int) return reversed(compare_integer_real(*b_int, *a_real, equal));
  if (a_big && b_real) return compare_big_real(*a_big, *b_real, equal);
  return reversed(compare_big_real(*b_big, *a_real, equal));
}

std::weak_ordering compare_bytes(const Bytes& a, const Bytes& b) {
  return std::lexicographical_compare_three_way(
      a.begin(), a.end(), b.begin(), b.end(),
      [](std::byte x, std::byte y) { return std::weak_ordering(x <=> y); });
}

std::weak_ordering compare_objects(const PickledObject& a, const PickledObject& b) {
  const std::weak_ordering names = a.class_name() <=> b.class_name();
  return names != 0 ? names : compare_bytes(a.pickle(), b.pickle());
}

// The order of Values, with `equal_numbers` deciding 1 against 1.0.
class Order {
 public:
  explicit Order(EqualNumbers equal_numbers) : equal_numbers_(equal_numbers) {}

  std::weak_ordering operator()(const Value& a, const Value& b) const {
    if (const std::weak_ordering kinds = rank(a.kind()) <=> rank(b.kind()); kinds != 0) {
      return kinds;
    }
    switch (a.kind()) {
      case Value::Kind::Null: return std::weak_ordering::equivalent;
      case Value::Kind::Bool:
      case Value::Kind::Integer:
      case Value::Kind::BigInt:
      case Value::Kind::Real: return compare_numbers(a, b, equal_numbers_);
      case Value::Kind::Text: return *a.get_if<std::string>() <=> *b.get_if<std::string>();
      case Value::Kind::Blob: return compare_bytes(*a.get_if<Bytes>(), *b.get_if<Bytes>());
      case Value::Kind::ByteArray:
        return compare_bytes(*a.get_if<ByteArray>(), *b.get_if<ByteArray>());
      case Value::Kind::Tuple: return sequences(*a.get_if<Tuple>(), *b.get_if<Tuple>());
      case Value::Kind::List: return sequences(*a.get_if<List>(), *b.get_if<List>());
      case Value::Kind::Dict: return dicts(*a.get_if<Dict>(), *b.get_if<Dict>());
      case Value::Kind::Set: return sets(*a.get_if<Set>(), *b.get_if<Set>());
      case Value::Kind::FrozenSet: return sets(*a.get_if<FrozenSet>(), *b.get_if<FrozenSet>());
      case Value::Kind::Object:
        return compare_objects(*a.get_if<PickledObject>(), *b.get_if<PickledObject>());
    }
    return std::weak_ordering::equivalent;
  }

  bool less(const Value& a, const Value& b) const { return (*this)(a, b) < 0; }

 private:
  template <class Range>
  std::weak_ordering sequences(const Range& a, const Range& b) const {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end(), *this);
  }

  // Pointers to the elements of `range`, sorted by `less`.
  template <class Range, class Less>
  static auto sorted(const Range& range, Less less) {
    std::vector<const typename Range::const_iterator::value_type*> pointers;
    pointers.reserve(range.size());
    for (const auto& element : range) pointers.push_back(&element);
    std::sort(pointers.begin(), pointers.end(), less);
    return pointers;
  }

  // As their entries sorted by key, then value.
  std::weak_ordering dicts(const Dict& a, const Dict& b) const {
    const auto entries = [this](const Dict::Entry* x, const Dict::Entry* y) {
      const std::weak_ordering keys = (*this)(x->first, y->first);
      return keys != 0 ? keys : (*this)(x->second, y->second);
    };
    const auto less = [&](const Dict::Entry* x, const Dict::Entry* y) { return entries(x, y) < 0; };
    const auto sorted_a = sorted(a, less);
    const auto sorted_b = sorted(b, less);
    return std::lexicographical_compare_three_way(sorted_a.begin(), sorted_a.end(),
                                                  sorted_b.begin(), sorted_b.end(), entries);
  }

  // As their elements sorted.
  template <class SetType>
  std::weak_ordering sets(const SetType& a, const SetType& b) const {
    const auto less = [this](const Value* x, const Value* y) { return this->less(*x, *y); };
    const auto sorted_a = sorted(a, less);
    const auto sorted_b = sorted(b, less);
    return std::lexicographical_compare_three_way(
        sorted_a.begin(), sorted_a.end(), sorted_b.begin(), sorted_b.end(),
        [this](const Value* x, const Value* y) { return (*this)(*x, *y); });
  }

  EqualNumbers equal_numbers_;
};

const Order kValueOrder(EqualNumbers::IntegerFirst);
const Order kKeyOrder(EqualNumbers::Equivalent);

// Indices of `items` in their order, with the index of the first equal
// item before each one (itself if it is the first). `key` gives the Value
// compared. O(n log n).
template <class Items, class Key>
std::vector<std::size_t> first_equal(const Items& items, Key key) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return kKeyOrder.less(key(items[x]), key(items[y]));
  });
  std::vector<std::size_t> first(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const bool repeats = i > 0 && kKeyOrder(key(items[order[i]]), key(items[order[i - 1]])) == 0;
    first[order[i]] = repeats ? first[order[i - 1]] : order[i];
  }
  return first;
}

}  // namespace

// --- Value -------------------------------------------------------------------

Value::Value(BigInt number) {
  if (const std::optional<std::int64_t> small = number.to_int64()) {
    data_.emplace<std::int64_t>(*small);
  } else {
    data_.emplace<BigInt>(std::move(number));
  }
}

Value::Data Value::copy_of(const Data& data) {
  return std::visit(
      [](const auto& held) { return Data(std::in_place_type<std::decay_t<decltype(held)>>, held); },
      data);
}

void Value::throw_wrong_kind(Kind wanted) const {
  std::string held = kind_name(kind());
  if (const PickledObject* object = get_if<PickledObject>()) {
    held += " " + object->class_name() + " (only Python code can rebuild it)";
  }
  throw SerializationError("Value holds " + held + ", not " + kind_name(wanted));
}

void Value::throw_out_of_range(int bits, bool is_signed) const {
  const std::string type = bits == 0 ? std::string("a float")
                                     : std::string(is_signed ? "a signed " : "an unsigned ") +
                                           std::to_string(bits) + "-bit integer";
  throw SerializationError("Value holds " + short_repr() + ", which does not fit in " + type);
}

std::string Value::c_string(const char* text) {
  if (text == nullptr) throw Error("a null char pointer is not text: pass \"\" or a Value()");
  return std::string(text);
}

std::string Value::c_string(const char* buffer, std::size_t size) {
  const std::string_view whole(buffer, size);
  return std::string(whole.substr(0, whole.find('\0')));
}

std::size_t Value::size() const {
  switch (kind()) {
    case Kind::List: return get_if<List>()->size();
    case Kind::Tuple: return get_if<Tuple>()->size();
    case Kind::Dict: return get_if<Dict>()->size();
    case Kind::Set: return get_if<Set>()->size();
    case Kind::FrozenSet: return get_if<FrozenSet>()->size();
    default: break;
  }
  throw SerializationError(std::string("size() of a Value that holds ") + kind_name(kind()) +
                           ", not a list, tuple, dict, set or frozenset");
}

const Value& Value::operator[](std::size_t index) const {
  const std::vector<Value>* elements = get_if<List>();
  if (elements == nullptr) elements = get_if<Tuple>();
  if (elements == nullptr) {
    throw SerializationError(std::string("element of a Value that holds ") + kind_name(kind()) +
                             ", not a list or tuple");
  }
  if (index >= elements->size()) {
    throw std::out_of_range("index " + std::to_string(index) + " of a " + kind_name(kind()) +
                            " of " + std::to_string(elements->size()) + " elements");
  }
  return (*elements)[index];
}

const Value* Value::find(const Value& key) const {
  if (const Dict* dict = get_if<Dict>()) return dict->find(key);
  throw SerializationError(std::string("find() in a Value that holds ") + kind_name(kind()) +
                           ", not a dict");
}

bool Value::contains(const Value& element) const {
  switch (kind()) {
    case Kind::List:
    case Kind::Tuple: {
      const std::vector<Value>& elements =
          kind() == Kind::List ? static_cast<const std::vector<Value>&>(*get_if<List>())
                               : *get_if<Tuple>();
      return std::any_of(elements.begin(), elements.end(),
                         [&](const Value& held) { return kKeyOrder(held, element) == 0; });
    }
    case Kind::Dict: return get_if<Dict>()->contains(element);
    case Kind::Set: return get_if<Set>()->contains(element);
    case Kind::FrozenSet: return get_if<FrozenSet>()->contains(element);
    default: break;
  }
  throw SerializationError(std::string("contains() in a Value that holds ") + kind_name(kind()) +
                           ", not a container");
}

bool operator==(const Value& a, const Value& b) { return kValueOrder(a, b) == 0; }

std::weak_ordering operator<=>(const Value& a, const Value& b) { return kValueOrder(a, b); }

namespace detail {
std::weak_ordering key_order(const Value& a, const Value& b) { return kKeyOrder(a, b); }
}  // namespace detail

std::ostream& operator<<(std::ostream& out, const Value& value) { return out << value.repr(); }

// --- Dict --------------------------------------------------------------------

Dict::Dict(std::initializer_list<Entry> entries)
    : Dict(from_entries(std::vector<Entry>(entries))) {}

Dict Dict::from_entries(std::vector<Entry> entries) {
  const std::vector<std::size_t> first =
      first_equal(entries, [](const Entry& entry) -> const Value& { return entry.first; });
  Dict dict;
  std::vector<std::size_t> place(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (first[i] == i) {
      place[i] = dict.entries_.size();
      dict.entries_.push_back(std::move(entries[i]));
    } else {
      dict.entries_[place[first[i]]].second = std::move(entries[i].second);
    }
  }
  return dict;
}

const Value* Dict::find(const Value& key) const {
  for (const Entry& entry : entries_) {
    if (kKeyOrder(entry.first, key) == 0) return &entry.second;
  }
  return nullptr;
}

const Value& Dict::at(const Value& key) const {
  if (const Value* value = find(key)) return *value;
  throw KeyError("key " + key.short_repr() + " is not in the dict", {}, key.short_repr());
}

void Dict::insert_or_assign(Value key, Value value) {
  for (Entry& entry : entries_) {
    if (kKeyOrder(entry.first, key) == 0) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

bool Dict::erase(const Value& key) {
  const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    return kKeyOrder(entry.first, key) == 0;
  });
  if (found == entries_.end()) return false;
  entries_.erase(found);
  return true;
}

// --- Set and FrozenSet ---------------------------------------------------------

namespace detail {

UniqueValues::UniqueValues(std::initializer_list<Value> elements)
    : UniqueValues(std::vector<Value>(elements)) {}

UniqueValues::UniqueValues(std::vector<Value> elements) {
  const std::vector<std::size_t> first =
      first_equal(elements, [](const Value& element) -> const Value& { return element; });
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (first[i] == i) elements_.push_back(std::move(elements[i]));
  }
}

bool UniqueValues::contains(const Value& element) const {
  return std::any_of(elements_.begin(), elements_.end(),
                     [&](const Value& held) { return kKeyOrder(held, element) == 0; });
}

bool UniqueValues::insert(Value element) {
  if (contains(element)) return false;
  elements_.push_back(std::move(element));
  return true;
}

bool UniqueValues::erase(const Value& element) {
  const auto found = std::find_if(elements_.begin(), elements_.end(),
                                  [&](const Value& held) { return kKeyOrder(held, element) == 0; });
  if (found == elements_.end()) return false;
  elements_.erase(found);
  return true;
}

}  // namespace detail
}  // namespace diskcache
