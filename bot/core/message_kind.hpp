#pragma once
#include <optional>
#include <string_view>

namespace bounceback::core {

// The kinds of message the bot sends (CONTRACT.md, websocket "message" frames).
enum class MessageKind { reply, nudge, celebration, safety, checkin };

std::string_view to_string(MessageKind kind);
std::optional<MessageKind> parse_message_kind(std::string_view text);

}  // namespace bounceback::core
