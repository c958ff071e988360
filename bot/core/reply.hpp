#pragma once
#include <string>
#include <vector>

#include "bot/core/choice.hpp"
#include "bot/core/message_kind.hpp"

namespace bounceback::core {

// One message to send, before it has an address and an outbox id.
struct Reply {
  MessageKind kind = MessageKind::reply;
  std::string text;
  std::vector<Choice> choices;
};

}  // namespace bounceback::core
