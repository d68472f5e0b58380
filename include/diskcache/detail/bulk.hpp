// The chunking behind get_many, set_many and delete_many (cache.hpp,
// fanout_cache.hpp, index.hpp): an input range worked through a chunk at a
// time, each chunk inside one write transaction.
#ifndef DISKCACHE_DETAIL_BULK_HPP_
#define DISKCACHE_DETAIL_BULK_HPP_

#include <concepts>
#include <cstddef>
#include <iterator>
#include <ranges>

namespace diskcache::detail {

// How many items one transaction of a bulk call covers: large enough that
// the commit's cost (an fsync with synchronous=FULL) is spread thin, small
// enough that other writers wait for the lock a few milliseconds at most.
inline constexpr std::size_t kBulkChunk = 1000;

// An input range whose elements convert to `const T&`.
template <class Range, class T>
concept RangeOf = std::ranges::input_range<Range> &&
    (std::convertible_to<std::ranges::range_reference_t<Range>, const T&>);

// An input range of pairs whose first converts to K and second to V
// (std::map<K, V>, std::vector<std::pair<K, V>>, ...).
template <class Range, class K, class V>
concept PairRangeOf = std::ranges::input_range<Range> &&
    requires(std::ranges::range_reference_t<Range> item) {
  { item.first } -> std::convertible_to<const K&>;
  { item.second } -> std::convertible_to<const V&>;
};

// Calls `each(element)` for every element of `range` in order, kBulkChunk
// elements per transaction from `transact()`. A chunk's writes commit
// together; an exception rolls back the chunk it happens in and leaves the
// chunks before it committed.
template <class Range, class Transact, class Each>
void for_each_in_chunks(Range&& range, Transact&& transact, Each&& each) {
  auto element = std::ranges::begin(range);
  const auto end = std::ranges::end(range);
  while (element != end) {
    auto transaction = transact();
    for (std::size_t n = 0; n < kBulkChunk && element != end; ++n, ++element) each(*element);
    transaction.commit();
  }
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_BULK_HPP_
