#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/connector.hpp"
#include "bot/core/inbox.hpp"
#include "connectors/matrix/matrix_settings.hpp"

namespace boost::asio {
class io_context;
}
namespace bounceback::core {
class Metrics;
}

namespace bounceback::matrix {

// Matrix through the client-server API v3: /sync long polling with a filter, invites
// joined, a room with the bot and one person as that person's coaching chat, messages
// sent as m.notice with idempotent transaction ids taken from the outbox. A /sync batch
// is confirmed (next_batch saved) only after its events' effects are committed.
class MatrixConnector final : public core::Connector {
 public:
  // Reads a setting the store kept; may throw when it cannot. `Save` keeps one.
  using SavedSetting = std::function<std::optional<std::string>(const std::string& key)>;
  using Save = std::function<void(const std::string& key, const std::string& value)>;
  // The configured settings completed for a start: the token or password from the
  // environment, the sync position and device from the store; a new database gets its
  // transaction id prefix here (kept through `save`). Nothing, after logging why, when
  // the connector cannot run.
  static std::optional<MatrixSettings> from_config(MatrixSettings configured, const SavedSetting& saved, const Save& save);

  MatrixConnector(boost::asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics, MatrixSettings settings);
  ~MatrixConnector() override;

  std::string_view name() const override { return "matrix"; }
  void deliver(const core::Outgoing& message) override;
  std::string problem() const override;

  void start();  // /login when there is no token, then /sync
  void stop();

  static constexpr const char* kSinceKey = "matrix.since";
  static constexpr const char* kDeviceKey = "matrix.device_id";
  static constexpr const char* kTxnPrefixKey = "matrix.txn_prefix";

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::matrix
