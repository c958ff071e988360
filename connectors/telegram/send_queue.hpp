#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "bot/core/outgoing.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::telegram {

// Keeps Telegram's limits: one message a second in a chat, twenty a minute in a group,
// thirty a second overall. A chat told to wait (429 retry_after, a back-off after an
// error) sends nothing until then. The messages of one chat leave in order. Pure: time
// comes in, so tests use a manual clock.
class SendQueue {
 public:
  struct Item {
    std::int64_t chat_id = 0;
    bool group = false;
    core::Outgoing message;
    int attempts = 0;  // failed tries so far
    bool last_part = true;  // a long text goes in parts: only the last one completes the message
  };

  void push(Item item);
  // The next message allowed at `now`, taken off the queue; or nothing, and `*wake` is
  // when one will be (TimePoint::max() when nothing is queued).
  std::optional<Item> pop(core::TimePoint now, core::TimePoint* wake);
  // `item` goes back to the front of its chat, which sends nothing before `at`.
  void hold(Item item, core::TimePoint at);
  // Everything queued for a chat is dropped (the person blocked the bot).
  void drop_chat(std::int64_t chat_id);
  std::size_t size() const;

  static constexpr int kPerSecondOverall = 30;
  static constexpr int kPerMinuteInGroup = 20;

 private:
  struct Chat {
    std::deque<Item> items;
    core::TimePoint not_before{};
    std::deque<core::TimePoint> last_minute;  // groups: the sends of the last minute
  };
  std::map<std::int64_t, Chat> chats_;
  std::deque<core::TimePoint> last_second_;  // all chats
};

}  // namespace bounceback::telegram
