#include "tests/fakes/http_test_client.hpp"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

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

}  // namespace bounceback::testing
