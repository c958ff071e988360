#include "connectors/platform/send_queue.hpp"

#include <algorithm>

#include "connectors/http/backoff.hpp"

namespace bounceback::platform {

using namespace std::chrono;
using core::TimePoint;

SendQueue::SendQueue(Limits limits, std::uint32_t seed) : limits_(limits), jitter_(seed) {}

void SendQueue::push(Item item) {
  auto key = item.destination;
  lines_[key].items.push_back(std::move(item));
}

std::optional<SendQueue::Item> SendQueue::pop(TimePoint now, TimePoint* wake) {
  *wake = TimePoint::max();
  if (limits_.per_second_overall > 0) {
    while (!last_second_.empty() && last_second_.front() <= now - seconds(1)) last_second_.pop_front();
    if (static_cast<int>(last_second_.size()) >= limits_.per_second_overall) {
      *wake = last_second_.front() + seconds(1);
      return std::nullopt;
    }
  }
  // The destination whose next message may leave first; between equals, the oldest message.
  Line* best = nullptr;
  TimePoint best_ready = TimePoint::max();
  for (auto it = lines_.begin(); it != lines_.end();) {
    Line& line = it->second;
    while (!line.last_minute.empty() && line.last_minute.front() <= now - minutes(1)) line.last_minute.pop_front();
    if (line.items.empty()) {  // idle: forget it once its limits no longer matter
      if (line.not_before <= now && line.last_minute.empty()) it = lines_.erase(it);
      else ++it;
      continue;
    }
    ++it;
    TimePoint ready = line.not_before;
    if (limits_.per_minute_in_group > 0 && line.items.front().group &&
        static_cast<int>(line.last_minute.size()) >= limits_.per_minute_in_group)
      ready = std::max(ready, line.last_minute.front() + minutes(1));
    if (!best || ready < best_ready ||
        (ready == best_ready && line.items.front().message.id < best->items.front().message.id)) {
      best = &line;
      best_ready = ready;
    }
  }
  if (!best) return std::nullopt;
  if (best_ready > now) {
    *wake = best_ready;
    return std::nullopt;
  }
  Item item = std::move(best->items.front());
  best->items.pop_front();
  best->not_before = now + limits_.per_destination_gap;
  if (item.group) best->last_minute.push_back(now);
  if (limits_.per_second_overall > 0) last_second_.push_back(now);
  return item;
}

milliseconds SendQueue::settle(Item item, SendOutcome outcome, TimePoint now, milliseconds retry_after) {
  switch (outcome) {
    case SendOutcome::sent:
    case SendOutcome::drop:
      return milliseconds(0);
    case SendOutcome::unreachable:
      drop_destination(item.destination);
      return milliseconds(0);
    case SendOutcome::retry_after: {
      auto wait = std::max(retry_after, milliseconds(1));
      hold(std::move(item), now + wait);
      return wait;
    }
    case SendOutcome::back_off: {
      auto wait = http::backoff_delay(item.attempts++, jitter_);
      hold(std::move(item), now + wait);
      return wait;
    }
  }
  return milliseconds(0);
}

void SendQueue::hold(Item item, TimePoint at) {
  Line& line = lines_[item.destination];
  line.not_before = std::max(line.not_before, at);
  line.items.push_front(std::move(item));
}

void SendQueue::drop_destination(const std::string& destination) { lines_.erase(destination); }

std::size_t SendQueue::size() const {
  std::size_t n = 0;
  for (const auto& [id, line] : lines_) n += line.items.size();
  return n;
}

std::size_t SendQueue::size(const std::string& destination) const {
  auto it = lines_.find(destination);
  return it == lines_.end() ? 0 : it->second.items.size();
}

}  // namespace bounceback::platform
