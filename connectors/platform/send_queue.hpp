#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "bot/core/outgoing.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::platform {

// What became of one send, as the connector reads the platform's answer.
enum class SendOutcome {
  sent,         // delivered
  retry_after,  // the platform said when (429 retry_after, M_LIMIT_EXCEEDED)
  back_off,     // 5xx, a timeout, a lost connection: again after a growing pause
  unreachable,  // the chat or room refuses messages (blocked, removed): all of it dropped
  drop,         // refused for good (400): retrying cannot help, the queue moves on
};

// The messages waiting for a platform, one line per destination (a chat, a room), each
// leaving in order. A destination told to wait (retry_after, back-off) sends nothing until
// then, while the others go on: one failing room never holds up the rest. The platform's
// limits are kept (Limits). Pure: time comes in, so tests use a manual clock.
class SendQueue {
 public:
  struct Limits {
    std::chrono::milliseconds per_destination_gap{0};  // between two messages to one destination
    int per_minute_in_group = 0;                       // 0: no such limit
    int per_second_overall = 0;                        // 0: no such limit
  };
  struct Item {
    std::string destination;
    bool group = false;
    core::Outgoing message;
    int attempts = 0;       // failed tries so far
    int part = 0;           // a long text goes in parts, numbered from 0 ...
    bool last_part = true;  // ... and only the last one completes the message
  };

  explicit SendQueue(Limits limits, std::uint32_t seed = std::random_device{}());

  void push(Item item);
  // The next message allowed at `now`, taken off the queue; or nothing, and `*wake` is
  // when one will be (TimePoint::max() when nothing is queued).
  std::optional<Item> pop(core::TimePoint now, core::TimePoint* wake);
  // What the platform said about an item popped before. `retry_after` is read for that
  // outcome only. Returns how long its destination now waits (zero when it does not).
  std::chrono::milliseconds settle(Item item, SendOutcome outcome, core::TimePoint now,
                                   std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));
  // `item` goes back to the front of its destination, which sends nothing before `at`.
  void hold(Item item, core::TimePoint at);
  // Everything queued for a destination is dropped.
  void drop_destination(const std::string& destination);
  std::size_t size() const;
  std::size_t size(const std::string& destination) const;

 private:
  struct Line {
    std::deque<Item> items;
    core::TimePoint not_before{};
    std::deque<core::TimePoint> last_minute;  // groups: the sends of the last minute
  };
  Limits limits_;
  std::mt19937 jitter_;
  std::map<std::string, Line> lines_;
  std::deque<core::TimePoint> last_second_;  // all destinations
};

}  // namespace bounceback::platform
