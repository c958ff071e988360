#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/choice.hpp"
#include "bot/core/outgoing.hpp"

namespace bounceback::matrix {

// One room event as bounceback reads it (client-server API v3).
struct MatrixEvent {
  std::string room_id;
  std::string event_id;
  std::string sender;
  std::string type;        // m.room.message, m.room.member, m.room.encrypted, ...
  std::string msgtype;     // m.text, m.notice, ... (messages)
  std::string body;        // the text (messages)
  std::string membership;  // join, leave, invite, ... (member events)
  std::string state_key;   // whose membership (member events)
  std::string displayname; // member events: the person's name in the room
  std::string room_name;   // m.room.name
  // m.room.power_levels: each user's level, and the level of everyone else.
  std::map<std::string, int> power_users;
  int power_default = 0;
};

// The level at or above which a room member is one of its admins (Matrix moderators: 50).
constexpr int kAdminPowerLevel = 50;
// A user's power level by the content of an m.room.power_levels event (GET .../state/...).
struct PowerLevels {
  std::map<std::string, int> users;
  int users_default = 0;
  int of(const std::string& user) const {
    auto it = users.find(user);
    return it == users.end() ? users_default : it->second;
  }
};
std::optional<PowerLevels> parse_power_levels(const std::string& content_json);

// What bounceback takes from one /sync answer. Unknown event types are kept as they are
// (the caller skips them); malformed events are left out, never fatal.
struct SyncBatch {
  std::string next_batch;
  std::vector<MatrixEvent> events;          // state, then timeline, of each joined room
  std::vector<std::string> invited_rooms;   // rooms the bot is invited to
  std::map<std::string, int> joined_member_count;  // from room summaries, when the server sends them
};
// Where /sync goes on after a restart: the batch to ask from again, and within it the last
// event already handled (empty: none, the whole batch is confirmed). Kept in the store as
// one setting, "since|event_id" (Matrix tokens and event ids never hold a '|').
struct ResumePoint {
  std::string since;
  std::string after_event;
  std::string encode() const { return after_event.empty() ? since : since + "|" + after_event; }
  static ResumePoint parse(const std::string& stored);
  bool operator==(const ResumePoint&) const = default;
};

std::optional<SyncBatch> parse_sync(const std::string& body, std::string* error = nullptr);

// A Matrix error answer: {"errcode":"M_LIMIT_EXCEEDED","error":"...","retry_after_ms":2000}.
struct MatrixError {
  int status = 0;
  std::string errcode;
  std::string error;
  int retry_after_ms = 0;
};
MatrixError parse_error(int status, const std::string& body);

// The m.room.message content for one outgoing message: msgtype m.notice; choices as a
// numbered list (answered with the number or the label); celebrations and safety messages
// also as org.matrix.custom.html with the first line in bold.
std::string message_content(const core::Outgoing& message);

// The choice a typed answer stands for: its number in the list ("2") or its label (any
// case); nothing otherwise.
std::optional<std::string> choice_for(std::string_view text, const std::vector<core::Choice>& choices);

// A path segment, percent-encoded (room ids hold '!' and ':').
std::string encode_path(std::string_view segment);
// A query value, percent-encoded.
std::string encode_query(std::string_view value);

// The transaction id of an outbox message: the same every time it is tried, so the
// homeserver keeps one copy (the prefix is random per database, made once).
std::string transaction_id(const std::string& prefix, std::int64_t outbox_id);

}  // namespace bounceback::matrix
