// Must NOT compile: memoize<&function>() of a function in an anonymous
// namespace. GCC and Clang spell its name differently, and another file may
// define one of the same name, so it cannot name stored results. The ctest
// `memoize_anonymous_function_default_name` expects the static_assert that
// says to pass a name.
#include <cstdint>

#include "diskcache/cache.hpp"

namespace {
std::int64_t square(std::int64_t x) { return x * x; }
}  // namespace

void use(diskcache::Cache<>& cache) { cache.memoize<&square>(); }
