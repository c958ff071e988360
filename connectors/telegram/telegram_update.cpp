#include "connectors/telegram/telegram_update.hpp"

#include <nlohmann/json.hpp>

namespace bounceback::telegram {

using nlohmann::json;

namespace {

std::int64_t id_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void read_chat_and_sender(const json& message, const json& from, TelegramUpdate& u) {
  if (auto chat = message.find("chat"); chat != message.end() && chat->is_object()) {
    u.chat_id = id_of(*chat, "id");
    u.chat_type = text_of(*chat, "type");
    u.chat_title = text_of(*chat, "title");
  }
  if (from.is_object()) {
    u.from_id = id_of(from, "id");
    u.from_bot = from.value("is_bot", false);
    u.first_name = text_of(from, "first_name");
  }
}

std::optional<TelegramUpdate> read_update(const json& j) {
  if (!j.is_object() || !j.contains("update_id") || !j["update_id"].is_number_integer()) return std::nullopt;
  TelegramUpdate u;
  u.update_id = j["update_id"].get<std::int64_t>();
  if (auto m = j.find("message"); m != j.end() && m->is_object()) {
    read_chat_and_sender(*m, m->value("from", json()), u);
    u.message_id = id_of(*m, "message_id");
    u.text = text_of(*m, "text");
    if (!u.text.empty() && u.chat_id != 0) u.kind = TelegramUpdate::Kind::message;
    else u.without_text = u.chat_id != 0;
  } else if (auto c = j.find("callback_query"); c != j.end() && c->is_object()) {
    u.callback_id = text_of(*c, "id");
    u.callback_data = text_of(*c, "data");
    json message = c->value("message", json::object());
    read_chat_and_sender(message.is_object() ? message : json::object(), c->value("from", json()), u);
    if (message.is_object()) u.message_id = id_of(message, "message_id");
    if (u.chat_id == 0) u.chat_id = u.from_id;  // a button on an old message: the chat is the person's
    if (u.chat_type.empty()) u.chat_type = "private";
    if (!u.callback_id.empty() && !u.callback_data.empty() && u.chat_id != 0) u.kind = TelegramUpdate::Kind::callback;
  }
  return u;
}

}  // namespace

std::optional<std::vector<TelegramUpdate>> parse_updates(const std::string& body, std::string* error) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (error) *error = "the answer is not a JSON object";
    return std::nullopt;
  }
  std::vector<TelegramUpdate> out;
  auto result = j.find("result");
  if (result == j.end() || !result->is_array()) {
    if (error) *error = "the answer has no result list";
    return std::nullopt;
  }
  for (const auto& item : *result)
    if (auto u = read_update(item)) out.push_back(std::move(*u));
  return out;
}

std::optional<TelegramUpdate> parse_webhook_update(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return read_update(j);
}

ApiAnswer parse_answer(int http_status, const std::string& body) {
  ApiAnswer a;
  a.error_code = http_status;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    a.description = "HTTP " + std::to_string(http_status) + " without a Bot API answer";
    return a;
  }
  a.ok = j.value("ok", false) && http_status == 200;
  if (j.contains("error_code") && j["error_code"].is_number_integer()) a.error_code = j["error_code"].get<int>();
  a.description = text_of(j, "description");
  if (auto p = j.find("parameters"); p != j.end() && p->is_object() && p->contains("retry_after") &&
                                     (*p)["retry_after"].is_number())
    a.retry_after_s = (*p)["retry_after"].get<int>();
  if (auto r = j.find("result"); r != j.end())
    a.result = r->dump(-1, ' ', false, json::error_handler_t::replace);
  return a;
}

}  // namespace bounceback::telegram
