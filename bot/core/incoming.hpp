#pragma once
#include <chrono>
#include <string>

#include "bot/core/address.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::core {

// One thing a person did, as a connector saw it. Exactly one of text / choice_id is set,
// except that neither is for a person seen joining a group (`group` set).
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

  // Said in a group support channel: the group's chat (empty connector: a private chat).
  // `from` is still the person, at their private address.
  Address group;
  std::string group_title;   // the group's name on the platform
  std::string sender_name;   // the person's name on the platform (for "<name> completed a step")
  enum class Role { unknown, member, admin };
  Role sender_role = Role::unknown;  // unknown: bounceback decides (a websocket room's creator)
  // False when the platform may refuse a private message to them (a Telegram user who never
  // opened a chat with the bot): the group is then asked to write to the bot privately.
  bool reachable_privately = true;

  // Set by the core: how long the person had been silent before this message (zero for
  // someone new), so a person back after days away is welcomed back.
  std::chrono::milliseconds quiet_before{0};

  bool in_group() const { return !group.connector.empty(); }

  bool is_choice() const { return !choice_id.empty(); }
};

}  // namespace bounceback::core
