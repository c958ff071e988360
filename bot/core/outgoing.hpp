#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bot/core/address.hpp"
#include "bot/core/choice.hpp"
#include "bot/core/message_kind.hpp"
#include "bot/core/person.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::core {

// One message for a person. It lives in the store's outbox from the commit that
// produced it until its connector reports it delivered.
struct Outgoing {
  std::int64_t id = 0;  // outbox id: unique, increasing, also the id clients see
  PersonId person = 0;
  Address to;
  MessageKind kind = MessageKind::reply;
  std::string text;
  std::vector<Choice> choices;
  std::string reply_to;  // the correlation id of the message this answers, if any
  bool final = false;    // the last message of an answer
  TimePoint created{};
  std::vector<PersonId> about;  // whose words or names it carries besides the addressee's (Reply::about)

  bool operator==(const Outgoing&) const = default;
};

}  // namespace bounceback::core
