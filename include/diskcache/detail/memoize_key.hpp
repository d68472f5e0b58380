// Internal: the key a memoized call is stored under, and the argument types
// it is built from. Not part of the API; see memoize.hpp.
#ifndef DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_
#define DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_

#include <cereal/details/traits.hpp>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "diskcache/errors.hpp"

namespace diskcache::detail {

// A readable name of T, the same in every build by the same compiler
// (GCC and Clang spell it inside __PRETTY_FUNCTION__ as "T = <name>").
template <class T>
std::string type_name() {
  const std::string_view signature = __PRETTY_FUNCTION__;
  const std::size_t start = signature.find("T = ") + 4;
  const std::size_t end = signature.find_first_of(";]", start);
  return std::string(signature.substr(start, end - start));
}

// How a memoized function's argument is kept while the key is built and the
// function runs: a non-const lvalue reference stays a reference (an
// out-parameter or a logger is passed through, and must be ignored),
// everything else is held by value.
template <class Param>
using held_argument_t = std::conditional_t<std::is_lvalue_reference_v<Param> &&
                                               !std::is_const_v<std::remove_reference_t<Param>>,
                                           Param, std::decay_t<Param>>;

template <class Function>
struct function_parameters;
template <class R, class... Params>
struct function_parameters<std::function<R(Params...)>> {
  using type = std::tuple<Params...>;
};

// The parameter types of a callable with one signature (a function pointer,
// a lambda without auto parameters), found through std::function's
// deduction guides; none for generic callables.
template <class Fn, class = void>
struct callable_parameters {};
template <class Fn>
struct callable_parameters<Fn, std::void_t<decltype(std::function(std::declval<Fn>()))>>
    : function_parameters<decltype(std::function(std::declval<Fn>()))> {};

template <class Fn>
concept HasFixedParameters = requires {
  typename callable_parameters<Fn>::type;
};

// The type an argument of a generic callable is held as: string literals
// and C strings become std::string, so "abc" and std::string("abc") share a
// key.
template <class Arg>
using generic_held_t = std::conditional_t<std::is_convertible_v<Arg, const char*> &&
                                              !std::is_same_v<std::decay_t<Arg>, std::nullptr_t>,
                                          std::string, held_argument_t<Arg&&>>;

// The tuple of held arguments for calling `Fn` with `Args`.
template <class Fn, class... Args>
struct held_arguments {
  using type = std::tuple<generic_held_t<Args>...>;
};
template <HasFixedParameters Fn, class... Args>
struct held_arguments<Fn, Args...> {
  template <class Tuple>
  struct held;
  template <class... Params>
  struct held<std::tuple<Params...>> {
    using type = std::tuple<held_argument_t<Params>...>;
  };
  using type = typename held<typename callable_parameters<Fn>::type>::type;
};
template <class Fn, class... Args>
using held_arguments_t = typename held_arguments<Fn, Args...>::type;

// (name, arguments..., [argument type names...]) without the ignored
// positions, written to any cereal or Boost output archive with `&`.
template <class Arguments>
class MemoizeKey {
 public:
  MemoizeKey(const std::string& name, const Arguments& arguments,
             const std::set<std::size_t>& ignore, bool typed)
      : name_(name), arguments_(arguments), ignore_(ignore), typed_(typed) {}

  // One member for both libraries: cereal and Boost call serialize(archive,
  // version) and both archives take `archive & object`. Keys are only ever
  // written, never read back.
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    // clang-format 14 reads `archive & x;` as a declaration.
    // clang-format off
    archive & name_;
    // clang-format on
    write_arguments(archive, std::make_index_sequence<std::tuple_size_v<Arguments>>());
  }

 private:
  template <class Archive, std::size_t... I>
  void write_arguments(Archive& archive, std::index_sequence<I...>) {
    (write_argument<I>(archive), ...);
    if (typed_) {
      std::string type;
      ((ignore_.count(I)
            ? void()
            : (type = type_name<std::tuple_element_t<I, Arguments>>(), void(archive & type))),
       ...);
    }
  }

  template <std::size_t I, class Archive>
  void write_argument(Archive& archive) {
    if (ignore_.count(I) != 0) return;
    using Argument = std::remove_cvref_t<std::tuple_element_t<I, Arguments>>;
    if constexpr (!std::is_base_of_v<cereal::detail::OutputArchiveBase, Archive> ||
                  cereal::traits::is_output_serializable<Argument, Archive>::value) {
      // clang-format 14 reads `archive & x;` as a declaration.
      // clang-format off
      archive & std::get<I>(arguments_);
      // clang-format on
    } else {
      throw SerializationError("memoize \"" + name_ + "\": argument " + std::to_string(I) + " (" +
                               type_name<Argument>() +
                               ") cannot be serialized into the key; list it in"
                               " MemoizeOptions::ignore");
    }
  }

  const std::string& name_;
  const Arguments& arguments_;
  const std::set<std::size_t>& ignore_;
  bool typed_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_
