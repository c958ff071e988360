#include "connectors/websocket/websocket_session.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <set>
#include <spdlog/spdlog.h>

#include "connectors/http/websocket_upgrade.hpp"
#include "connectors/websocket/gathering_stream.hpp"
#include "connectors/websocket/websocket_connector.hpp"
#include "connectors/websocket/websocket_protocol.hpp"

namespace bounceback::websocket {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxFramesBeforeWelcome = 32;

class BeastWebsocketSession final : public WebsocketSession,
                                    public std::enable_shared_from_this<BeastWebsocketSession> {
 public:
  BeastWebsocketSession(tcp::socket&& socket, std::shared_ptr<WebsocketConnector> connector,
                        const WebsocketSettings& settings, std::string remote_ip)
      : ws_(std::move(socket)), connector_(std::move(connector)), settings_(settings),
        remote_ip_(std::move(remote_ip)), tokens_(settings.rate_limit),
        last_refill_(std::chrono::steady_clock::now()) {}

  void start(beast::http::request<beast::http::string_body> request) {
    ws_.next_layer().keep_alive_with(weak_from_this());
    ws::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = settings_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(ws::stream_base::decorator([](ws::response_type& r) { r.set(beast::http::field::server, "bounceback"); }));
    // Beast closes with 1009 above this; frames between max_frame and it get an error frame.
    ws_.read_message_max(settings_.close_frame);
    ws_.text(true);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();  // not a valid handshake
      self->open_ = true;
      self->read();
    });
  }

  void welcome(std::string user, std::string token, std::vector<core::Outgoing> backlog) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), user = std::move(user), token = std::move(token),
                                        backlog = std::move(backlog)]() mutable {
      self->user_ = user;
      self->state_ = State::ready;
      // The backlog is bounded by what the store kept, not by how fast this client reads:
      // it may exceed the send queue's limit, which applies to what comes after it.
      self->enqueue(encode_welcome(user, token, backlog.size()), 0, /*bounded=*/false);
      for (const auto& m : backlog) self->enqueue(encode_message(m), m.id, /*bounded=*/false);
      auto waiting = std::move(self->before_welcome_);
      for (auto& frame : waiting) self->handle(frame);
    });
  }

  void refuse(std::string code, std::string message) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code = std::move(code), message = std::move(message)] {
      self->state_ = State::new_;
      self->before_welcome_.clear();
      self->reject(code, message);
    });
  }

  void send(const core::Outgoing& message) override {
    // Posted, not dispatched (as every call from outside is, so they keep their order): the
    // frames of one answer are then all queued before the first write completes, and the
    // stream sends them together (GatheringStream). Dispatched, the first ran inline and was
    // flushed on its own before the next was queued.
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = encode_message(message), id = message.id] {
      self->enqueue(frame, id);
    });
  }

  void unavailable(std::string correlation_id) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), id = std::move(correlation_id)] {
      self->connector_->count_rejected("unavailable");
      self->enqueue(encode_error("unavailable", "bounceback could not keep that message; please send it again in a moment", id), 0);
    });
  }

  void close_going_away() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->close(ws::close_code::going_away); });
  }

 private:
  enum class State { new_, hello_sent, ready };

  struct Frame {
    std::string text;
    std::int64_t outbox_id;  // 0: not an outbox message
  };

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();  // closed, timed out, 1009 (too big) or 1007 (bad UTF-8): Beast has answered
    if (!ws_.got_text()) {
      buffer_.consume(buffer_.size());
      reject("bad_request", "send JSON text frames");
      return read();
    }
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (!take_rate_token()) {
      reject("rate_limited", "too many messages; slow down a little");
      return read();
    }
    if (frame.size() > settings_.max_frame) {
      reject("too_large", "a frame may carry at most " + std::to_string(settings_.max_frame / 1024) + " KiB");
      return read();
    }
    if (state_ == State::hello_sent) {
      if (before_welcome_.size() >= kMaxFramesBeforeWelcome) reject("rate_limited", "wait for the welcome");
      else before_welcome_.push_back(std::move(frame));
      return read();
    }
    handle(frame);
    read();
  }

  void handle(const std::string& raw) {
    ClientFrame frame = parse_client_frame(raw);
    switch (frame.type) {
      case ClientFrame::Type::invalid:
        return reject("bad_request", frame.error);
      case ClientFrame::Type::hello:
        if (state_ != State::new_) return reject("bad_request", "hello was already said on this connection");
        state_ = State::hello_sent;
        acks_ = frame.acks;
        connector_->session_hello(shared_from_this(), frame.token, remote_ip_);
        return;
      case ClientFrame::Type::ack:
        if (state_ != State::ready) return reject("unauthorized", "say hello first");
        if (acks_) connector_->session_delivered(user_, frame.ack_id);
        return;
      case ClientFrame::Type::join:
        if (state_ != State::ready) return reject("unauthorized", "say hello first");
        if (!rooms_.count(frame.room)) {
          if (rooms_.size() >= kMaxRooms) return reject("bad_request", "a connection may be in at most " + std::to_string(kMaxRooms) + " rooms");
          rooms_.insert(frame.room);
          connector_->session_join(shared_from_this(), user_, frame.room);
        }
        enqueue(encode_room_event("joined", frame.room), 0);
        return;
      case ClientFrame::Type::leave:
        if (state_ != State::ready) return reject("unauthorized", "say hello first");
        if (rooms_.erase(frame.room)) connector_->session_leave(shared_from_this(), frame.room);
        enqueue(encode_room_event("left", frame.room), 0);
        return;
      case ClientFrame::Type::text:
      case ClientFrame::Type::choice: {
        if (state_ != State::ready) return reject("unauthorized", "say hello first");
        if (!frame.room.empty() && !rooms_.count(frame.room)) return reject("bad_request", "join the room first");
        core::Incoming in;
        in.from = {"websocket", user_};
        if (!frame.room.empty()) {
          in.group = {"websocket", room_address(frame.room)};
          in.group_title = frame.room;
        }
        in.text = std::move(frame.text);
        in.choice_id = std::move(frame.choice_id);
        in.correlation_id = std::move(frame.correlation_id);
        connector_->session_message(shared_from_this(), std::move(in));
        return;
      }
    }
  }

  bool take_rate_token() {
    if (settings_.rate_limit <= 0) return true;
    auto now = std::chrono::steady_clock::now();
    std::chrono::duration<double> elapsed = now - last_refill_;
    last_refill_ = now;
    tokens_ = std::min(settings_.rate_limit, tokens_ + elapsed.count() * settings_.rate_limit);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  void reject(const std::string& code, const std::string& message) {
    connector_->count_rejected(code);
    enqueue(encode_error(code, message), 0);
  }

  void enqueue(std::string text, std::int64_t outbox_id, bool bounded = true) {
    if (!open_ || closing_) return;
    if (bounded && queue_.size() >= settings_.send_queue) {
      // A reader this slow would make us buffer without bound: cut it off; the outbox keeps
      // what it did not get for the next connection.
      // A close handshake would wait behind the writes it cannot take: drop the connection.
      spdlog::info("websocket: dropping a connection that does not read what it is sent");
      closing_ = true;
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(ws_).close();
      return;
    }
    queue_.push_back({std::move(text), outbox_id});
    if (queue_.size() == 1) write_front();
  }

  void write_front() {
    ws_.async_write(asio::buffer(queue_.front().text), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      // Without acks, written is as delivered as the web can tell.
      if (self->queue_.front().outbox_id > 0 && !self->acks_) self->connector_->session_delivered(self->user_, self->queue_.front().outbox_id);
      self->queue_.pop_front();
      if (!self->queue_.empty() && !self->closing_) self->write_front();
    });
  }

  void close(ws::close_code code) {
    if (!open_ || closing_) return;
    closing_ = true;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    open_ = false;
    connector_->session_closed(shared_from_this(), user_);
  }

  ws::stream<GatheringStream<beast::tcp_stream>> ws_;
  std::shared_ptr<WebsocketConnector> connector_;
  WebsocketSettings settings_;
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::deque<Frame> queue_;
  std::vector<std::string> before_welcome_;
  State state_ = State::new_;
  std::string user_;
  static constexpr std::size_t kMaxRooms = 20;
  std::set<std::string> rooms_;  // joined on this connection
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
  bool acks_ = false;  // the client acknowledges messages; only those count as delivered
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<WebsocketSession> start_websocket_session(std::unique_ptr<http::WebsocketUpgrade> upgrade,
                                                          std::shared_ptr<WebsocketConnector> connector,
                                                          const WebsocketSettings& settings) {
  // The socket was accepted on a strand of its own, so the session's handlers never overlap.
  auto executor = upgrade->socket.get_executor();
  auto session = std::make_shared<BeastWebsocketSession>(std::move(upgrade->socket), std::move(connector), settings,
                                                         upgrade->remote_ip);
  asio::dispatch(executor, [session, request = std::move(upgrade->request)]() mutable { session->start(std::move(request)); });
  return session;
}

}  // namespace bounceback::websocket
