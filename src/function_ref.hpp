// FunctionRef<R(Args...)>: a non-owning reference to a callable, for
// callbacks that are called before the call taking them returns. Unlike
// std::function it never allocates (a lambda capturing more than two
// references does not fit std::function's inline buffer), so hot paths can
// take a callback for free. The referenced callable must outlive the
// FunctionRef: take it as a parameter, never store it.
#ifndef DISKCACHE_SRC_FUNCTION_REF_HPP_
#define DISKCACHE_SRC_FUNCTION_REF_HPP_

#include <memory>
#include <type_traits>
#include <utility>

namespace diskcache::detail {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  FunctionRef(F&& callable) noexcept  // NOLINT: converts like std::function
      requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
               std::is_invocable_r_v<R, F&, Args...>)
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(callable)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_FUNCTION_REF_HPP_
