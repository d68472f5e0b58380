// Must NOT compile: Value::get_if on a temporary would return a pointer into
// a Value destroyed at the end of the statement, as in
// `cache.at(key).get_if<std::int64_t>()`. The rvalue overload is deleted;
// the ctest `get_if_on_temporary` builds this file and expects that error.
#include "diskcache/value.hpp"

const std::int64_t* dangling() { return diskcache::Value(42).get_if<std::int64_t>(); }
