#include "connectors/matrix/matrix_sync.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "bot/core/html_text.hpp"

namespace bounceback::matrix {

using nlohmann::json;

namespace {

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<MatrixEvent> read_event(const std::string& room_id, const json& e) {
  if (!e.is_object()) return std::nullopt;
  MatrixEvent out;
  out.room_id = room_id;
  out.event_id = text_of(e, "event_id");
  out.sender = text_of(e, "sender");
  out.type = text_of(e, "type");
  out.state_key = text_of(e, "state_key");
  if (out.type.empty() || out.sender.empty()) return std::nullopt;
  json content = e.value("content", json::object());
  if (!content.is_object()) content = json::object();
  out.msgtype = text_of(content, "msgtype");
  out.body = text_of(content, "body");
  out.membership = text_of(content, "membership");
  out.displayname = text_of(content, "displayname");
  if (out.type == "m.room.name") out.room_name = text_of(content, "name");
  if (out.type == "m.room.power_levels") {
    if (auto users = content.find("users"); users != content.end() && users->is_object())
      for (const auto& [user, level] : users->items())
        if (level.is_number_integer()) out.power_users[user] = level.get<int>();
    if (auto d = content.find("users_default"); d != content.end() && d->is_number_integer()) out.power_default = d->get<int>();
  }
  return out;
}

}  // namespace

std::optional<SyncBatch> parse_sync(const std::string& body, std::string* error) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("next_batch") || !j["next_batch"].is_string()) {
    if (error) *error = "the /sync answer has no next_batch";
    return std::nullopt;
  }
  SyncBatch batch;
  batch.next_batch = j["next_batch"].get<std::string>();
  json rooms = j.value("rooms", json::object());
  if (!rooms.is_object()) return batch;
  if (auto join = rooms.find("join"); join != rooms.end() && join->is_object()) {
    for (const auto& [room_id, room] : join->items()) {
      if (!room.is_object()) continue;
      if (auto summary = room.find("summary"); summary != room.end() && summary->is_object()) {
        if (auto n = summary->find("m.joined_member_count"); n != summary->end() && n->is_number_integer())
          batch.joined_member_count[room_id] = n->get<int>();
      }
      for (const char* part : {"state", "timeline"}) {
        json section = room.value(part, json::object());
        if (!section.is_object()) continue;
        json events = section.value("events", json::array());
        if (!events.is_array()) continue;
        for (const auto& e : events)
          if (auto event = read_event(room_id, e)) batch.events.push_back(std::move(*event));
      }
    }
  }
  if (auto invite = rooms.find("invite"); invite != rooms.end() && invite->is_object())
    for (const auto& [room_id, room] : invite->items()) batch.invited_rooms.push_back(room_id);
  return batch;
}

std::optional<PowerLevels> parse_power_levels(const std::string& content_json) {
  json content = json::parse(content_json, nullptr, false);
  if (!content.is_object()) return std::nullopt;
  PowerLevels p;
  if (auto users = content.find("users"); users != content.end() && users->is_object())
    for (const auto& [user, level] : users->items())
      if (level.is_number_integer()) p.users[user] = level.get<int>();
  if (auto d = content.find("users_default"); d != content.end() && d->is_number_integer()) p.users_default = d->get<int>();
  return p;
}

MatrixError parse_error(int status, const std::string& body) {
  MatrixError e;
  e.status = status;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return e;
  e.errcode = text_of(j, "errcode");
  e.error = text_of(j, "error");
  if (auto r = j.find("retry_after_ms"); r != j.end() && r->is_number()) e.retry_after_ms = static_cast<int>(std::clamp(r->get<double>(), 0.0, 3600e3));
  return e;
}


std::string message_content(const core::Outgoing& m) {
  std::string list;
  for (std::size_t i = 0; i < m.choices.size(); ++i)
    list += "\n" + std::to_string(i + 1) + ". " + m.choices[i].label;
  std::string body = m.text;
  if (!list.empty()) body += "\n" + list;
  json content = {{"msgtype", "m.notice"}, {"body", body}};
  if (m.kind == core::MessageKind::celebration || m.kind == core::MessageKind::safety) {
    std::string html;
    for (char c : core::first_line_bold_html(m.text)) html += c == '\n' ? std::string("<br>") : std::string(1, c);
    if (!m.choices.empty()) {
      html += "<ol>";
      for (const auto& c : m.choices) html += "<li>" + core::escape_html(c.label) + "</li>";
      html += "</ol>";
    }
    content["format"] = "org.matrix.custom.html";
    content["formatted_body"] = html;
  }
  return content.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> choice_for(std::string_view text, const std::vector<core::Choice>& choices) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == '.')) s.remove_suffix(1);
    return s;
  };
  std::string_view t = trim(text);
  if (t.empty() || choices.empty()) return std::nullopt;
  if (t.size() <= 2 && std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    std::size_t n = std::stoul(std::string(t));
    if (n >= 1 && n <= choices.size()) return choices[n - 1].id;
    return std::nullopt;
  }
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const auto& c : choices)
    if (lower(trim(c.label)) == lower(t)) return c.id;
  return std::nullopt;
}

std::string encode_path(std::string_view segment) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string encode_query(std::string_view value) { return encode_path(value); }

std::string transaction_id(const std::string& prefix, std::int64_t outbox_id) {
  return "bb" + prefix + "." + std::to_string(outbox_id);
}

ResumePoint ResumePoint::parse(const std::string& stored) {
  auto bar = stored.find('|');
  if (bar == std::string::npos) return {stored, ""};
  return {stored.substr(0, bar), stored.substr(bar + 1)};
}

}  // namespace bounceback::matrix
