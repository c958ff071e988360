#include "bot/engine/schedule.hpp"

#include "bot/coach/nudge_policy.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/metrics.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::engine {

Schedule::Schedule(std::vector<core::DueItem> loaded, const core::Clock& clock, core::Metrics& metrics,
                   const coach::NudgeRules& rules)
    : queue_(std::move(loaded)), clock_(clock), metrics_(metrics), rules_(rules) {
  report_size();
}

void Schedule::report_size() {
  metrics_.set_gauge("bounceback_due_items", {}, static_cast<double>(queue_.size()));
}

void Schedule::add(const core::DueItem& item, store::Transaction& tx) {
  queue_.push(item);
  tx.due.push_back(item);
  if (changed_) changed_();
}

void Schedule::replan(core::Person& person, store::Transaction& tx) {
  tx.due_cleared.push_back(person.id);
  for (const auto& item : coach::plan_nudges(person, clock_.now(), rules_)) add(item, tx);
}

}  // namespace bounceback::engine
