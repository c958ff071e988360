#include "bot/core/clock.hpp"

namespace bounceback::core {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

TimePoint ManualClock::now() const { return TimePoint{std::chrono::milliseconds{now_ms_.load()}}; }

void ManualClock::set(TimePoint to) { now_ms_.store(to.time_since_epoch().count()); }

void ManualClock::advance(std::chrono::milliseconds by) { now_ms_.fetch_add(by.count()); }

}  // namespace bounceback::core
