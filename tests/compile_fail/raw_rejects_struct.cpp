// Must NOT compile: disk::Raw stores only the types Python diskcache stores
// natively, and rejects anything else with a static_assert that names the
// accepted types and the policies to use instead (STYLE rule 14). The ctest
// `raw_rejects_struct` builds this file and expects that message.
#include "diskcache/disk/raw.hpp"

namespace {

struct Point {
  int x = 0;
  int y = 0;
};

}  // namespace

diskcache::Cell encode_point() { return diskcache::disk::Raw::encode(Point{}); }
