#include "connectors/telegram/telegram_update.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace bounceback::telegram {

using nlohmann::json;

namespace {

// Lenient readers for the Bot API's answers: a field of another type reads as missing.
std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

// An update with a field of an unexpected type: it cannot be trusted (is a sender whose
// is_bot reads "no" a bot?), so it is skipped whole. The message names the field only.
struct Malformed {
  std::string problem;
};

const json* present(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void wrong_type(const char* key, const json& value, const char* expected) {
  throw Malformed{std::string("field '") + key + "' is " + value.type_name() + ", not " + expected};
}

std::int64_t strict_id(const json& object, const char* key) {
  const json* v = present(object, key);
  if (!v) return 0;
  if (!v->is_number_integer()) wrong_type(key, *v, "an integer");
  return v->get<std::int64_t>();
}

std::string strict_text(const json& object, const char* key) {
  const json* v = present(object, key);
  if (!v) return {};
  if (!v->is_string()) wrong_type(key, *v, "a string");
  return v->get<std::string>();
}

bool strict_flag(const json& object, const char* key) {
  const json* v = present(object, key);
  if (!v) return false;
  if (!v->is_boolean()) wrong_type(key, *v, "a boolean");
  return v->get<bool>();
}

const json* strict_object(const json& object, const char* key) {
  const json* v = present(object, key);
  if (v && !v->is_object()) wrong_type(key, *v, "an object");
  return v;
}

void read_chat_and_sender(const json* message, const json* from, TelegramUpdate& u) {
  if (const json* chat = message ? strict_object(*message, "chat") : nullptr) {
    u.chat_id = strict_id(*chat, "id");
    u.chat_type = strict_text(*chat, "type");
    u.chat_title = strict_text(*chat, "title");
  }
  if (from) {
    u.from_id = strict_id(*from, "id");
    u.from_bot = strict_flag(*from, "is_bot");
    u.first_name = strict_text(*from, "first_name");
  }
}

TelegramUpdate read_fields(const json& j, std::int64_t update_id) {
  TelegramUpdate u;
  u.update_id = update_id;
  if (const json* m = strict_object(j, "message")) {
    read_chat_and_sender(m, strict_object(*m, "from"), u);
    u.message_id = strict_id(*m, "message_id");
    u.text = strict_text(*m, "text");
    if (!u.text.empty() && u.chat_id != 0) u.kind = TelegramUpdate::Kind::message;
    else u.without_text = u.chat_id != 0;
  } else if (const json* c = strict_object(j, "callback_query")) {
    u.callback_id = strict_text(*c, "id");
    u.callback_data = strict_text(*c, "data");
    const json* message = strict_object(*c, "message");
    read_chat_and_sender(message, strict_object(*c, "from"), u);
    if (message) u.message_id = strict_id(*message, "message_id");
    if (u.chat_id == 0) u.chat_id = u.from_id;  // a button on an old message: the chat is the person's
    if (u.chat_type.empty()) u.chat_type = "private";
    if (!u.callback_id.empty() && !u.callback_data.empty() && u.chat_id != 0) u.kind = TelegramUpdate::Kind::callback;
  }
  return u;
}

// Without an integer update_id an entry cannot even be confirmed: it is left out. With one,
// any field of the wrong type makes it `malformed`, never a reason to stop.
std::optional<TelegramUpdate> read_update(const json& j) {
  if (!j.is_object() || !j.contains("update_id") || !j["update_id"].is_number_integer()) return std::nullopt;
  auto update_id = j["update_id"].get<std::int64_t>();
  try {
    return read_fields(j, update_id);
  } catch (const Malformed& e) {
    TelegramUpdate u;
    u.update_id = update_id;
    u.kind = TelegramUpdate::Kind::malformed;
    u.problem = e.problem;
    return u;
  }
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
  a.ok = flag_of(j, "ok") && http_status == 200;
  if (j.contains("error_code") && j["error_code"].is_number_integer()) a.error_code = j["error_code"].get<int>();
  a.description = text_of(j, "description");
  if (auto p = j.find("parameters"); p != j.end() && p->is_object() && p->contains("retry_after") &&
                                     (*p)["retry_after"].is_number())
    a.retry_after_s = static_cast<int>(std::clamp((*p)["retry_after"].get<double>(), 0.0, 86400.0));
  if (auto r = j.find("result"); r != j.end())
    a.result = r->dump(-1, ' ', false, json::error_handler_t::replace);
  return a;
}

std::string string_field(const std::string& object_json, const char* key) {
  json j = json::parse(object_json, nullptr, false);
  return j.is_object() ? text_of(j, key) : std::string();
}

}  // namespace bounceback::telegram
