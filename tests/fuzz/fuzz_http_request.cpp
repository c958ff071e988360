// libFuzzer target: any bytes sent to the HTTP server as they are, over a real loopback
// connection (headers, bodies, chunks, trailers). The server answers or closes; it never
// throws out of a session and never stops.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "connectors/http/http_server.hpp"

namespace asio = boost::asio;
using namespace bounceback::http;

namespace {

struct Server {
  asio::io_context io;
  HttpServer server{io, "127.0.0.1", 0};
  std::uint16_t port = 0;
  Server() {
    server.route("GET", "/x", [](const HttpRequest&, HttpServer::Respond respond) { respond(HttpResponse::text(200, "ok\n")); });
    server.route("POST", "/x", [](const HttpRequest& req, HttpServer::Respond respond) {
      respond(HttpResponse::text(200, std::to_string(req.body.size()) + "\n"));
    });
    port = server.start();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server* s = new Server;
  asio::ip::tcp::socket client(s->io);
  boost::system::error_code ec;
  client.connect({asio::ip::make_address("127.0.0.1"), s->port}, ec);
  if (ec) return 0;
  std::string answer;
  std::array<char, 4096> chunk;
  bool done = false;
  std::function<void()> read = [&] {
    client.async_read_some(asio::buffer(chunk), [&](boost::system::error_code e, std::size_t n) {
      answer.append(chunk.data(), n);
      if (e) done = true;
      else read();
    });
  };
  asio::async_write(client, asio::buffer(data, size), [&](boost::system::error_code, std::size_t) {
    boost::system::error_code ignored;
    client.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  });
  read();
  // Until the server closed the connection (it does after the end of what it was sent).
  for (int i = 0; !done && i < 2000; ++i) s->io.run_one_for(std::chrono::milliseconds(10));
  s->io.poll();
  return 0;
}
