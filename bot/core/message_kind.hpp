#pragma once
#include <optional>
#include <string_view>

namespace bounceback::core {

// The kinds of message the bot sends (README "Websocket protocol", "message" frames).
// export_data ("export") is a person's data as JSON (/export): never part of a later export.
enum class MessageKind { reply, nudge, celebration, safety, checkin, export_data };

std::string_view to_string(MessageKind kind);
std::optional<MessageKind> parse_message_kind(std::string_view text);

}  // namespace bounceback::core
