#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "bot/core/connector.hpp"
#include "bot/core/inbox.hpp"
#include "connectors/websocket/websocket_settings.hpp"

namespace bounceback::core {
class Metrics;
}
namespace bounceback::http {
class HttpServer;
struct WebsocketUpgrade;
}  // namespace bounceback::http

namespace bounceback::websocket {

class WebsocketSession;

// The web chat: knows which open sessions belong to which person, delivers committed
// messages to all of them, and leaves messages for absent people in the outbox.
class WebsocketConnector final : public core::Connector,
                                 public std::enable_shared_from_this<WebsocketConnector> {
 public:
  WebsocketConnector(core::Inbox& inbox, core::Metrics& metrics, WebsocketSettings settings);

  std::string_view name() const override { return "websocket"; }
  void deliver(const core::Outgoing& message) override;
  void forget(const std::string& user) override;

  // Its routes on the daemon's server: the page at / and the chat at /ws.
  void install(http::HttpServer& server);
  void accept(std::unique_ptr<http::WebsocketUpgrade> upgrade);
  // accept() as the HTTP server's handler for /ws (keeps Beast types out of the caller).
  std::function<void(std::unique_ptr<http::WebsocketUpgrade>)> upgrade_handler();
  void stop();  // closes every session with "going away"

  // Called by sessions.
  void session_hello(std::shared_ptr<WebsocketSession> session, std::string token, const std::string& remote_ip);
  void session_message(const std::shared_ptr<WebsocketSession>& session, core::Incoming message);
  void session_delivered(const std::string& user, std::int64_t outbox_id);
  // A room joined or left on one connection (a room is a group support channel).
  void session_join(const std::shared_ptr<WebsocketSession>& session, const std::string& user, const std::string& room);
  void session_leave(const std::shared_ptr<WebsocketSession>& session, const std::string& room);
  void session_closed(const std::shared_ptr<WebsocketSession>& session, const std::string& user);
  void count_rejected(std::string_view code);

 private:
  bool allow_new_person(const std::string& remote_ip);

  core::Inbox& inbox_;
  core::Metrics& metrics_;
  WebsocketSettings settings_;

  // Sessions live on their own strands; this registry is touched from all of them.
  std::mutex mutex_;
  std::map<std::string, std::set<std::shared_ptr<WebsocketSession>>> by_user_;
  std::set<std::shared_ptr<WebsocketSession>> all_;
  std::map<std::string, std::set<std::shared_ptr<WebsocketSession>>> rooms_;  // room name -> connections in it
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> new_people_by_ip_;
  bool stopped_ = false;
};

}  // namespace bounceback::websocket
