// Must NOT compile: memoize(fn) without a name. Results outlive the build,
// and a lambda's type has no name the next build repeats, so a default name
// would orphan every stored result at the next compile. The ctest
// `memoize_lambda_without_name` expects the static_assert that says to pass
// a name or to name a function by its address.
#include <cstdint>

#include "diskcache/cache.hpp"

void use(diskcache::Cache<>& cache) {
  cache.memoize([](std::int64_t x) { return x * x; });
}
