#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bot/core/outgoing.hpp"
#include "connectors/websocket/websocket_settings.hpp"

namespace bounceback::http {
struct WebsocketUpgrade;
}

namespace bounceback::websocket {

class WebsocketConnector;

// One browser connection. The Beast implementation lives in the .cpp so that only one
// translation unit pays for compiling a websocket stream. Every method is thread-safe and
// is run later on the session's strand, in the order the calls were made.
class WebsocketSession {
 public:
  virtual ~WebsocketSession() = default;

  // The core accepted the hello: send welcome, then what was kept for the person.
  virtual void welcome(std::string user, std::string token, std::vector<core::Outgoing> backlog) = 0;
  // The hello was refused; the connection stays open for another hello.
  virtual void refuse(std::string code, std::string message) = 0;
  virtual void send(const core::Outgoing& message) = 0;
  // The message with this id was not kept (the store failed): an "unavailable" error.
  virtual void unavailable(std::string correlation_id) = 0;
  virtual void close_going_away() = 0;
};

// Completes the websocket handshake and starts reading.
std::shared_ptr<WebsocketSession> start_websocket_session(std::unique_ptr<http::WebsocketUpgrade> upgrade,
                                                          std::shared_ptr<WebsocketConnector> connector,
                                                          const WebsocketSettings& settings);

}  // namespace bounceback::websocket
