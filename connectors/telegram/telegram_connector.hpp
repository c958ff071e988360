#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/connector.hpp"
#include "bot/core/inbox.hpp"
#include "connectors/http/http_request.hpp"
#include "connectors/http/http_response.hpp"
#include "connectors/telegram/telegram_settings.hpp"

namespace boost::asio {
class io_context;
}
namespace bounceback::core {
class Metrics;
}
namespace bounceback::http {
class HttpServer;
}

namespace bounceback::telegram {

// Telegram through the Bot API: long polling (or a webhook) for updates, an outgoing
// queue that keeps Telegram's rate limits, inline keyboards for choices. An update is
// confirmed to Telegram (the next getUpdates offset, or the webhook's 200) only after its
// effects are committed, and the offset is saved in the same transaction.
class TelegramConnector final : public core::Connector {
 public:
  // Reads a setting the store kept (the update offset); may throw when it cannot.
  using SavedSetting = std::function<std::optional<std::string>(const std::string& key)>;
  // The configured settings completed for a start: the token (and the webhook secret) from
  // the environment, the offset from the store. Nothing, after logging why, when the
  // connector cannot run.
  static std::optional<TelegramSettings> from_config(TelegramSettings configured, const SavedSetting& saved);

  TelegramConnector(boost::asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics, TelegramSettings settings);
  ~TelegramConnector() override;

  std::string_view name() const override { return "telegram"; }
  void deliver(const core::Outgoing& message) override;
  std::string problem() const override;  // a refused token, for /healthz

  // getMe, setMyCommands, then polling (after deleteWebhook) or setWebhook.
  void start();
  void stop();

  // Its routes on the daemon's server: POST /telegram/webhook in webhook mode.
  void install(http::HttpServer& server);
  // The webhook: the secret header is checked, the update handled, and the answer given
  // once it is committed.
  void handle_webhook(const http::HttpRequest& request, std::function<void(http::HttpResponse)> respond);

  static constexpr const char* kWebhookPath = "/telegram/webhook";
  static constexpr const char* kOffsetKey = "telegram.offset";

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::telegram
