#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace bounceback::telegram {

struct TelegramSettings {
  std::string token;                              // from the environment, never logged
  std::string api_base = "https://api.telegram.org";
  bool webhook = false;                           // else long polling
  std::string webhook_url;                        // https://example.org/telegram/webhook
  std::string webhook_secret;                     // X-Telegram-Bot-Api-Secret-Token
  std::chrono::seconds poll_timeout{50};          // getUpdates long-poll timeout
  std::chrono::seconds request_timeout{30};       // any other call (and added to the long poll)
  std::int64_t offset = 0;                        // the next update to ask for (kept in the store)
};

}  // namespace bounceback::telegram
