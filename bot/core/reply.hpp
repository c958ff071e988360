#pragma once
#include <string>
#include <vector>

#include "bot/core/choice.hpp"
#include "bot/core/person.hpp"
#include "bot/core/message_kind.hpp"

namespace bounceback::core {

// One message to send, before it has an address and an outbox id.
struct Reply {
  MessageKind kind = MessageKind::reply;
  std::string text;
  std::vector<Choice> choices;
  // The people whose words or names this message carries besides its addressee (a win
  // shared in a group): forgetting one of them deletes it.
  std::vector<PersonId> about = {};  // (defaulted: brace-initialised replies may leave it out)
};

}  // namespace bounceback::core
