#include "connectors/http/http_server.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <array>
#include <atomic>
#include <map>
#include <optional>
#include <spdlog/spdlog.h>

#include "connectors/http/websocket_upgrade.hpp"

namespace bounceback::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kMaxBody = 1024 * 1024;
// Request line and headers together.
constexpr std::size_t kMaxHeader = 16 * 1024;
// What a session holds unparsed at once. Trailers of a chunked body are parsed only when
// all of them are here and no header limit applies to them: this bound is theirs, and it
// keeps every field below Beast's 64 KiB, past which it throws instead of failing.
constexpr std::size_t kMaxBuffered = 32 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);
}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, std::string host, std::uint16_t port)
      : io(io), acceptor(asio::make_strand(io)), accept_pause(acceptor.get_executor()), host(std::move(host)), port(port) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_pause;  // after a failed accept (out of file descriptors)
  std::chrono::steady_clock::time_point last_accept_warning{};
  std::size_t accept_failures_unlogged = 0;
  std::string host;
  std::uint16_t port;
  std::map<std::string, std::map<std::string, Handler>> routes;  // path -> method -> handler
  std::map<std::string, std::map<std::string, Handler>> prefixes;  // path prefix -> method -> handler

  // The exact route, else the longest prefix route that matches.
  const std::map<std::string, Handler>* find(const std::string& path) const {
    if (auto it = routes.find(path); it != routes.end()) return &it->second;
    const std::map<std::string, Handler>* best = nullptr;
    std::size_t best_length = 0;
    for (const auto& [prefix, methods] : prefixes)
      if (path.rfind(prefix, 0) == 0 && prefix.size() >= best_length) {
        best = &methods;
        best_length = prefix.size();
      }
    return best;
  }
  std::map<std::string, UpgradeHandler> upgrades;
  TrustedProxies proxies;
  bool stopped = false;

  void accept_next();
  void pause_accepting(const beast::error_code& ec);
};

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = endpoint.address().to_string();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    parser_->header_limit(kMaxHeader);
    stream_.expires_after(kReadTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout) return close();
    if (ec == bhttp::error::body_limit) return reply_plain(413, "request body too large\n", false);
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
      return reply_plain(431, "request header fields too large\n", false);
    if (ec) return;  // the peer went away or sent something that is not HTTP
    auto request = parser_->release();
    auto forwarded = request["X-Forwarded-For"];
    std::string client_ip = server_->proxies.client_ip(remote_ip_, std::string_view(forwarded.data(), forwarded.size()));
    std::string target(request.target());
    std::string path = target.substr(0, target.find('?'));

    if (beast::websocket::is_upgrade(request)) {
      auto up = server_->upgrades.find(path);
      if (up == server_->upgrades.end()) return reply_plain(404, "not found\n", false);
      stream_.expires_never();
      auto upgrade = std::make_unique<WebsocketUpgrade>(
          WebsocketUpgrade{stream_.release_socket(), std::move(request), client_ip});
      up->second(std::move(upgrade));
      return;
    }

    const auto* route = server_->find(path);
    if (!route) return reply_plain(404, "not found\n", request.keep_alive());
    std::string method(request.method_string());
    auto handler = route->find(method);
    if (handler == route->end()) {
      std::string allow;
      for (const auto& [m, h] : *route) allow += (allow.empty() ? "" : ", ") + m;
      HttpResponse r = HttpResponse::text(405, "method not allowed\n");
      r.headers["Allow"] = allow;
      return write(std::move(r), request.keep_alive());
    }

    HttpRequest req;
    req.method = method;
    req.path = path;
    auto q = target.find('?');
    if (q != std::string::npos) req.query = target.substr(q + 1);
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(request.body());
    req.remote_ip = client_ip;
    bool keep_alive = request.keep_alive();
    // The handler may answer later and from another thread: come back to this session's strand.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    try {
      handler->second(req, [self = shared_from_this(), keep_alive, answered](HttpResponse response) {
        if (answered->exchange(true)) return;
        asio::post(self->stream_.get_executor(), [self, keep_alive, response = std::move(response)]() mutable {
          self->write(std::move(response), keep_alive);
        });
      });
    } catch (const std::exception& e) {
      // A handler's fault ends this request, never the daemon.
      spdlog::error("http: {} {} failed: {}", method, path, e.what());
      if (!answered->exchange(true)) reply_plain(500, "internal error\n", false);
    }
  }

  void reply_plain(int status, std::string body, bool keep_alive) {
    write(HttpResponse::text(status, std::move(body)), keep_alive);
  }

  void write(HttpResponse response, bool keep_alive) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), 11);
    message->set(bhttp::field::server, "bounceback");
    message->set(bhttp::field::content_type, response.content_type);
    message->set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    stream_.expires_after(kReadTimeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         if (!message->keep_alive()) return self->close();
                         self->read();
                       });
  }

  // Half-close, then read and drop what the peer still sends (a refused oversized body)
  // for a moment: closing with unread data would reset the connection, and the peer
  // could lose the answer it was sent.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->drain();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxBuffered};
  std::array<char, 16384> scratch_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string remote_ip_;
};

}  // namespace

void HttpServer::Impl::accept_next() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (ec) return self->pause_accepting(ec);
    // Answers are several small frames in a row: without NODELAY, Nagle's algorithm holds
    // each one back until the peer's delayed ACK (~40 ms).
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(std::move(socket), self)->start();
    self->accept_next();
  });
}

// Out of file descriptors, the pending connection stays in the backlog and accepting again
// at once fails again at once: a spin that starves every session and floods the log. Wait
// a moment for sessions to close, and say so once a minute at most.
void HttpServer::Impl::pause_accepting(const beast::error_code& ec) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_accept_warning >= std::chrono::minutes(1)) {
    spdlog::warn("http: accept failed: {} ({} more since the last warning); pausing new connections briefly",
                 ec.message(), accept_failures_unlogged);
    last_accept_warning = now;
    accept_failures_unlogged = 0;
  } else {
    ++accept_failures_unlogged;
  }
  accept_pause.expires_after(std::chrono::milliseconds(100));
  accept_pause.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec && !self->stopped) self->accept_next();
  });
}

HttpServer::HttpServer(asio::io_context& io, std::string host, std::uint16_t port)
    : impl_(std::make_shared<Impl>(io, std::move(host), port)) {}

HttpServer::~HttpServer() = default;

void HttpServer::route(const std::string& method, const std::string& path, Handler handler) {
  impl_->routes[path][method] = std::move(handler);
}

void HttpServer::route_prefix(const std::string& method, const std::string& prefix, Handler handler) {
  impl_->prefixes[prefix][method] = std::move(handler);
}

void HttpServer::trust_proxies(TrustedProxies proxies) { impl_->proxies = std::move(proxies); }

void HttpServer::websocket(const std::string& path, UpgradeHandler handler) {
  impl_->upgrades[path] = std::move(handler);
}

std::uint16_t HttpServer::start() {
  auto address = asio::ip::make_address(impl_->host);
  tcp::endpoint endpoint{address, impl_->port};
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->accept_next();
  return impl_->acceptor.local_endpoint().port();
}

void HttpServer::stop() {
  asio::dispatch(impl_->acceptor.get_executor(), [impl = impl_] {
    impl->stopped = true;
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_pause.cancel();
  });
}

const std::string& HttpServer::host() const { return impl_->host; }

}  // namespace bounceback::http
