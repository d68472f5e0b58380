// Lazy walks over a queue (Deque iteration and reversal): keys are fetched
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

// The keys of a queue from one end, a page at a time.
class QueueKeyWalk {
 public:
  QueueKeyWalk(Store store, std::optional<std::string> prefix, Side from)
      : store_(std::move(store)), prefix_(std::move(prefix)), from_(from) {}

  // The next key, or nullopt past the other end. Keys added beyond the
  // walk's position are met; a key is never met twice.
  std::optional<Cell> next() {
    if (next_ == page_.size()) {
      if (ended_) return std::nullopt;
      std::optional<Cell> after;
      if (!page_.empty()) after = std::move(page_.back());
      page_ = store_.queue_keys(prefix_, from_, after, kPageSize);
      next_ = 0;
      if (page_.empty()) {
        ended_ = true;
        return std::nullopt;
      }
    }
    return page_[next_++];
  }

  Store& store() noexcept { return store_; }

 private:
  static constexpr std::int64_t kPageSize = 100;

  Store store_;
  std::optional<std::string> prefix_;
  Side from_;
  std::vector<Cell> page_;
  std::size_t next_ = 0;  // the next key of page_ to hand out
  bool ended_ = false;
};

// An input iterator over a queue's items decoded as T. Items removed since
// their page of keys was read are skipped.
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
      : walk_(std::in_place, std::move(store), std::move(prefix), from) {
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
  void advance() {
    current_.reset();
    if (!walk_) return;
    while (std::optional<Cell> key = walk_->next()) {
      Store& store = walk_->store();
      if (std::optional<StoredItem> item = store.get(*key, /*retry=*/true)) {
        current_.emplace(
            decode_stored<Disk, T>(item->value, *key, "deque item", store.directory()));
        return;
      }
    }
    walk_.reset();
  }

  std::optional<QueueKeyWalk> walk_;  // none once the walk has ended
  std::optional<T> current_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_QUEUE_ITERATOR_HPP_
