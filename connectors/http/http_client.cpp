#include "connectors/http/http_client.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <openssl/ssl.h>

namespace bounceback::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct Origin {
  bool tls = true;
  std::string host;
  std::string port;
  std::string prefix;  // a path before every target (a Bot API server behind a path)
};

std::optional<Origin> parse_origin(const std::string& url, std::string* why) {
  Origin o;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    o.tls = false;
    rest = url.substr(7);
  } else {
    if (why) *why = "expected a URL starting with https:// (or http:// to a loopback address)";
    return std::nullopt;
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) o.prefix = rest.substr(slash);
  while (!o.prefix.empty() && o.prefix.back() == '/') o.prefix.pop_back();
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8081
    auto close = authority.find(']');
    if (close == std::string::npos) {
      if (why) *why = "an IPv6 address needs its closing ]";
      return std::nullopt;
    }
    o.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') o.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    o.host = authority.substr(0, colon);
    if (colon != std::string::npos) o.port = authority.substr(colon + 1);
  }
  if (o.host.empty()) {
    if (why) *why = "the URL has no host";
    return std::nullopt;
  }
  if (o.port.empty()) o.port = o.tls ? "443" : "80";
  if (o.port.find_first_not_of("0123456789") != std::string::npos) {
    if (why) *why = "\"" + o.port + "\" is not a port number";
    return std::nullopt;
  }
  return o;
}

bool loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  Impl(asio::io_context& io, Origin origin)
      : io(io), strand(asio::make_strand(io)), origin(std::move(origin)), tls_context(ssl::context::tls_client) {
    tls_context.set_default_verify_paths();
    tls_context.set_verify_mode(ssl::verify_peer);
  }

  struct Pending {
    HttpClientRequest request;
    std::function<void(HttpClientResponse)> done;
  };

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  Origin origin;
  ssl::context tls_context;
  std::deque<Pending> queue;
  bool running = false;
  bool closed = false;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return origin.tls ? beast::get_lowest_layer(*secure) : *plain; }
  bool connected() const { return origin.tls ? secure != nullptr : plain != nullptr; }

  void drop_connection() {
    if (connected()) {
      boost::system::error_code ignored;
      lowest().socket().close(ignored);
    }
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  asio::awaitable<std::string> connect(std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    tcp::resolver resolver(strand);
    auto endpoints = co_await resolver.async_resolve(origin.host, origin.port, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "cannot resolve " + origin.host + ": " + ec.message();
    if (origin.tls) {
      secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand, tls_context);
      // SNI, and the certificate must name this host.
      if (!SSL_set_tlsext_host_name(secure->native_handle(), origin.host.c_str())) co_return "cannot set the TLS server name";
      secure->set_verify_callback(ssl::host_name_verification(origin.host));
    } else {
      plain = std::make_unique<beast::tcp_stream>(strand);
    }
    lowest().expires_after(timeout);
    co_await lowest().async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "cannot connect to " + origin.host + ":" + origin.port + ": " + ec.message();
    if (origin.tls) {
      co_await secure->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return "TLS with " + origin.host + " failed: " + ec.message();
    }
    co_return "";
  }

  template <typename Stream>
  asio::awaitable<HttpClientResponse> exchange(Stream& stream, const HttpClientRequest& r) {
    HttpClientResponse out;
    bhttp::verb verb = bhttp::string_to_verb(r.method);
    if (verb == bhttp::verb::unknown) verb = bhttp::verb::post;
    bhttp::request<bhttp::string_body> req{verb, origin.prefix + r.target, 11};
    req.set(bhttp::field::host, origin.host);
    req.set(bhttp::field::user_agent, "bounceback");
    for (const auto& [name, value] : r.headers) req.set(name, value);
    req.keep_alive(true);
    if (r.method != "GET") {
      req.set(bhttp::field::content_type, r.content_type);
      req.body() = r.body;
      req.prepare_payload();
    }
    boost::system::error_code ec;
    lowest().expires_after(r.timeout);
    co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.error = "sending failed: " + ec.message();
      co_return out;
    }
    out.written = true;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.error = ec == beast::error::timeout ? "no answer in time" : "reading the answer failed: " + ec.message();
      co_return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (!res.keep_alive()) drop_connection();
    co_return out;
  }

  asio::awaitable<HttpClientResponse> perform(const HttpClientRequest& r) {
    for (int attempt = 0;; ++attempt) {
      bool reused = connected();
      if (!reused) {
        std::string failed = co_await connect(r.timeout);
        if (!failed.empty()) {
          drop_connection();
          HttpClientResponse out;
          out.error = failed;
          co_return out;
        }
      }
      // (No co_await inside ?: : g++ 12 miscompiles temporaries there.)
      HttpClientResponse out;
      if (origin.tls) out = co_await exchange(*secure, r);
      else out = co_await exchange(*plain, r);
      if (out.error.empty()) co_return out;
      drop_connection();
      // A kept-alive connection the server had already closed fails at once: once more on a
      // fresh one, when that cannot do a thing twice: the request never went out whole, or
      // repeating it is harmless (GET; PUT, whose Matrix transaction id makes it so). A POST
      // written in full may have been acted on (a Telegram message sent): the caller decides.
      // A timeout is not retried here either.
      bool stale_connection = reused && out.error.find("no answer in time") == std::string::npos;
      bool repeatable = !out.written || r.method == "GET" || r.method == "PUT";
      if (!stale_connection || !repeatable || attempt > 0) co_return out;
    }
  }

  asio::awaitable<void> run() {
    while (!queue.empty()) {
      Pending next = std::move(queue.front());
      queue.pop_front();
      HttpClientResponse response;
      if (closed) response.error = "the client was closed";
      else response = co_await perform(next.request);
      if (next.done) asio::post(io, [done = std::move(next.done), response = std::move(response)]() mutable { done(std::move(response)); });
    }
    running = false;
  }

  void start() {
    if (running) return;
    running = true;
    asio::co_spawn(strand, [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->run(); }, asio::detached);
  }
};

HttpClient::HttpClient(asio::io_context& io, const std::string& base_url) {
  std::string why;
  auto origin = parse_origin(base_url, &why);
  if (!origin) throw std::invalid_argument(base_url + ": " + why);
  impl_ = std::make_shared<Impl>(io, std::move(*origin));
}

HttpClient::~HttpClient() { close(); }

void HttpClient::request(HttpClientRequest request, std::function<void(HttpClientResponse)> done) {
  asio::post(impl_->strand, [impl = impl_, request = std::move(request), done = std::move(done)]() mutable {
    impl->queue.push_back({std::move(request), std::move(done)});
    impl->start();
  });
}

void HttpClient::close() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->closed = true;
    // Only the socket: a request in flight still uses the stream object, and ends with
    // operation_aborted; the stream itself goes when that request has finished.
    if (impl->connected()) {
      boost::system::error_code ignored;
      impl->lowest().socket().close(ignored);
    }
  });
}

std::optional<std::string> HttpClient::check_base_url(const std::string& url) {
  std::string why;
  auto origin = parse_origin(url, &why);
  if (!origin) return why;
  if (!origin->tls && !loopback(origin->host))
    return "plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost); use https://";
  return std::nullopt;
}

}  // namespace bounceback::http
