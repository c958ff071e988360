#pragma once
#include <string>

#include "bot/core/address.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::core {

// One thing a person did, as a connector saw it. Exactly one of text / choice_id is set.
struct Incoming {
  Address from;
  std::string text;
  std::string choice_id;
  std::string correlation_id;     // the client's own id for this message, echoed as reply_to
  std::string platform_event_id;  // for de-duplication of platform retries
  TimePoint at{};
  // A connector's position in its platform's stream (Telegram's update offset), saved in
  // the same transaction as this message's effects, so a restart neither loses nor repeats.
  std::string cursor_key;
  std::string cursor_value;

  bool is_choice() const { return !choice_id.empty(); }
};

}  // namespace bounceback::core
