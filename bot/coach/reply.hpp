#pragma once
#include <string>
#include <vector>

#include "bot/core/choice.hpp"
#include "bot/core/message_kind.hpp"

namespace bounceback::coach {

// One message the coach wants sent; the core gives it an outbox id and an address.
struct Reply {
  core::MessageKind kind = core::MessageKind::reply;
  std::string text;
  std::vector<core::Choice> choices;
};

}  // namespace bounceback::coach
