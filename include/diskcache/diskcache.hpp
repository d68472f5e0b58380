// The umbrella header: every container, Value, Settings, the errors and
// disk::Auto. Other disk policies have their own headers:
// <diskcache/disk/raw.hpp>, <diskcache/disk/binary.hpp>,
// <diskcache/disk/json.hpp>, <diskcache/disk/boost.hpp>.
#ifndef DISKCACHE_DISKCACHE_HPP_
#define DISKCACHE_DISKCACHE_HPP_

#include "diskcache/cache.hpp"
#include "diskcache/cell.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/disk/auto.hpp"
#include "diskcache/disk_policy.hpp"
#include "diskcache/engine.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/fanout_cache.hpp"
#include "diskcache/index.hpp"
#include "diskcache/memoize.hpp"
#include "diskcache/pickle.hpp"
#include "diskcache/recipes.hpp"
#include "diskcache/settings.hpp"
#include "diskcache/store.hpp"
#include "diskcache/transaction.hpp"
#include "diskcache/value.hpp"
#include "diskcache/version.hpp"

#endif  // DISKCACHE_DISKCACHE_HPP_
