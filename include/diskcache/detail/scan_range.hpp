// The lazy ranges that keys(), items(), iterkeys() and Index's range queries
// return: a Store scan whose items are decoded one at a time.
#ifndef DISKCACHE_DETAIL_SCAN_RANGE_HPP_
#define DISKCACHE_DETAIL_SCAN_RANGE_HPP_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "diskcache/detail/decode.hpp"
#include "diskcache/store.hpp"

namespace diskcache::detail {

// What a scan's items decode to: the key, the value, or both. Only those
// that need the value have the Cursor read it, so keys() never opens a
// value file.
template <class Disk, class K>
struct DecodeKey {
  using type = K;
  static constexpr bool kNeedsValue = false;
  static K make(Store::Cursor& cursor, const std::filesystem::path& directory) {
    return decode_stored<Disk, K>(cursor.key(), cursor.key(), "key", directory);
  }
};

template <class Disk, class V>
struct DecodeValue {
  using type = V;
  static constexpr bool kNeedsValue = true;
  static V make(Store::Cursor& cursor, const std::filesystem::path& directory) {
    return decode_stored<Disk, V>(cursor.item().value, cursor.key(), "key", directory);
  }
};

template <class Disk, class K, class V>
struct DecodeItem {
  using type = std::pair<K, V>;
  static constexpr bool kNeedsValue = true;
  static type make(Store::Cursor& cursor, const std::filesystem::path& directory) {
    return type(DecodeKey<Disk, K>::make(cursor, directory),
                DecodeValue<Disk, V>::make(cursor, directory));
  }
};

// An input range over the items of one scan. begin() starts the scan (again,
// if called again: iterators of the earlier pass are then invalid); each ++
// visits and decodes the next item. The range owns the current element, so
// an iterator is a pointer to its range, like std::istream_iterator's to its
// stream: valid while the range lives and is not moved.
//
// An item whose key or value cannot be decoded is skipped, counted
// (skipped()) and handed to the on_undecodable handler if there is one; a
// handler that throws ends the pass with its exception.
template <class Decode>
class ScanRange {
 public:
  using value_type = typename Decode::type;
  // Called with the stored key of an item the pass skips and the decoding
  // error (which names the key and the directory).
  using UndecodableHandler = std::function<void(const Cell& key, const SerializationError& error)>;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::input_iterator_tag;
    using value_type = typename Decode::type;
    using difference_type = std::ptrdiff_t;
    using pointer = value_type*;
    using reference = value_type&;

    iterator() = default;

    reference operator*() const noexcept { return *range_->current_; }
    pointer operator->() const noexcept { return &*range_->current_; }

    iterator& operator++() {
      range_->advance();
      return *this;
    }

    // `*it++` yields the element `it` was at, as the legacy InputIterator
    // requirements ask; the element is moved out, since the range is about
    // to replace it.
    struct Postfix {
      value_type element;
      value_type& operator*() noexcept { return element; }
    };
    Postfix operator++(int) {
      Postfix before{std::move(*range_->current_)};
      range_->advance();
      return before;
    }

    // Any two iterators not at the end of one range are at the same element.
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.at_end() == b.at_end();
    }

   private:
    friend class ScanRange;
    explicit iterator(ScanRange* range) noexcept : range_(range) {}
    bool at_end() const noexcept { return range_ == nullptr || !range_->current_; }

    ScanRange* range_ = nullptr;
  };

  ScanRange(Store store, ScanOptions options)
      : store_(std::move(store)), options_(std::move(options)) {
    options_.values = Decode::kNeedsValue;
    // Bounds may borrow from the caller's keys, which go away first.
    if (options_.from) options_.from = options_.from->to_owning();
    if (options_.to) options_.to = options_.to->to_owning();
  }
  ScanRange(ScanRange&&) noexcept = default;
  ScanRange& operator=(ScanRange&&) noexcept = default;
  ScanRange(const ScanRange&) = delete;
  ScanRange& operator=(const ScanRange&) = delete;

  // end() is a null iterator of the same type, not a sentinel, so the range
  // is also a legacy iterator pair (std::vector(r.begin(), r.end())).
  iterator begin() {
    cursor_.emplace(store_.scan(options_));
    skipped_ = 0;
    advance();
    return iterator(this);
  }
  iterator end() noexcept { return iterator(); }

  // Items the current pass has skipped so far, having failed to decode them.
  std::int64_t skipped() const noexcept { return skipped_; }

  // Sets the handler of skipped items, for this range's passes; returns the
  // range, so that it can be written in a for statement.
  ScanRange& on_undecodable(UndecodableHandler handler) & {
    on_undecodable_ = std::move(handler);
    return *this;
  }
  ScanRange on_undecodable(UndecodableHandler handler) && {
    on_undecodable_ = std::move(handler);
    return std::move(*this);
  }

 private:
  void advance() {
    // Reset first: if the cursor or a handler throws, the pass is over
    // rather than stuck on the element before.
    current_.reset();
    while (cursor_->next()) {
      try {
        current_.emplace(Decode::make(*cursor_, store_.directory()));
        return;
      } catch (const SerializationError& error) {
        ++skipped_;
        if (on_undecodable_) on_undecodable_(cursor_->key(), error);
      }
    }
  }

  Store store_;
  ScanOptions options_;
  UndecodableHandler on_undecodable_;
  std::optional<Store::Cursor> cursor_;
  std::optional<value_type> current_;
  std::int64_t skipped_ = 0;
};

// An input iterator that owns the range it walks: what a container's
// begin() returns, so that `for (const K& key : cache)` needs no named range.
// Copies share the range (and its position), as copies of an
// std::istream_iterator share their stream.
template <class Range>
class OwningIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using iterator_concept = std::input_iterator_tag;
  using value_type = typename Range::iterator::value_type;
  using difference_type = std::ptrdiff_t;
  using reference = typename Range::iterator::reference;
  using pointer = typename Range::iterator::pointer;

  OwningIterator() = default;  // the end
  explicit OwningIterator(Range range)
      : range_(std::make_shared<Range>(std::move(range))), position_(range_->begin()) {}

  reference operator*() const noexcept { return *position_; }
  pointer operator->() const noexcept { return position_.operator->(); }
  OwningIterator& operator++() {
    ++position_;
    return *this;
  }
  void operator++(int) { ++position_; }
  friend bool operator==(const OwningIterator& a, const OwningIterator& b) noexcept {
    return a.position_ == b.position_;
  }

 private:
  std::shared_ptr<Range> range_;  // first: position_ points into it
  typename Range::iterator position_;
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_SCAN_RANGE_HPP_
