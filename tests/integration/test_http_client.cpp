// The HTTP(S) client the platform connectors use: keep-alive requests, certificate
// verification (a self-signed certificate is refused), timeouts, refused connections.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "connectors/http/http_client.hpp"
#include "connectors/http/http_server.hpp"

using namespace bounceback;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Runs an io_context on its own thread for the length of a test.
struct Loop {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
  ~Loop() {
    work.reset();
    io.stop();
    thread.join();
  }
};

http::HttpClientResponse fetch(http::HttpClient& client, http::HttpClientRequest request) {
  std::promise<http::HttpClientResponse> answer;
  client.request(std::move(request), [&](http::HttpClientResponse r) { answer.set_value(std::move(r)); });
  auto future = answer.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("the HTTP client sends requests in order over one kept-alive connection", "[http][client]") {
  Loop server_loop;
  http::HttpServer server(server_loop.io, "127.0.0.1", 0);
  std::atomic<int> seen{0};
  server.route("POST", "/echo", [&](const http::HttpRequest& req, http::HttpServer::Respond respond) {
    ++seen;
    respond(http::HttpResponse::json(200, req.body));
  });
  auto port = server.start();
  Loop client_loop;
  http::HttpClient client(client_loop.io, "http://127.0.0.1:" + std::to_string(port));
  for (int i = 0; i < 3; ++i) {
    auto r = fetch(client, {"POST", "/echo", "{\"n\":" + std::to_string(i) + "}", "application/json", 5s, {}});
    CHECK(r.error.empty());
    CHECK(r.status == 200);
    CHECK(r.body == "{\"n\":" + std::to_string(i) + "}");
    CHECK(r.written);
  }
  CHECK(fetch(client, {"POST", "/nowhere", "", "application/json", 5s, {}}).status == 404);
  CHECK(seen == 3);
  server.stop();
}

TEST_CASE("the HTTP client refuses a certificate no CA vouches for", "[http][client][tls]") {
  Loop server_loop;
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.use_certificate_chain_file(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/tls/self_signed.crt");
  tls.use_private_key_file(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/tls/self_signed.key", asio::ssl::context::pem);
  tcp::acceptor acceptor(server_loop.io, {asio::ip::make_address("127.0.0.1"), 0});
  auto port = acceptor.local_endpoint().port();
  std::promise<std::string> server_saw;
  acceptor.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return server_saw.set_value(ec.message());
    auto stream = std::make_shared<asio::ssl::stream<tcp::socket>>(std::move(socket), tls);
    stream->async_handshake(asio::ssl::stream_base::server, [stream, &server_saw](boost::system::error_code hs) {
      server_saw.set_value(hs ? hs.message() : "handshake completed");
    });
  });
  Loop client_loop;
  http::HttpClient client(client_loop.io, "https://127.0.0.1:" + std::to_string(port));
  auto r = fetch(client, {"GET", "/", "", "", 5s, {}});
  CHECK(r.status == 0);
  CHECK_THAT(r.error, Catch::Contains("TLS") && Catch::Contains("certificate verify failed"));
  CHECK_FALSE(r.written);  // nothing was sent to a server that could not prove who it is
  auto saw = server_saw.get_future();
  REQUIRE(saw.wait_for(5s) == std::future_status::ready);
  CHECK(saw.get() != "handshake completed");
}

TEST_CASE("the HTTP client gives up on a server that does not answer, and on one that is not there", "[http][client]") {
  Loop server_loop;
  tcp::acceptor silent(server_loop.io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket held(server_loop.io);
  silent.async_accept(held, [](boost::system::error_code) {});  // accepts, then says nothing
  Loop client_loop;
  http::HttpClient slow(client_loop.io, "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
  auto started = std::chrono::steady_clock::now();
  auto timed_out = fetch(slow, {"POST", "/x", "{}", "application/json", 300ms, {}});
  CHECK(timed_out.error == "no answer in time");
  CHECK(timed_out.written);  // it went out: whether it was acted on is unknown
  CHECK(std::chrono::steady_clock::now() - started < 3s);

  // Bound but not listening: connecting is refused, and the port stays ours (a port merely
  // closed could be taken by another test's daemon in between).
  tcp::socket closed(server_loop.io);
  closed.open(tcp::v4());
  closed.bind({asio::ip::make_address("127.0.0.1"), 0});
  auto free_port = closed.local_endpoint().port();
  http::HttpClient nobody(client_loop.io, "http://127.0.0.1:" + std::to_string(free_port));
  auto refused = fetch(nobody, {"POST", "/x", "{}", "application/json", 2s, {}});
  CHECK_THAT(refused.error, Catch::StartsWith("cannot connect"));
  CHECK_FALSE(refused.written);
}

namespace {

// A server that answers the first request on a connection and then closes that connection
// without answering the second, as a kept-alive connection lost at the wrong moment does.
// It counts every request it read in full; later connections are answered normally.
struct ClosingServer {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::atomic<int> requests{0};
  std::thread thread{[this] { serve(); }};

  ~ClosingServer() {
    // A connection of our own ends an accept that is still waiting (closing would not).
    asio::io_context poke_io;
    tcp::socket poke(poke_io);
    boost::system::error_code ignored;
    poke.connect(acceptor.local_endpoint(), ignored);
    poke.close(ignored);
    thread.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }

  void serve() {
    for (int connection = 0; connection < 2; ++connection) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec) return;
      boost::beast::flat_buffer buffer;
      for (int n = 0;; ++n) {
        boost::beast::http::request<boost::beast::http::string_body> req;
        boost::beast::http::read(socket, buffer, req, ec);
        if (ec) break;
        ++requests;
        if (connection == 0 && n == 1) break;  // read in full, never answered
        boost::beast::http::response<boost::beast::http::string_body> res{boost::beast::http::status::ok, 11};
        res.body() = "{}";
        res.keep_alive(true);
        res.prepare_payload();
        boost::beast::http::write(socket, res, ec);
      }
    }
  }
};

}  // namespace

TEST_CASE("a request written in full whose answer was lost is not sent again unless it is idempotent", "[http][client]") {
  SECTION("POST (a Telegram sendMessage): not repeated") {
    ClosingServer server;
    Loop client_loop;
    http::HttpClient client(client_loop.io, server.base());
    CHECK(fetch(client, {"POST", "/send", "{}", "application/json", 5s, {}}).status == 200);
    auto lost = fetch(client, {"POST", "/send", "{}", "application/json", 5s, {}});
    CHECK_FALSE(lost.error.empty());
    CHECK(lost.written);  // it went out: whether it was acted on is unknown to the client
    CHECK(server.requests == 2);
  }
  SECTION("PUT with a transaction id (Matrix): repeated on a fresh connection") {
    ClosingServer server;
    Loop client_loop;
    http::HttpClient client(client_loop.io, server.base());
    CHECK(fetch(client, {"PUT", "/send/txn1", "{}", "application/json", 5s, {}}).status == 200);
    auto again = fetch(client, {"PUT", "/send/txn2", "{}", "application/json", 5s, {}});
    CHECK(again.error.empty());
    CHECK(again.status == 200);
    CHECK(server.requests == 3);
  }
}
