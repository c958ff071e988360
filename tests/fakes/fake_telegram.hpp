#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace bounceback::testing {

// A Bot API server for the failure paths the telegram-test-api emulator lacks: real long
// polling, offset confirmation (updates below the asked offset are forgotten, as
// Telegram does), 429 with retry_after, 500, 403, slow answers, and a record of every
// call. It runs on its own thread, bound to 127.0.0.1 port 0.
class FakeTelegram {
 public:
  explicit FakeTelegram(std::string token);
  ~FakeTelegram();

  std::uint16_t port() const { return port_; }
  std::string api_base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // What people do: each becomes an update with the next update_id.
  void person_writes(std::int64_t chat_id, const std::string& text, const std::string& chat_type = "private",
                     std::int64_t from_id = 0, bool from_bot = false);
  void person_sends_sticker(std::int64_t chat_id);
  // A tap on a button; in a group, `from_id` is who tapped.
  void person_taps(std::int64_t chat_id, const std::string& data, std::int64_t on_message_id,
                   std::int64_t from_id = 0, const std::string& chat_type = "private");
  // Group chats carry a title; people write as Mira unless named.
  void set_chat_title(std::int64_t chat_id, std::string title);
  void set_name(std::int64_t user_id, std::string first_name);
  // getChatMember answers this status (creator, administrator, member, ...); "member" unless set.
  void set_member_status(std::int64_t chat_id, std::int64_t user_id, std::string status);

  // The next sendMessage calls are answered with these (status, body, delay) in turn.
  struct Scripted {
    int status;
    std::string body;
    std::chrono::milliseconds delay{0};
  };
  void script_send(Scripted answer);
  // The next getUpdates calls are answered with these instead (a 502 page, a 429 ...).
  void script_poll(Scripted answer);
  void clear_script();

  struct Call {
    std::string method;
    nlohmann::json body;
    std::chrono::steady_clock::time_point at;
  };
  std::vector<Call> calls(const std::string& method = "") const;
  // sendMessage calls answered ok (what the person sees), in order.
  std::vector<nlohmann::json> delivered(std::int64_t chat_id = 0) const;
  // Waits until `count` messages were delivered to `chat_id`; false at the deadline.
  bool wait_delivered(std::int64_t chat_id, std::size_t count, std::chrono::milliseconds deadline);
  bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

 private:
  nlohmann::json chat(std::int64_t chat_id, const std::string& chat_type) const;
  nlohmann::json user(std::int64_t user_id, bool is_bot) const;
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

// The daemon against a FakeTelegram at `api_base`: --set arguments for the connector
// (polling unless `more` says otherwise) and the manual test clock, and the environment
// with the bot token, the admin token and the webhook secret ("hook-secret-123").
inline const std::string kFakeTelegramToken = "7000000001:AAtest-token_for_the_fake";
std::vector<std::string> telegram_daemon_args(const std::string& api_base, std::vector<std::string> more = {});
std::vector<std::string> telegram_daemon_env();

}  // namespace bounceback::testing
