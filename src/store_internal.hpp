// StoreInternal: what the library and its tests reach in a Store that the
// public interface does not offer (the engine behind the handle).
#ifndef DISKCACHE_SRC_STORE_INTERNAL_HPP_
#define DISKCACHE_SRC_STORE_INTERNAL_HPP_

#include "diskcache/engine.hpp"
#include "diskcache/store.hpp"

namespace diskcache::detail {

class StoreInternal {
 public:
  static Engine& engine(const Store& store) noexcept { return *store.engine_; }
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_STORE_INTERNAL_HPP_
