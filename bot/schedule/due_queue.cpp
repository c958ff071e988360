#include "bot/schedule/due_queue.hpp"

#include <algorithm>

namespace bounceback::schedule {

namespace {
// std::*_heap keeps the largest on top: "larger" here means due earlier.
bool later(const core::DueItem& a, const core::DueItem& b) { return a.due > b.due; }
}  // namespace

DueQueue::DueQueue(std::vector<core::DueItem> items) : heap_(std::move(items)) {
  std::make_heap(heap_.begin(), heap_.end(), later);
}

void DueQueue::push(const core::DueItem& item) {
  heap_.push_back(item);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

std::optional<core::TimePoint> DueQueue::earliest() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

std::vector<core::DueItem> DueQueue::pop_due(core::TimePoint now, std::size_t limit) {
  std::vector<core::DueItem> out;
  while (!heap_.empty() && heap_.front().due <= now && out.size() < limit) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    out.push_back(heap_.back());
    heap_.pop_back();
  }
  return out;
}

}  // namespace bounceback::schedule
