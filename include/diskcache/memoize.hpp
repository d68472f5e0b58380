// diskcache::Memoized: a function whose results are cached on disk, keyed by
// its arguments, for every process that opens the same directory.
//
// Made by memoize() on a container (Cache::memoize). A call looks up the key
// (name, arguments..., None), Python's; on a hit it
// returns the stored result without calling the function, on a miss it calls
// the function and stores the result (with the options' expiry and tag).
// Results survive restarts; a function that throws caches nothing.
//
//   diskcache::Cache<> cache(dir);
//   auto fibonacci = cache.memoize("fibonacci", [](std::int64_t n) { ... });
//   std::int64_t f = fibonacci(40);  // computed once, in any process
//
// Shared with Python diskcache: the key is the one Python's memoize
// (core.py's args_to_key) builds for memoize(name=...): the tuple (name,
// arguments..., None), pickled as Python stores a tuple key, whatever the
// container's policy. Arguments of the types disk::Auto stores as Python
// does (integers, double, bool, std::string, bytes, diskcache::Value, and
// tuples, pairs, vectors, maps, sets and optionals of them) are the same
// Python objects, so a Python function memoized under the same name and
// called with the same positional arguments finds the C++ results and the
// other way round. The result is stored by the container's policy; with
// disk::Auto as Python stores the same object, so each side reads the
// other's (a result Python pickled as an object cannot be read as a C++
// type). Other arguments (structs) enter the key as the Value of their
// encoding (bytes for cereal or Boost, a str for disk::Json): such keys
// are C++'s own. Not shared: Python's keyword arguments (C++ passes none),
// and `typed` keys, where Python adds the arguments' classes and C++ their
// C++ type names. Keys written by diskcache-cpp 0.1 (cereal) differ: those
// results are computed once more.
//
// For a callable with one signature, arguments are first converted to its
// parameter types, so `f("abc")` and `f(std::string("abc"))` share a key; a
// generic callable (auto parameters) keys on the arguments' own types, with
// C strings taken as std::string. Result types must be serializable by the
// policy; non-const lvalue reference parameters (an output stream, a
// logger) are passed through and must be ignored. Two different functions
// must use different names. memoize<&function>() takes the function's
// qualified name ("geometry::area") where Python takes its module and
// qualified name; a lambda has no name that outlives the build and must be
// given one (detail/memoize_key.hpp says which functions are refused).
//
// Memoize entries live among the container's items: they expire, are
// evicted and counted like any item. A Cache<> iterates their keys as
// Tuples; a container of another key type meets them as keys it cannot
// decode: give memoized functions their own container when that matters.
//
// Thread and process safety: as the container's. Two processes that miss at
// the same time both call the function, and the last result stored wins
// (see the memoize_stampede recipe for computing once).
#ifndef DISKCACHE_MEMOIZE_HPP_
#define DISKCACHE_MEMOIZE_HPP_

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "diskcache/detail/memoize_key.hpp"
#include "diskcache/detail/shards.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/value.hpp"

namespace diskcache {

struct MemoizeOptions {
  // How long a result stays cached; none: until evicted or forgotten.
  // Default: none.
  std::optional<std::chrono::duration<double>> expire{};
  // Tag stored with every result, so evict(tag) drops them all.
  // Default: none.
  std::optional<Value> tag{};
  // When true, the key also holds each argument's type name, so a generic
  // callable called with 1 and with 1.0 caches two results. Type names are
  // those of the compiler: keys made by GCC and Clang builds may differ.
  // Default: false.
  bool typed = false;
  // Zero-based positions of the arguments left out of the key (a logger, a
  // connection, a timeout): calls that differ only there share one result.
  // An argument the policy cannot serialize must be listed here.
  // Default: none.
  std::set<std::size_t> ignore{};
};

template <class Disk, class Fn>
class Memoized {
 public:
  // Results go to the store of `shards` that each key chooses: a Cache's
  // one store, or a FanoutCache's shard for the key.
  // REQUIRES: `name` is unique to this function within the directory.
  Memoized(detail::Shards shards, std::string name, Fn fn, MemoizeOptions options)
      : shards_(std::move(shards)),
        name_(std::move(name)),
        fn_(std::move(fn)),
        options_(std::move(options)) {}

  // The cached result for `args`, calling the function only on a miss.
  // Throws what the function throws (nothing is cached then),
  // SerializationError if an argument or the result cannot be encoded or a
  // stored result cannot be decoded as the result type (forget() it),
  // Timeout, IoError, CorruptionError as the container's get and set.
  template <class... Args>
  auto operator()(Args&&... args) {
    using Held = detail::held_arguments_t<Fn, Args...>;
    Held held(std::forward<Args>(args)...);
    using Result = std::remove_cvref_t<decltype(std::apply(fn_, std::move(held)))>;
    static_assert(!std::is_void_v<Result>,
                  "memoize: a function returning void has no result to cache");
    const Cell key = encode_key(name_, held);
    Store& store = shards_.for_key(key);
    if (std::optional<StoredItem> item = store.get(key, /*retry=*/true)) {
      return decode_result<Result>(item->value, key, store);
    }
    Result result = std::apply(fn_, std::move(held));
    store.set(key, Disk::template encode<Result>(result),
              SetOptions{.expire = options_.expire, .tag = options_.tag, .retry = true});
    return result;
  }

  // The key the call with `args` is stored under.
  template <class... Args>
  Cell cache_key(Args&&... args) const {
    const detail::held_arguments_t<Fn, Args...> held(std::forward<Args>(args)...);
    return encode_key(name_, held);
  }

  // Whether a result for `args` is cached (and unexpired).
  template <class... Args>
  bool contains(Args&&... args) const {
    const Cell key = cache_key(std::forward<Args>(args)...);
    return shards_.for_key(key).contains(key);
  }

  // Removes the cached result for `args`; returns whether there was one.
  template <class... Args>
  bool forget(Args&&... args) const {
    const Cell key = cache_key(std::forward<Args>(args)...);
    return shards_.for_key(key).erase(key, /*retry=*/true);
  }

  const std::string& name() const noexcept { return name_; }
  const MemoizeOptions& options() const noexcept { return options_; }

 protected:
  // For variants of memoize (memoize_stampede in recipes.hpp).

  // The key of a call with `held` arguments to a function named `name`:
  // Python's key for the same call, pickled as Python stores a tuple key.
  template <class Held>
  Cell encode_key(const std::string& name, const Held& held) const {
    return disk::Auto::encode(
        Value(detail::memoize_key<Disk>(name, held, options_.ignore, options_.typed)));
  }

  template <class Result>
  Result decode_result(const Cell& cell, const Cell& key, const Store& store) const {
    try {
      return Disk::template decode<Result>(cell);
    } catch (const SerializationError& error) {
      throw SerializationError("memoize \"" + name_ + "\": the cached result in " +
                                   store.directory().string() + " is not a " +
                                   detail::type_name<Result>() + ": " + error.what(),
                               store.directory(), key.repr());
    }
  }

  mutable detail::Shards shards_;
  std::string name_;
  Fn fn_;
  MemoizeOptions options_;
};

}  // namespace diskcache

#endif  // DISKCACHE_MEMOIZE_HPP_
