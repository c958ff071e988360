#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bounceback::coach {

// A chat command (README "Chat commands"): "/name args", or a bare word such as "menu" when the
// whole message is exactly that word (commands without arguments only).
struct ChatCommand {
  std::string name;  // lower case, without the slash
  std::string args;  // trimmed
};

std::optional<ChatCommand> parse_chat_command(std::string_view text);

}  // namespace bounceback::coach
