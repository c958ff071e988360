#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/websocket/gathering_stream.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
using bounceback::websocket::GatheringStream;

namespace {

// A socket that records each write it is given and completes it when told (or at once).
struct RecordingSocket {
  using executor_type = asio::io_context::executor_type;
  explicit RecordingSocket(asio::io_context& io) : io(io) {}

  executor_type get_executor() { return io.get_executor(); }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    std::string bytes(asio::buffer_size(buffers), '\0');
    asio::buffer_copy(asio::buffer(bytes), buffers);
    writes.push_back(bytes);
    auto done = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto complete = [done, n = bytes.size(), ec = fail_with] { (*done)(ec, ec ? 0 : n); };
    if (hold) held.push_back(complete);
    else asio::post(io, complete);
  }
  void release() {
    auto waiting = std::move(held);
    held.clear();
    for (auto& f : waiting) f();
  }

  asio::io_context& io;
  std::vector<std::string> writes;
  bool hold = false;
  std::vector<std::function<void()>> held;
  beast::error_code fail_with;
};

std::string text(std::size_t n, char c) { return std::string(n, c); }

// Runs what is ready. The context stops whenever it runs out of work (a held write is no
// work to it), so it is restarted first.
void settle(asio::io_context& io) {
  io.restart();
  io.poll();
}

std::string joined(const std::vector<std::string>& writes) {
  std::string all;
  for (const auto& w : writes) all += w;
  return all;
}

}  // namespace

TEST_CASE("frames written in one turn of the event loop leave in one write to the socket", "[websocket]") {
  asio::io_context io;
  GatheringStream<RecordingSocket> stream(io);
  const std::string one = "one", two = "two";
  std::vector<std::size_t> completed;
  // The second frame is written from the first's completion, as Beast's writer does.
  asio::async_write(stream, asio::buffer(one), [&](beast::error_code ec, std::size_t n) {
    REQUIRE_FALSE(ec);
    completed.push_back(n);
    asio::async_write(stream, asio::buffer(two), [&](beast::error_code ec2, std::size_t n2) {
      REQUIRE_FALSE(ec2);
      completed.push_back(n2);
    });
  });
  CHECK(completed.empty());  // never inside the call that started it
  io.run();
  CHECK(completed == std::vector<std::size_t>{3, 3});
  CHECK(stream.next_layer().writes == std::vector<std::string>{"onetwo"});

  // A frame written after the flush goes in a write of its own.
  const std::string three = "three";
  asio::async_write(stream, asio::buffer(three), [](beast::error_code, std::size_t) {});
  io.restart();
  io.run();
  CHECK(stream.next_layer().writes == std::vector<std::string>{"onetwo", "three"});
}

TEST_CASE("a reader that does not read holds the writer back once 64 KiB wait", "[websocket]") {
  asio::io_context io;
  GatheringStream<RecordingSocket> stream(io);
  stream.next_layer().hold = true;  // the socket takes nothing until released
  const std::string small = text(1000, 'a'), big = text(70 * 1024, 'b');
  int small_done = 0, big_done = 0;
  asio::async_write(stream, asio::buffer(small), [&](beast::error_code ec, std::size_t) { small_done += !ec; });
  settle(io);
  CHECK(small_done == 1);  // accepted: the writer goes on
  asio::async_write(stream, asio::buffer(big), [&](beast::error_code ec, std::size_t n) {
    big_done += !ec;
    CHECK(n == big.size());
  });
  settle(io);
  settle(io);
  CHECK(big_done == 0);  // over 64 KiB wait: held until the socket has taken them
  CHECK(stream.next_layer().writes == std::vector<std::string>{small});
  for (int round = 0; round < 10 && !big_done; ++round) {
    stream.next_layer().release();
    settle(io);
  }
  CHECK(big_done == 1);  // its last bytes were accepted under the limit: they still wait
  CHECK(stream.buffered() > 0);
  stream.next_layer().release();
  settle(io);
  CHECK(joined(stream.next_layer().writes) == small + big);
  CHECK(stream.buffered() == 0);
}

