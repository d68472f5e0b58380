// A lazy walk over the items of a queue (Deque iteration): keys are fetched
// a page at a time, each value when the walk reaches it, so neither the
// queue nor a page of values is ever whole in memory, and no read
// transaction stays open between steps.
#ifndef DISKCACHE_DETAIL_QUEUE_ITERATOR_HPP_
#define DISKCACHE_DETAIL_QUEUE_ITERATOR_HPP_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/detail/decode.hpp"
#include "diskcache/store.hpp"

namespace diskcache::detail {

template <class T, class Disk>
class QueueIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = const T*;
  using reference = const T&;

  QueueIterator() = default;  // the end
  // Starts at the end `from` of the queue `prefix` of `store`.
  QueueIterator(Store store, std::optional<std::string> prefix, Side from)
      : store_(std::move(store)), prefix_(std::move(prefix)), from_(from) {
    advance();
  }

  const T& operator*() const { return *current_; }
  const T* operator->() const { return &*current_; }
  QueueIterator& operator++() {
    advance();
    return *this;
  }
  void operator++(int) { advance(); }

  // An input iterator: only "has the walk ended" is compared (a walk's
  // earlier positions are gone once it moves on).
  friend bool operator==(const QueueIterator& a, const QueueIterator& b) {
    return a.current_.has_value() == b.current_.has_value();
  }

 private:
  static constexpr std::int64_t kPageSize = 100;

  // Moves to the next item still in the queue; items removed since their
  // page was read are skipped, items added past the walk's position are met.
  void advance() {
    current_.reset();
    if (!store_) return;
    while (true) {
      if (next_ == page_.size()) {
        std::optional<Cell> after;
        if (!page_.empty()) after = std::move(page_.back());
        page_ = store_->queue_keys(prefix_, from_, after, kPageSize);
        next_ = 0;
        if (page_.empty()) {
          store_.reset();
          return;
        }
      }
      const Cell& key = page_[next_++];
      if (std::optional<StoredItem> item = store_->get(key, /*retry=*/true)) {
        current_.emplace(decode_stored<Disk, T>(item->value, key, "deque item",
                                                store_->directory()));
        return;
      }
    }
  }

  std::optional<Store> store_;  // none once the walk has ended
  std::optional<std::string> prefix_;
  Side from_ = Side::Front;
  std::vector<Cell> page_;
  std::size_t next_ = 0;  // the next key of page_ to visit
  std::optional<T> current_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_QUEUE_ITERATOR_HPP_
