#pragma once
#include <atomic>

#include "bot/core/time_point.hpp"

namespace bounceback::core {

// The only source of "now" in the domain, so tests can move time by hand.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// Time moves only when told to (clock.mode: manual, POST /admin/clock).
// Readable from any thread.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override;
  void set(TimePoint to);
  void advance(std::chrono::milliseconds by);

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace bounceback::core
