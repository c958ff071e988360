#include "tests/fakes/http_test_client.hpp"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <functional>
#include <stdexcept>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace bounceback::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  beast::error_code error;
  bool done = false;
  stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code ec) {
                         if (ec) {
                           error = ec;
                           done = true;
                           return;
                         }
                         http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
                           if (ec) {
                             error = ec;
                             done = true;
                             return;
                           }
                           http::async_read(stream, buffer, res, [&](beast::error_code ec, std::size_t) {
                             error = ec;
                             done = true;
                           });
                         });
                       });
  io.run();
  if (!done || error) throw std::runtime_error("HTTP " + method + " " + target + " failed: " + error.message());
  HttpResult result;
  result.status = static_cast<int>(res.result_int());
  result.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  return result;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds deadline) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string received;
  std::array<char, 16384> chunk;
  std::size_t written = 0;
  // Reading and writing at once: the server may answer (and close) before all is written.
  std::function<void()> reader = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (ec) return io.stop();  // closed by the peer
      reader();
    });
  };
  std::function<void()> writer = [&] {
    if (written == bytes.size()) return;
    std::size_t n = std::min<std::size_t>(bytes.size() - written, 65536);
    asio::async_write(socket, asio::buffer(bytes.data() + written, n), [&](beast::error_code ec, std::size_t done) {
      written += done;
      if (!ec) writer();
    });
  };
  reader();
  writer();
  asio::steady_timer timer(io, deadline);
  timer.async_wait([&](beast::error_code) { io.stop(); });
  io.run();
  return received;
}

}  // namespace bounceback::testing
