#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "connectors/http/http_request.hpp"
#include "connectors/http/trusted_proxies.hpp"
#include "connectors/http/http_response.hpp"

namespace boost::asio {
class io_context;
}

namespace bounceback::http {

struct WebsocketUpgrade;

// The daemon's one HTTP listener: exact-path routes (and prefix routes), 404 for unknown paths, 405 for a
// known path with another method, and websocket upgrades handed to their connector.
class HttpServer {
 public:
  using Respond = std::function<void(HttpResponse)>;  // callable from any thread, once
  using Handler = std::function<void(const HttpRequest&, Respond)>;
  using UpgradeHandler = std::function<void(std::unique_ptr<WebsocketUpgrade>)>;

  HttpServer(boost::asio::io_context& io, std::string host, std::uint16_t port);
  ~HttpServer();

  void route(const std::string& method, const std::string& path, Handler handler);
  // Every path starting with `prefix` that has no exact route (ids in paths, fakes in tests).
  void route_prefix(const std::string& method, const std::string& prefix, Handler handler);
  void websocket(const std::string& path, UpgradeHandler handler);
  // Connections from these proxies are known by their X-Forwarded-For (before start).
  void trust_proxies(TrustedProxies proxies);

  // Binds and starts accepting; returns the port (the one the system chose for port 0).
  std::uint16_t start();
  void stop();  // stops accepting; open connections finish what they are doing
  const std::string& host() const;

  struct Impl;  // shared with the connections it accepted; defined in the .cpp

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::http
