#include "tests/fakes/ws_test_client.hpp"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <stdexcept>

namespace bounceback::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;

struct WsTestClient::Impl {
  asio::io_context io;
  ws::stream<beast::tcp_stream> stream{io};
  beast::flat_buffer buffer;
  bool closed = false;
  bool timed_out = false;
  // A read that outlived its caller's deadline stays pending; the next read() waits for it.
  bool reading = false;
  bool read_done = false;
  beast::error_code read_error;
  int close_code = 0;

  // Runs the io_context until `done` or the deadline.
  bool run_until(bool& done, std::chrono::milliseconds deadline) {
    io.restart();
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!done && std::chrono::steady_clock::now() < until) io.run_one_until(until);
    return done;
  }
};

WsTestClient::WsTestClient(std::uint16_t port, std::string path, int receive_buffer, std::string forwarded_for)
    : impl_(std::make_unique<Impl>()) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (receive_buffer > 0) {
    impl_->stream.next_layer().socket().open(endpoint.protocol());
    impl_->stream.next_layer().socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer));
  }
  impl_->stream.next_layer().expires_after(std::chrono::seconds(10));
  impl_->stream.next_layer().connect(endpoint);
  impl_->stream.next_layer().expires_never();
  impl_->stream.read_message_max(64 * 1024 * 1024);
  if (!forwarded_for.empty())
    impl_->stream.set_option(boost::beast::websocket::stream_base::decorator(
        [forwarded_for](boost::beast::websocket::request_type& req) { req.set("X-Forwarded-For", forwarded_for); }));
  impl_->stream.handshake("127.0.0.1:" + std::to_string(port), path);
}

WsTestClient::~WsTestClient() = default;

void WsTestClient::send_text(const std::string& frame) {
  if (impl_->closed) return;
  impl_->stream.text(true);
  beast::error_code error;
  impl_->stream.write(asio::buffer(frame), error);
  if (error) impl_->closed = true;  // the server went away; read() reports it
}

void WsTestClient::send_binary(const std::string& bytes) {
  if (impl_->closed) return;
  impl_->stream.binary(true);
  beast::error_code error;
  impl_->stream.write(asio::buffer(bytes), error);
  impl_->stream.text(true);
  if (error) impl_->closed = true;
}

void WsTestClient::send_json(const nlohmann::json& frame) { send_text(frame.dump()); }

std::optional<std::string> WsTestClient::read(std::chrono::milliseconds deadline) {
  if (impl_->closed) return std::nullopt;
  impl_->timed_out = false;
  if (!impl_->reading) {
    impl_->reading = true;
    impl_->read_done = false;
    impl_->stream.async_read(impl_->buffer, [impl = impl_.get()](beast::error_code ec, std::size_t) {
      impl->read_error = ec;
      impl->read_done = true;
    });
  }
  if (!impl_->run_until(impl_->read_done, deadline)) {
    impl_->timed_out = true;  // nothing yet; the connection stays usable
    return std::nullopt;
  }
  impl_->reading = false;
  if (impl_->read_error) {
    impl_->closed = true;
    impl_->close_code = impl_->stream.reason().code;
    return std::nullopt;
  }
  std::string frame = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  return frame;
}

nlohmann::json WsTestClient::read_json(std::chrono::milliseconds deadline) {
  auto frame = read(deadline);
  if (!frame)
    throw std::runtime_error(impl_->timed_out ? "no frame before the deadline"
                                              : "connection closed with " + std::to_string(impl_->close_code));
  auto json = nlohmann::json::parse(*frame);
  if (json.is_object() && json.value("type", "") == "welcome") announced_backlog_ = json.value("backlog", -1);
  return json;
}

nlohmann::json WsTestClient::hello(const std::string& token) {
  nlohmann::json frame = {{"type", "hello"}};
  if (!token.empty()) frame["token"] = token;
  send_json(frame);
  auto welcome = read_json();
  if (welcome.value("type", "") != "welcome") throw std::runtime_error("expected welcome, got " + welcome.dump());
  return welcome;
}

bool WsTestClient::wait_dropped_without_answering(std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  auto& socket = impl_->stream.next_layer().socket();
  char scratch[65536];
  while (std::chrono::steady_clock::now() < until) {
    bool done = false;
    beast::error_code error;
    socket.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, std::size_t) {
      error = ec;
      done = true;
    });
    if (!impl_->run_until(done, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    until - std::chrono::steady_clock::now()))) {
      beast::error_code ignored;
      socket.cancel(ignored);
      impl_->io.restart();
      impl_->io.run_for(std::chrono::seconds(1));
      return false;
    }
    if (error) {
      impl_->closed = true;
      return true;
    }
  }
  return false;
}

bool WsTestClient::closed() const { return impl_->closed; }
int WsTestClient::close_code() const { return impl_->close_code; }
bool WsTestClient::timed_out() const { return impl_->timed_out; }

void WsTestClient::close() {
  if (impl_->closed) return;
  bool done = false;
  impl_->stream.async_close(ws::close_code::normal, [&](beast::error_code) { done = true; });
  impl_->run_until(done, std::chrono::seconds(5));
  impl_->closed = true;
}

}  // namespace bounceback::testing
