#include "connectors/websocket/websocket_protocol.hpp"

#include "bot/core/json_text.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace bounceback::websocket {

using nlohmann::json;

namespace {

ClientFrame invalid(std::string why) {
  ClientFrame f;
  f.error = std::move(why);
  return f;
}

// Invalid UTF-8 never reaches here (the websocket layer closes with 1007), but a
// replacement keeps dump() from throwing whatever comes in.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The client's id may be a string or a number; anything else is a mistake worth saying.
bool read_correlation_id(const json& j, ClientFrame& f) {
  auto it = j.find("id");
  if (it == j.end() || it->is_null()) return true;
  if (it->is_string()) f.correlation_id = it->get<std::string>();
  else if (it->is_number_integer()) f.correlation_id = std::to_string(it->get<long long>());
  else return false;
  return f.correlation_id.size() <= 128;
}

// The optional "room" of a text or choice frame, or the required one of join/leave.
bool read_room(const json& j, ClientFrame& f, bool required) {
  auto it = j.find("room");
  if (it == j.end() || it->is_null()) return !required;
  if (!it->is_string() || !valid_room_name(it->get_ref<const std::string&>())) return false;
  f.room = it->get<std::string>();
  return true;
}

constexpr const char* kRoomRule = "\"room\" must be a name of 1 to 64 letters, digits, spaces, '.', '_' or '-'";

}  // namespace

bool valid_room_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == ' ' || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

ClientFrame parse_client_frame(std::string_view frame) {
  json j = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid("the frame is not valid JSON");
  if (!j.is_object()) return invalid("the frame must be a JSON object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return invalid("the frame needs a \"type\" string");
  const std::string& t = type->get_ref<const std::string&>();

  ClientFrame f;
  if (t == "hello") {
    auto token = j.find("token");
    if (token != j.end() && !token->is_null()) {
      if (!token->is_string()) return invalid("\"token\" must be a string");
      f.token = token->get<std::string>();
    }
    auto acks = j.find("acks");
    if (acks != j.end() && !acks->is_null()) {
      if (!acks->is_boolean()) return invalid("\"acks\" must be true or false");
      f.acks = acks->get<bool>();
    }
    f.type = ClientFrame::Type::hello;
    return f;
  }
  if (t == "text") {
    auto text = j.find("text");
    if (text == j.end() || !text->is_string()) return invalid("a text frame needs a \"text\" string");
    f.text = text->get<std::string>();
    if (f.text.find_first_not_of(" \t\r\n") == std::string::npos) return invalid("\"text\" is empty");
    if (!read_correlation_id(j, f)) return invalid("\"id\" must be a string or an integer of at most 128 characters");
    if (!read_room(j, f, false)) return invalid(kRoomRule);
    f.type = ClientFrame::Type::text;
    return f;
  }
  if (t == "choice") {
    auto id = j.find("id");
    if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty())
      return invalid("a choice frame needs the choice's \"id\"");
    f.choice_id = id->get<std::string>();
    // In a choice frame "id" names the choice, so the answer's reply_to is that id; a client
    // that wants its own correlation id sends it as "ref".
    f.correlation_id = f.choice_id;
    auto ref = j.find("ref");
    if (ref != j.end() && ref->is_string()) f.correlation_id = ref->get<std::string>();
    if (!read_room(j, f, false)) return invalid(kRoomRule);
    f.type = ClientFrame::Type::choice;
    return f;
  }
  if (t == "ack") {
    auto id = j.find("id");
    std::string text = id == j.end() ? "" : id->is_string() ? id->get<std::string>()
                                          : id->is_number_unsigned() ? std::to_string(id->get<std::uint64_t>()) : "";
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
      return invalid("an ack frame needs the \"id\" of a message");
    f.ack_id = std::stoll(text);
    f.type = ClientFrame::Type::ack;
    return f;
  }
  if (t == "join" || t == "leave") {
    if (!read_room(j, f, true)) return invalid(kRoomRule);
    f.type = t == "join" ? ClientFrame::Type::join : ClientFrame::Type::leave;
    return f;
  }
  return invalid("unknown frame type \"" + t.substr(0, 40) + "\"");
}

std::string encode_welcome(const std::string& user, const std::string& token, std::size_t backlog) {
  return dump({{"type", "welcome"}, {"user", user}, {"token", token}, {"backlog", backlog}});
}

// Written by hand (keys in the order nlohmann would sort them): one runs for every frame
// sent, and a json tree per frame was a visible share of the daemon's time.
std::string encode_message(const core::Outgoing& message) {
  using core::append_json_string;
  std::string out;
  out.reserve(128 + message.text.size());
  out += "{\"choices\":[";
  for (std::size_t i = 0; i < message.choices.size(); ++i) {
    if (i) out += ',';
    out += "{\"id\":";
    append_json_string(out, message.choices[i].id);
    out += ",\"label\":";
    append_json_string(out, message.choices[i].label);
    out += '}';
  }
  out += ']';
  const bool answers = !message.reply_to.empty();
  if (answers && message.final) out += ",\"final\":true";
  out += ",\"id\":\"" + std::to_string(message.id) + "\",\"kind\":\"";
  out += core::to_string(message.kind);
  out += '"';
  if (answers) {
    out += ",\"reply_to\":";
    append_json_string(out, message.reply_to);
  }
  if (auto room = room_of(message.to.user); !room.empty()) {
    out += ",\"room\":";
    append_json_string(out, room);
  }
  out += ",\"text\":";
  append_json_string(out, message.text);
  out += ",\"type\":\"message\"}";
  return out;
}

std::string encode_room_event(std::string_view type, std::string_view room) {
  return dump({{"type", type}, {"room", room}});
}

std::string encode_error(std::string_view code, std::string_view message, std::string_view reply_to) {
  if (reply_to.empty()) return dump({{"type", "error"}, {"code", code}, {"message", message}});
  return dump({{"type", "error"}, {"code", code}, {"message", message}, {"reply_to", reply_to}});
}

}  // namespace bounceback::websocket
