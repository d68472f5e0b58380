// Internal: the key a memoized call is stored under, and the argument types
// it is built from. Not part of the API; see memoize.hpp.
#ifndef DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_
#define DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_

#include <cereal/archives/portable_binary.hpp>
#include <cereal/details/traits.hpp>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "diskcache/disk/auto.hpp"
#include "diskcache/disk/detail/python_types.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/value.hpp"

namespace diskcache::disk {
// Declared only: naming them must not drag their archives in.
struct Binary;
struct Json;
}  // namespace diskcache::disk

namespace diskcache::detail {

// C++ has no reflection of names: the names below are read from the
// compiler's __PRETTY_FUNCTION__, where GCC writes a template's arguments as
// "[with T = <name>; ...]" and Clang as "[T = <name>]". `parameter` is
// "T = " with the template parameter's name.
constexpr std::string_view template_argument_text(std::string_view signature,
                                                  std::string_view parameter) {
  const std::size_t start = signature.find(parameter) + parameter.size();
  return signature.substr(start, signature.find_first_of(";]", start) - start);
}

// A readable name of T, the same in every build by the same compiler.
template <class T>
std::string type_name() {
  return std::string(template_argument_text(__PRETTY_FUNCTION__, "T = "));
}

template <auto Function>
concept FunctionPointer = std::is_pointer_v<decltype(Function)> &&
    std::is_function_v<std::remove_pointer_t<decltype(Function)>>;

// The qualified name of a function ("geometry::area"), memoize<&function>()'s
// default name. Clang writes the argument as "&geometry::area".
template <auto Function>
constexpr std::string_view function_name() {
  std::string_view name = template_argument_text(__PRETTY_FUNCTION__, "Function = ");
  if (name.starts_with('&')) name.remove_prefix(1);
  return name;
}

// Whether function_name() is the same in every build and names one
// function: GCC and Clang agree on functions with external linkage. Refused:
// a template specialization as GCC writes it ("area<int>"; Clang writes
// "area", which passes) and anything in an anonymous namespace ("{anonymous}"
// in GCC, "(anonymous namespace)" in Clang), which another file may repeat.
template <auto Function>
constexpr bool has_stable_name() {
  constexpr std::string_view name = function_name<Function>();
  return !name.empty() && name.find_first_of("<>(){} ") == std::string_view::npos;
}

// memoize<&function>()'s name, or a compile error saying to pass one.
template <auto Function>
std::string default_memoize_name() {
  static_assert(has_stable_name<Function>(),
                "memoize<&function>() names results after the function, but this one has no "
                "name that every build repeats (a template specialization, or a function in an "
                "anonymous namespace): pass a name, memoize(\"name\", function)");
  return std::string(function_name<Function>());
}

template <class Fn>
inline constexpr bool kAlwaysFalse = false;

// memoize(fn) without a name: a lambda's or function object's type has no
// name the next build repeats, and results must outlive the build.
template <class Fn>
void refuse_unnamed_memoize() {
  static_assert(kAlwaysFalse<Fn>,
                "memoize(fn) needs a name that outlives this build: a lambda, function object "
                "or function pointer value has none. Pass one, memoize(\"name\", fn), or name "
                "a function by its address, memoize<&function>()");
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

// Whether the policy `Disk` serializes with cereal, whose traits tell at
// compile time which types it can write (Boost and user policies: assumed
// able, as their own compile errors will say otherwise).
template <class Disk>
inline constexpr bool kCerealPolicy =
    std::is_same_v<Disk, disk::Auto> || std::is_same_v<Disk, disk::Binary> ||
    std::is_same_v<Disk, disk::Json>;

// Argument `I` of `arguments` as an element of the key: its Python form
// (disk/detail/python_types.hpp) when it has one, else the Value of the
// cell `Disk` encodes it to (bytes for cereal and Boost, a str for JSON).
template <class Disk, std::size_t I, class Arguments>
Value memoize_key_element(const std::string& name, const Arguments& arguments) {
  using Argument = std::remove_cvref_t<std::tuple_element_t<I, Arguments>>;
  if constexpr (disk::detail::python_form_v<Argument>) {
    return disk::detail::to_python(std::get<I>(arguments));
  } else if constexpr (!kCerealPolicy<Disk> ||
                       cereal::traits::is_output_serializable<
                           Argument, cereal::PortableBinaryOutputArchive>::value) {
    return Disk::template encode<Argument>(std::get<I>(arguments)).to_value();
  } else {
    throw SerializationError("memoize \"" + name + "\": argument " + std::to_string(I) + " (" +
                             type_name<Argument>() +
                             ") cannot be serialized into the key; list it in"
                             " MemoizeOptions::ignore");
  }
}

// The key of a call, as Python diskcache's args_to_key (core.py) builds it
// for memoize(name=...): the tuple (name, arguments..., None) without the
// ignored positions. Python has no keyword arguments here to add. With
// `typed`, the C++ type name of each argument kept follows (Python adds
// its classes, which C++ cannot write: typed keys are C++'s own).
template <class Disk, class Arguments>
Tuple memoize_key(const std::string& name, const Arguments& arguments,
                  const std::set<std::size_t>& ignore, bool typed) {
  Tuple key{Value(name)};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((ignore.count(I) != 0 ? void() : key.push_back(memoize_key_element<Disk, I>(name, arguments))),
     ...);
    key.emplace_back();  // args_to_key's marker between arguments and keywords
    if (typed) {
      ((ignore.count(I) != 0
            ? void()
            : void(key.emplace_back(type_name<std::tuple_element_t<I, Arguments>>()))),
       ...);
    }
  }
  (std::make_index_sequence<std::tuple_size_v<Arguments>>());
  return key;
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_MEMOIZE_KEY_HPP_
