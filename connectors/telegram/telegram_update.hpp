#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bounceback::telegram {

// What bounceback reads of one Bot API Update: a text message or a button tap. Anything
// else (edited messages, stickers, channel posts, ...) is kind `other` and skipped; one
// with a field of an unexpected type is `malformed` and skipped too, its id still known so
// that it is confirmed and never read again.
struct TelegramUpdate {
  enum class Kind { message, callback, other, malformed };
  std::int64_t update_id = 0;
  Kind kind = Kind::other;
  std::int64_t chat_id = 0;
  std::string chat_type;  // private, group, supergroup, channel
  std::string chat_title; // a group's name
  std::int64_t from_id = 0;
  bool from_bot = false;
  std::string first_name;
  std::string text;               // the message's text
  std::int64_t message_id = 0;    // the message, or the bot's message the tapped button was on (0: unknown)
  std::string callback_id;        // to answer with answerCallbackQuery
  std::string callback_data;      // the choice id
  bool without_text = false;      // a message with no text: a photo, a voice note, a sticker ...
  std::string problem;            // malformed: what was wrong (the JSON library's words, never the text)

  bool in_group() const { return chat_type == "group" || chat_type == "supergroup"; }
};

// The updates in a getUpdates answer ({"ok":true,"result":[...]}) or one webhook body
// ({"update_id":...}). Malformed entries are skipped; a body that is not JSON is an error.
std::optional<std::vector<TelegramUpdate>> parse_updates(const std::string& body, std::string* error = nullptr);
std::optional<TelegramUpdate> parse_webhook_update(const std::string& body);

// A Bot API answer: {"ok":true,"result":...} or {"ok":false,"error_code":N,"description":"...",
// "parameters":{"retry_after":S}}.
struct ApiAnswer {
  bool ok = false;
  int error_code = 0;         // the HTTP status when the body says nothing
  std::string description;
  int retry_after_s = 0;      // 429: how long to wait
  std::string result;         // the result, as JSON text
};
ApiAnswer parse_answer(int http_status, const std::string& body);

// A string field of a JSON object given as text (an answer's result): empty when the text
// is not an object or the field is missing or not a string.
std::string string_field(const std::string& object_json, const char* key);

}  // namespace bounceback::telegram