TEST_CASE("after the socket fails, every later write fails with its error", "[websocket]") {
  asio::io_context io;
  GatheringStream<RecordingSocket> stream(io);
  stream.next_layer().fail_with = asio::error::broken_pipe;
  const std::string frame = "frame";
  beast::error_code first, second;
  asio::async_write(stream, asio::buffer(frame), [&](beast::error_code ec, std::size_t) { first = ec; });
  io.run();
  CHECK_FALSE(first);  // accepted before the socket said no
  asio::async_write(stream, asio::buffer(frame), [&](beast::error_code ec, std::size_t) { second = ec; });
  io.restart();
  io.run();
  CHECK(second == asio::error::broken_pipe);
  CHECK(stream.next_layer().writes.size() == 1);  // nothing more was tried
}

TEST_CASE("a teardown waits until what was accepted before it has left", "[websocket]") {
  asio::io_context io;
  GatheringStream<RecordingSocket> stream(io);
  stream.next_layer().hold = true;
  const std::string close_frame = "close";
  asio::async_write(stream, asio::buffer(close_frame), [](beast::error_code, std::size_t) {});
  bool flushed = false;
  stream.when_flushed([&](beast::error_code) { flushed = true; });
  settle(io);
  settle(io);
  CHECK_FALSE(flushed);
  REQUIRE(stream.next_layer().writes == std::vector<std::string>{"close"});
  stream.next_layer().release();
  settle(io);
  CHECK(flushed);

  bool at_once = false;  // nothing waiting: right away (posted)
  stream.when_flushed([&](beast::error_code) { at_once = true; });
  CHECK_FALSE(at_once);
  settle(io);
  CHECK(at_once);
}

TEST_CASE("a Beast websocket over the gathering stream sends its frames and closes cleanly both ways", "[websocket]") {
  namespace ws = beast::websocket;
  using tcp = asio::ip::tcp;
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket server_socket(asio::make_strand(io)), client_socket(io);
  client_socket.connect(acceptor.local_endpoint());
  acceptor.accept(server_socket);

  for (bool server_closes : {true, false}) {
    INFO((server_closes ? "the server closes" : "the client closes"));
    tcp::socket s(asio::make_strand(io)), c(io);
    if (server_closes) {
      s = std::move(server_socket);
      c = std::move(client_socket);
    } else {
      c.connect(acceptor.local_endpoint());
      acceptor.accept(s);
    }
    auto owner = std::make_shared<int>(0);
    ws::stream<GatheringStream<beast::tcp_stream>> server(std::move(s));
    server.next_layer().keep_alive_with(owner);
    ws::stream<beast::tcp_stream> client(std::move(c));
    const std::string first = "first", second = "second";
    std::vector<std::string> received;
    beast::flat_buffer buffer;
    beast::error_code client_closed, server_closed, client_close_result;
    std::function<void()> read_next;
    read_next = [&] {
      client.async_read(buffer, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          client_closed = ec;
          return;
        }
        received.push_back(beast::buffers_to_string(buffer.data()));
        buffer.consume(buffer.size());
        if (received.size() == 2 && !server_closes)
          client.async_close(ws::close_code::normal, [&](beast::error_code ec2) { client_close_result = ec2; });
        read_next();
      });
    };
    beast::flat_buffer server_buffer;
    server.async_accept([&](beast::error_code ec) {
      REQUIRE_FALSE(ec);
      server.async_write(asio::buffer(first), [&](beast::error_code ec1, std::size_t) {
        REQUIRE_FALSE(ec1);
        server.async_write(asio::buffer(second), [&](beast::error_code ec2, std::size_t) {
          REQUIRE_FALSE(ec2);
          if (server_closes) server.async_close(ws::close_code::normal, [&](beast::error_code ec3) { server_closed = ec3; });
          else server.async_read(server_buffer, [&](beast::error_code ec3, std::size_t) { server_closed = ec3; });
        });
      });
    });
    client.async_handshake("localhost", "/", [&](beast::error_code ec) {
      REQUIRE_FALSE(ec);
      read_next();
    });
    io.restart();
    io.run_for(std::chrono::seconds(10));
    CHECK(received == std::vector<std::string>{"first", "second"});
    if (server_closes) {
      CHECK_FALSE(server_closed);                      // the client answered the close frame
      CHECK(client_closed == ws::error::closed);       // it got the close frame: a clean close
      CHECK(client.reason().code == ws::close_code::normal);
    } else {
      CHECK(server_closed == ws::error::closed);  // Beast answered the close, then tore down
      CHECK_FALSE(client_close_result);           // the answer left before the teardown
    }
  }
}
