#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/outgoing.hpp"

namespace bounceback::telegram {

// The sendMessage body for one outgoing message: HTML parse mode, celebrations and safety
// messages with their first line in bold, choices as an inline keyboard (one button a
// row; a choice id longer than Telegram's 64 bytes of callback_data is left out).
std::string send_message_body(std::int64_t chat_id, const core::Outgoing& message);

// Removes a message's inline keyboard (editMessageReplyMarkup), so old buttons cannot be
// pressed again.
std::string remove_keyboard_body(std::int64_t chat_id, std::int64_t message_id);

// The token, wherever it appears in `text`, as "<token>": for every log line with a URL.
std::string mask_token(std::string text, const std::string& token);

// In a group the bot reads only what is meant for it: a command ("/start", or
// "/start@this_bot" but not "@another_bot"), or a message naming @this_bot. Returns the
// text with the mention taken out, or nothing when the message is not for the bot.
std::optional<std::string> addressed_to_bot(const std::string& text, const std::string& bot_username, bool in_group);

}  // namespace bounceback::telegram
