// Python's plain data shared with Python diskcache through Cache<>: random
// nested keys and values written by one side and read by the other,
// compared through a canonical text form (Python's repr with the entries of
// dicts and sets sorted; tests/python/plain_data.py computes it in Python,
// canon() below in C++), and key bytes compared with Python's for every
// protocol. Objects Python pickles are kept whole, moved and stored again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/pickle.hpp"
#include "test_support.hpp"

namespace diskcache {

void PrintTo(const Value& value, std::ostream* out) { *out << value.short_repr(); }

namespace {

using testing::TempDir;

// Items and keys per run; sanitized builds run a quarter.
const long kItems = testing::env_size("DISKCACHE_PICKLE_INTEROP_ITEMS", 10'000);
const long kKeys = testing::env_size("DISKCACHE_PICKLE_INTEROP_KEYS", 2'000);

// --- the canonical text form -----------------------------------------------------

std::string joined(std::vector<std::string> parts, bool sort) {
  if (sort) std::sort(parts.begin(), parts.end());  // UTF-8 bytes: code point order
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

template <class Range>
std::vector<std::string> canons(const Range& range);

std::string canon(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::List: return "[" + joined(canons(*value.get_if<List>()), false) + "]";
    case Value::Kind::Tuple: {
      const Tuple& tuple = *value.get_if<Tuple>();
      return "(" + joined(canons(tuple), false) + (tuple.size() == 1 ? ",)" : ")");
    }
    case Value::Kind::Dict: {
      std::vector<std::string> entries;
      for (const auto& [key, item] : *value.get_if<Dict>()) {
        entries.push_back(canon(key) + ": " + canon(item));
      }
      return "{" + joined(entries, true) + "}";
    }
    case Value::Kind::Set: {
      const Set& set = *value.get_if<Set>();
      return set.empty() ? "set()" : "{" + joined(canons(set), true) + "}";
    }
    case Value::Kind::FrozenSet: {
      const FrozenSet& set = *value.get_if<FrozenSet>();
      return set.empty() ? "frozenset()" : "frozenset({" + joined(canons(set), true) + "})";
    }
    default: return value.repr();
  }
}

template <class Range>
std::vector<std::string> canons(const Range& range) {
  std::vector<std::string> parts;
  for (const Value& element : range) parts.push_back(canon(element));
  return parts;
}

// --- random plain data, as plain_data.py's Generator makes it ------------------

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : random_(seed) {}

  // `for_key`: no set of more than one element anywhere (Python would
  // pickle its elements back in its own hash order) and no NaN.
  Value value(int depth, bool for_key) {
    switch (pick(depth < 4 ? 13 : 8)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return integer();
      case 3: return real(!for_key);
      case 4: return text();
      case 5: return bytes();
      case 6: return ByteArray(bytes().as<Bytes>());
      case 7:
        return BigInt::from_string((pick(2) ? "-" : "") + std::to_string(random_()) +
                                   std::to_string(random_()) + std::to_string(random_()));
      case 8: {
        List list;
        for (int i = pick(6); i > 0; --i) list.push_back(value(depth + 1, for_key));
        return list;
      }
      case 9: {
        Tuple tuple;
        for (int i = pick(6); i > 0; --i) tuple.push_back(value(depth + 1, for_key));
        return tuple;
      }
      case 10: {
        Dict dict;
        for (int i = pick(6); i > 0; --i) {
          dict.insert_or_assign(hashable(depth + 1), value(depth + 1, for_key));
        }
        return dict;
      }
      case 11: {
        Set set;
        for (int i = pick(for_key ? 2 : 6); i > 0; --i) set.insert(hashable(depth + 1));
        return set;
      }
      default: {
        FrozenSet set;
        for (int i = pick(for_key ? 2 : 6); i > 0; --i) set.insert(hashable(depth + 1));
        return set;
      }
    }
  }

  // A cache key: not a top-level None or bool, which C++ stores raw.
  Value key() {
    for (;;) {
      Value key = pick(4) == 0 ? value(1, true) : hashable(0);
      if (!key.is_null() && key.kind() != Value::Kind::Bool) return key;
    }
  }

 private:
  int pick(int count) { return static_cast<int>(random_() % static_cast<std::uint64_t>(count)); }

  Value hashable(int depth) {
    switch (pick(depth < 4 ? 8 : 6)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return integer();
      case 3: return real(false);
      case 4: return text();
      case 5: return bytes();
      case 6: {
        Tuple tuple;
        for (int i = pick(4); i > 0; --i) tuple.push_back(hashable(depth + 1));
        return tuple;
      }
      default: {
        FrozenSet set;
        if (pick(2) == 0) set.insert(hashable(depth + 1));
        return set;
      }
    }
  }

  Value integer() {
    const std::int64_t choices[] = {0,         1,        -1,   255,       256,
                                    65535,     65536,    -129, INT32_MIN, std::int64_t{1} << 31,
                                    INT64_MAX, INT64_MIN};
    if (pick(3) == 0) return static_cast<std::int64_t>(random_());
    return choices[pick(std::size(choices))];
  }

  Value real(bool nan) {
    const double choices[] = {0.0,
                              -0.0,
                              1.5,
                              1e16,
                              1e-5,
                              0.1,
                              1e300,
                              -2.5e-300,
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN()};
    if (pick(3) == 0) return std::ldexp(static_cast<double>(random_() >> 11), pick(200) - 100);
    return choices[pick(static_cast<int>(std::size(choices)) - (nan ? 0 : 1))];
  }

  Value text() {
    // Characters of every UTF-8 length, quotes, escapes, characters Python
    // escapes in a repr, and the one-character strs CPython shares.
    static const char* const kAlphabet[] = {
        "a", "b",      "'",      "\"",     "\\",     "\n",     "\t",     "\x7f",
        " ", "\u00e9", "\u00df", "\u20ac", "\u65e5", "\u200b", "\u00a0", "\U0001F600"};
    const int lengths[] = {0, 1, 1, 2, 3, 8, 30};
    std::string out;
    for (int i = lengths[pick(7)]; i > 0; --i) out += kAlphabet[pick(std::size(kAlphabet))];
    return out;
  }

  Value bytes() {
    const int lengths[] = {0, 1, 1, 2, 5, 40};
    Bytes out;
    for (int i = lengths[pick(6)]; i > 0; --i) out.push_back(static_cast<std::byte>(pick(256)));
    return out;
  }

  std::mt19937_64 random_;
};

std::vector<std::vector<std::string>> read_lines(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
      const std::size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    lines.push_back(std::move(fields));
  }
  return lines;
}

std::string hex(const Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte byte : bytes) {
    out += kDigits[std::to_integer<unsigned>(byte) >> 4];
    out += kDigits[std::to_integer<unsigned>(byte) & 0xf];
  }
  return out;
}

Bytes from_hex(const std::string& text) {
  Bytes bytes;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

class PickleInteropTest : public ::testing::Test {
 protected:
  int python(const std::vector<std::string>& args) {
    std::string line;
    for (const std::string& arg : args) line += " '" + arg + "'";
    return testing::run_python("plain_data.py", line);
  }

  TempDir dir_;
};

// --- Python writes, C++ reads ----------------------------------------------------

TEST_F(PickleInteropTest, CppReadsEveryItemPythonStores) {
  const std::filesystem::path expected = dir_.path() / "expected.txt";
  const std::filesystem::path cache_dir = dir_.path() / "cache";
  ASSERT_EQ(python({"write", cache_dir.string(), "1", std::to_string(kItems), expected.string()}),
            0);
  const auto lines = read_lines(expected);
  ASSERT_EQ(static_cast<long>(lines.size()), kItems);
  Cache<> cache(cache_dir);
  std::size_t index = 0;
  for (const auto& [key, value] : cache.items()) {
    ASSERT_LT(index, lines.size());
    ASSERT_EQ(canon(key), lines[index][0]) << "key " << index;
    ASSERT_EQ(canon(value), lines[index][1]) << "value " << index;
    // Found again: the key pickles to Python's bytes.
    const std::optional<Value> again = cache.get(key);
    ASSERT_TRUE(again) << "key " << index << ": " << key.short_repr();
    ASSERT_EQ(*again, value);
    ++index;
  }
  EXPECT_EQ(index, lines.size());
}

TEST_F(PickleInteropTest, KeyBytesAreAsPythonsAtEveryProtocol) {
  const std::filesystem::path keys = dir_.path() / "keys.txt";
  ASSERT_EQ(python({"keys", "2", std::to_string(kKeys), keys.string()}), 0);
  const auto lines = read_lines(keys);
  ASSERT_EQ(static_cast<long>(lines.size()), kKeys * 6);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int protocol = std::stoi(lines[i][0]);
    const Bytes dumped = from_hex(lines[i][1]);
    const Value key = pickle::loads(dumped);
    ASSERT_EQ(pickle::loads(from_hex(lines[i][2])), key) << "line " << i;
    ASSERT_EQ(hex(pickle::dumps(key, protocol)), lines[i][1]) << "line " << i << ": " << canon(key);
    ASSERT_EQ(hex(pickle::dumps_key(key, protocol)), lines[i][2])
        << "line " << i << ": " << canon(key);
  }
}

// --- C++ writes, Python reads ----------------------------------------------------

TEST_F(PickleInteropTest, PythonReadsEveryItemCppStores) {
  const std::filesystem::path expected = dir_.path() / "expected.txt";
  const std::filesystem::path cache_dir = dir_.path() / "cache";
  {
    Cache<> cache(cache_dir);
    Generator generator(3);
    std::set<std::string> written;  // keys the cache tells apart (1 and 1.0 are one)
    std::ofstream lines(expected);
    const Transaction transaction = cache.transact();
    while (static_cast<long>(written.size()) < kItems) {
      const Value key = generator.key();
      Value value = generator.value(0, false);
      // Stored alone, a bool is the integer 0 or 1 and a NaN becomes NULL
      // in SQLite: Python would read 0 or 1 and None.
      const double* real = value.get_if<double>();
      if (value.kind() == Value::Kind::Bool || (real != nullptr && std::isnan(*real))) continue;
      if (written.size() % 1000 == 7) {
        List big;  // a pickle of more than 32 KiB: a value file
        for (int i = 0; i < 20'000; ++i) big.push_back(i);
        value = big;
      }
      const Cell cell = disk::Auto::encode(key);
      const bool number = cell.kind() == Cell::Kind::Integer || cell.kind() == Cell::Kind::Real;
      // + 0.0: -0.0 and 0.0 are one key too.
      const std::string identity =
          number ? "number " + Value((cell.kind() == Cell::Kind::Integer
                                          ? static_cast<double>(cell.integer())
                                          : cell.real()) +
                                     0.0)
                                   .repr()
                 : std::string(cell.raw() ? "raw " : "pickle ") +
                       std::to_string(static_cast<int>(cell.kind())) + std::string(cell.bytes());
      if (!written.insert(identity).second) continue;
      cache.set(key, value);
      lines << canon(key) << '\t' << canon(value) << '\n';
    }
  }
  EXPECT_EQ(python({"check", cache_dir.string(), expected.string()}), 0);
}

TEST_F(PickleInteropTest, PythonFindsTheKeyBytesCppWrites) {
  const std::filesystem::path keys = dir_.path() / "keys.txt";
  {
    Generator generator(4);
    std::ofstream lines(keys);
    for (long i = 0; i < kKeys; ++i) {
      const Value key = generator.key();
      for (int protocol = 0; protocol <= 5; ++protocol) {
        lines << protocol << '\t' << canon(key) << '\t' << hex(pickle::dumps_key(key, protocol))
              << '\n';
      }
    }
  }
  EXPECT_EQ(python({"check-keys", keys.string()}), 0);
}

// --- objects -----------------------------------------------------------------------

TEST_F(PickleInteropTest, ObjectsAreKeptWholeMovedAndStoredAgain) {
  ASSERT_EQ(python({"objects", dir_.path().string()}), 0);
  Cache<> cache(dir_.path());
  const std::vector<std::pair<std::string, std::string>> classes = {
      {"date", "datetime.datetime"},   {"ordered", "collections.OrderedDict"},
      {"decimal", "decimal.Decimal"},  {"point", "__main__.Point"},
      {"complex", "builtins.complex"},
  };
  for (const auto& [name, class_name] : classes) {
    const Value object = cache.at(name);
    ASSERT_EQ(object.kind(), Value::Kind::Object) << name;
    EXPECT_EQ(object.get_if<PickledObject>()->class_name(), class_name);
    EXPECT_THROW(object.as<std::string>(), SerializationError);
    EXPECT_EQ(object.repr(), "<pickled " + class_name + ">");
    EXPECT_TRUE(cache.set(Tuple{"copy", name}, object));
    EXPECT_TRUE(cache.erase(name));
  }
  // An object as a key: listed, its item moved, the key used again.
  std::optional<Value> object_key;
  for (const Value& key : cache.keys()) {
    if (key.kind() == Value::Kind::Object) object_key = key;
  }
  ASSERT_TRUE(object_key);
  EXPECT_EQ(object_key->get_if<PickledObject>()->class_name(), "datetime.date");
  const std::optional<Value> moved = cache.pop(*object_key);
  ASSERT_TRUE(moved);
  EXPECT_TRUE(cache.set("moved", *moved));
  EXPECT_TRUE(cache.set(*object_key, "stored again"));
  EXPECT_EQ(python({"check-objects", dir_.path().string()}), 0);
}

}  // namespace
}  // namespace diskcache
