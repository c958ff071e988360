#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "bot/core/outgoing.hpp"

namespace bounceback::websocket {

// One frame from a web chat client, decoded. No I/O: unit-tested on its own.
struct ClientFrame {
  enum class Type { hello, text, choice, ack, join, leave, invalid };
  Type type = Type::invalid;
  std::string token;           // hello: empty creates a new person
  bool acks = false;           // hello: the client will acknowledge every message it showed
  std::int64_t ack_id = 0;     // ack: the message id acknowledged
  std::string text;            // text
  std::string choice_id;       // choice
  std::string correlation_id;  // text, choice: the client's "id", echoed as reply_to
  std::string room;            // join, leave; text and choice said in a room (empty: privately)
  std::string error;           // invalid: what was wrong, for the bad_request message
};

ClientFrame parse_client_frame(std::string_view frame);

// A room name: 1 to 64 letters, digits, spaces, '.', '_' or '-'.
bool valid_room_name(std::string_view name);
// A room's group address is {"websocket", "#" + name}; people's ids never start with '#'.
inline std::string room_address(std::string_view name) { return "#" + std::string(name); }
// The room a user address names ("#circle" -> "circle"), or empty for a person's address.
inline std::string_view room_of(std::string_view address) {
  return !address.empty() && address.front() == '#' ? address.substr(1) : std::string_view();
}

// `backlog`: how many message frames follow at once (kept while no connection was open), so
// a client knows when it has them all without waiting for silence.
std::string encode_welcome(const std::string& user, const std::string& token, std::size_t backlog);
std::string encode_message(const core::Outgoing& message);  // a room's message carries "room"
// {"type":"joined"|"left","room":"NAME"}
std::string encode_room_event(std::string_view type, std::string_view room);
// code: bad_request | too_large | rate_limited | unauthorized
// `reply_to`: the id of the frame this error answers (a message that could not be kept).
std::string encode_error(std::string_view code, std::string_view message, std::string_view reply_to = {});

}  // namespace bounceback::websocket
