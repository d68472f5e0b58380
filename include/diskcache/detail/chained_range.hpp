// One lazy input range made of several, walked one after the other
// (FanoutCache iteration: the shards' ranges in shard order).
#ifndef DISKCACHE_DETAIL_CHAINED_RANGE_HPP_
#define DISKCACHE_DETAIL_CHAINED_RANGE_HPP_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

namespace diskcache::detail {

// Range is a ScanRange: an input range whose end() is a null iterator.
// Like it, a ChainedRange owns the walk's position: its iterators point to
// it and stay valid while it lives and is not moved.
template <class Range>
class ChainedRange {
  using inner_iterator = decltype(std::declval<Range&>().begin());

 public:
  using value_type = typename Range::value_type;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::input_iterator_tag;
    using value_type = typename Range::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = value_type*;
    using reference = value_type&;

    iterator() = default;

    reference operator*() const { return **range_->inner_; }
    pointer operator->() const { return &**range_->inner_; }
    iterator& operator++() {
      range_->advance();
      return *this;
    }
    void operator++(int) { range_->advance(); }

    // Any two iterators not at the end of one range are at the same element.
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.at_end() == b.at_end();
    }

   private:
    friend class ChainedRange;
    explicit iterator(ChainedRange* range) noexcept : range_(range) {}
    bool at_end() const noexcept { return range_ == nullptr || !range_->inner_; }

    ChainedRange* range_ = nullptr;
  };

  explicit ChainedRange(std::vector<Range> ranges) : ranges_(std::move(ranges)) {}
  ChainedRange(ChainedRange&&) noexcept = default;
  ChainedRange& operator=(ChainedRange&&) noexcept = default;

  // Starts a new pass over every range, as Range::begin does.
  iterator begin() {
    index_ = 0;
    enter();
    return iterator(this);
  }
  iterator end() noexcept { return iterator(); }

  // Items the current pass has skipped so far (see ScanRange::skipped).
  std::int64_t skipped() const noexcept {
    // Ranges past index_ have not begun this pass.
    std::int64_t total = 0;
    for (std::size_t i = 0; i < ranges_.size() && i <= index_; ++i) total += ranges_[i].skipped();
    return total;
  }

  // Sets the handler of skipped items on every chained range (see
  // ScanRange::on_undecodable).
  template <class Handler>
  ChainedRange& on_undecodable(const Handler& handler) & {
    for (Range& range : ranges_) range.on_undecodable(handler);
    return *this;
  }
  template <class Handler>
  ChainedRange on_undecodable(const Handler& handler) && {
    for (Range& range : ranges_) range.on_undecodable(handler);
    return std::move(*this);
  }

 private:
  // Begins ranges_[index_], or the first non-empty range after it.
  void enter() {
    for (; index_ < ranges_.size(); ++index_) {
      inner_ = ranges_[index_].begin();
      if (*inner_ != ranges_[index_].end()) return;
    }
    inner_.reset();
  }

  void advance() {
    ++*inner_;
    if (*inner_ == ranges_[index_].end()) {
      ++index_;
      enter();
    }
  }

  std::vector<Range> ranges_;
  std::size_t index_ = 0;
  std::optional<inner_iterator> inner_;  // none once the pass has ended
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_CHAINED_RANGE_HPP_
