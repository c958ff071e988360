#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace bounceback::telegram {

// The connector's settings: as configured (connectors.telegram.*), then completed at start
// by TelegramConnector::from_config with the secrets from the environment and the offset
// from the store.
struct TelegramSettings {
  bool enabled = false;
  std::string token_env = "BOUNCEBACK_TELEGRAM_TOKEN";  // names the variable with the token
  std::string api_base = "https://api.telegram.org";
  std::string mode = "polling";                   // or "webhook"
  std::string webhook_url;                        // https://example.org/telegram/webhook
  std::string webhook_secret_env = "BOUNCEBACK_TELEGRAM_WEBHOOK_SECRET";
  std::chrono::seconds poll_timeout{50};          // getUpdates long-poll timeout
  std::chrono::seconds request_timeout{30};       // any other call (and added to the long poll)

  // Completed at start:
  std::string token;           // from the environment, never logged
  std::string webhook_secret;  // X-Telegram-Bot-Api-Secret-Token, from the environment
  std::int64_t offset = 0;     // the next update to ask for (kept in the store)

  bool webhook() const { return mode == "webhook"; }
};

}  // namespace bounceback::telegram
