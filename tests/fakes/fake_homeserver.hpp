#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bounceback::testing {

// A Matrix homeserver with exactly the client-server endpoints bounceback uses, answering
// with the spec's JSON and error codes: /login (password), /sync (since, timeout with real
// long polling; the filter is accepted), /join/{room}, PUT /rooms/{room}/send/m.room.message/{txn}
// (idempotent per transaction id), /rooms/{room}/joined_members, /rooms/{room}/state/m.room.power_levels. Scripted answers for
// sends (429 M_LIMIT_EXCEEDED with retry_after_ms, 500, a response lost after the event
// was stored), and a token that can be revoked (M_UNKNOWN_TOKEN). Runs on its own thread.
class FakeHomeserver {
 public:
  FakeHomeserver(std::string bot_user, std::string access_token, std::string password = "");
  ~FakeHomeserver();

  std::string base_url() const;

  // A person makes a room (power level 100, everyone else 0) and invites the bot; `others`
  // join it too (a group). Joining, the bot is sent the room's state, with its `name`.
  std::string create_room(const std::string& person, const std::vector<std::string>& others = {},
                          const std::string& name = "");
  void say(const std::string& room, const std::string& sender, const std::string& body);
  void say_encrypted(const std::string& room, const std::string& sender);

  struct Scripted {
    int status = 200;
    std::string body;                     // an error body when status != 200
    std::chrono::milliseconds delay{0};   // answer late (after storing the event)
  };
  void script_send(Scripted answer);
  // Every send into `room` is answered with `answer` (nothing stored) until heal_room().
  void fail_room(const std::string& room, Scripted answer);
  void heal_room(const std::string& room);
  void script_sync(Scripted answer);  // the next /sync calls are answered with these instead
  void revoke_token();

  // The bodies of the bot's messages in a room, in order (as the room shows them).
  std::vector<std::string> bot_messages(const std::string& room) const;
  std::vector<nlohmann::json> bot_contents(const std::string& room) const;
  bool bot_joined(const std::string& room) const;
  int send_requests(const std::string& txn_id) const;  // PUTs seen with this transaction id
  std::vector<std::string> transaction_ids() const;     // in the order first seen
  std::vector<std::string> sync_sinces() const;         // the since of every /sync ("" for none)
  std::vector<nlohmann::json> logins() const;
  bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::testing
