// Regression: a user's Release build failed. GCC 12 at -O3 reported a false
// -Wrestrict inside std::string from Cell::repr (include/diskcache/cell.hpp),
// and -Wmaybe-uninitialized inside std::variant when temporary Values were
// moved into a vector; the project's -Werror made both errors. This file
// uses those headers' inline code as a user's program does; the test
// compiles it at -O3 with -Wall -Wextra -Werror (tests/regress/CMakeLists.txt).
// It also instantiates the templates that move many temporary Values into
// containers: disk::Auto's mapping of standard types to Python's data and
// the bulk calls.
#include <cstdint>
#include <diskcache/disk/binary.hpp>
#include <diskcache/disk/json.hpp>
#include <diskcache/disk/raw.hpp>
#include <diskcache/diskcache.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

std::string describe(const diskcache::Cell& key) { return key.repr(); }

std::vector<std::pair<std::string, diskcache::Value>> rows() {
  std::vector<std::pair<std::string, diskcache::Value>> rows;
  rows.emplace_back("size", diskcache::Value(std::int64_t{1} << 30));
  rows.emplace_back("policy", diskcache::Value("least-recently-stored"));
  return rows;
}

int use(diskcache::Cache<>& cache) {
  cache.set("key", diskcache::Value(2.5));
  const std::optional<diskcache::Value> value = cache.get("key");
  return value && value->repr() == "2.5" ? 0 : 1;
}

int use_python_shapes(
    diskcache::Cache<std::tuple<std::string, std::int64_t>, std::vector<double>>& cache) {
  cache.set({"a", 1}, {0.5, 1.5});
  const std::vector<std::optional<std::vector<double>>> values =
      cache.get_many({std::tuple<std::string, std::int64_t>{"a", 1}});
  diskcache::Cache<std::string, std::map<std::string, std::set<std::int64_t>>> nested(
      cache.directory());
  nested.set_many({{"m", {{"k", {1, 2}}}}});
  const auto entry = nested.get("m");
  return values.size() == 1 && entry ? 0 : 1;
}
