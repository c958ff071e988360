#include "connectors/telegram/telegram_message.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "bot/core/html_text.hpp"

namespace bounceback::telegram {

using nlohmann::json;

std::string send_message_body(std::int64_t chat_id, const core::Outgoing& message) {
  bool emphasise = message.kind == core::MessageKind::celebration || message.kind == core::MessageKind::safety;
  std::string html = emphasise ? core::first_line_bold_html(message.text) : core::escape_html(message.text);
  json body = {{"chat_id", chat_id}, {"text", html}, {"parse_mode", "HTML"}, {"disable_web_page_preview", true}};
  json rows = json::array();
  for (const auto& c : message.choices)
    if (!c.id.empty() && c.id.size() <= 64) rows.push_back(json::array({{{"text", c.label}, {"callback_data", c.id}}}));
  if (!rows.empty()) body["reply_markup"] = {{"inline_keyboard", rows}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string remove_keyboard_body(std::int64_t chat_id, std::int64_t message_id) {
  return json{{"chat_id", chat_id}, {"message_id", message_id}, {"reply_markup", {{"inline_keyboard", json::array()}}}}.dump();
}

std::string mask_token(std::string text, const std::string& token) {
  if (token.empty()) return text;
  for (auto pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + 7))
    text.replace(pos, token.size(), "<token>");
  return text;
}

std::optional<std::string> addressed_to_bot(const std::string& text, const std::string& bot_username, bool in_group) {
  std::string mention = "@" + bot_username;
  if (!text.empty() && text.front() == '/') {
    // "/cmd@name args": strip our own name; a command for another bot is not ours.
    auto end = text.find_first_of(" \n");
    std::string command = text.substr(0, end);
    auto at = command.find('@');
    if (at != std::string::npos) {
      if (bot_username.empty() || command.substr(at) != mention) return std::nullopt;
      return command.substr(0, at) + (end == std::string::npos ? "" : text.substr(end));
    }
    return text;
  }
  if (!in_group) return text;
  if (bot_username.empty()) return std::nullopt;
  auto pos = text.find(mention);
  if (pos == std::string::npos) return std::nullopt;
  std::string rest = text.substr(0, pos) + text.substr(pos + mention.size());
  auto first = rest.find_first_not_of(" ,:");
  auto last = rest.find_last_not_of(" ");
  return first == std::string::npos ? std::string() : rest.substr(first, last - first + 1);
}

}  // namespace bounceback::telegram
