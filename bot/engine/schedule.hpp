#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "bot/coach/nudge_rules.hpp"
#include "bot/core/due_item.hpp"
#include "bot/core/person.hpp"
#include "bot/schedule/due_queue.hpp"

namespace bounceback::core {
class Clock;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
struct Transaction;
}

namespace bounceback::engine {

// Everything scheduled (nudges, reminders, group check-ins), earliest first, in memory and
// in the store alike. The core arms one timer for earliest(); `changed` tells it when an
// item was added.
class Schedule {
 public:
  Schedule(std::vector<core::DueItem> loaded, const core::Clock& clock, core::Metrics& metrics,
           const coach::NudgeRules& rules);

  void on_change(std::function<void()> changed) { changed_ = std::move(changed); }

  // An item queued now and saved with `tx`.
  void add(const core::DueItem& item, store::Transaction& tx);
  // The person's items rebuilt under a new epoch (a new zone or new times); the old ones
  // are dropped when due.
  void replan(core::Person& person, store::Transaction& tx);
  // Back into the queue only: an item that is already stored (tried again, or moved once its
  // chunk committed).
  void requeue(const core::DueItem& item) { queue_.push(item); }

  std::vector<core::DueItem> take_due(core::TimePoint now, std::size_t limit) { return queue_.pop_due(now, limit); }
  std::optional<core::TimePoint> earliest() const { return queue_.earliest(); }
  void report_size();

 private:
  schedule::DueQueue queue_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  const coach::NudgeRules& rules_;
  std::function<void()> changed_;
};

}  // namespace bounceback::engine
