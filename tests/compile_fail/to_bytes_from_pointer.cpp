// Must NOT compile: a `const char*` carries no size, and to_bytes used to
// take it as a std::string_view, which stops at the first NUL: given a
// pointer to "\x00\x01\xff" it silently returned no bytes. The ctest
// `to_bytes_from_pointer` builds this file and expects the static_assert
// that says to pass a std::string_view with its size.
#include "diskcache/value.hpp"

diskcache::Bytes from_pointer(const char* data) { return diskcache::to_bytes(data); }
