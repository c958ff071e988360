#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "bot/core/due_item.hpp"

namespace bounceback::schedule {

// Every piece of scheduled work of every person in one binary heap, earliest first.
// The core arms a single timer for earliest(); items are never removed from the middle:
// an item made obsolete by a change carries an old epoch and is dropped when it comes due.
class DueQueue {
 public:
  DueQueue() = default;
  // Takes a whole batch at once (start-up load): one heapify instead of n pushes.
  explicit DueQueue(std::vector<core::DueItem> items);

  void push(const core::DueItem& item);
  std::optional<core::TimePoint> earliest() const;
  // Removes and returns the items due at or before `now`, earliest first, at most `limit`.
  std::vector<core::DueItem> pop_due(core::TimePoint now, std::size_t limit = SIZE_MAX);

  std::size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }
  std::size_t memory_bytes() const { return heap_.capacity() * sizeof(core::DueItem); }

 private:
  std::vector<core::DueItem> heap_;
};

}  // namespace bounceback::schedule
