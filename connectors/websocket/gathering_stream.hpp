#pragma once
// Only for translation units that already pay for Asio/Beast (the websocket session and its test).
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace bounceback::websocket {

// The next layer under a Beast websocket stream that gathers what is written in one turn
// of the event loop and hands it to the socket in one write. An answer is two frames or
// more (the answer, the question asked again), and each frame written on its own cost a
// sendmsg and a loopback transmit: a quarter of the daemon's main thread under load.
//
// A write is accepted into the buffer and completes at once (posted), and a flush of the
// buffer is posted behind it, so the frames queued in the same turn go together. Once
// more than `kHoldAbove` bytes wait, a write's completion is held until the socket has
// taken them: a reader that does not read still fills the session's send queue, which
// drops it. Beast writes one thing at a time to its next layer, so at most one write is
// held. A failed socket write fails every later one with the same error.
//
// Accepted is not sent: a connection that breaks in the instant between the two loses
// what it accepted, as it would lose what sat in the kernel's send buffer.
//
// Handlers touch the buffer on the stream's executor (a strand). They keep the owner
// alive (see keep_alive_with) so the buffer outlives a write in flight.
template <class NextLayer>
class GatheringStream {
 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;
  static constexpr std::size_t kHoldAbove = 64 * 1024;

  template <class... Args>
  explicit GatheringStream(Args&&... args) : next_(std::forward<Args>(args)...) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  // The object that owns this stream; flushes in flight hold it.
  void keep_alive_with(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  template <class MutableBuffers, class ReadHandler>
  auto async_read_some(const MutableBuffers& buffers, ReadHandler&& handler) {
    return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  template <class ConstBuffers, class WriteHandler>
  auto async_write_some(const ConstBuffers& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& buffers) { accept(buffers, std::move(handler)); }, handler, buffers);
  }

  // Runs `then` once everything accepted has been handed to the socket (or failed).
  template <class Then>
  void when_flushed(Then then) {
    if (out_.empty() && in_flight_.empty())
      return complete_later(boost::beast::bind_front_handler(std::move(then), boost::beast::error_code{}));
    after_flush_ = std::make_unique<Erased<Then>>(std::move(then));
    schedule_flush();
  }

  std::size_t buffered() const { return out_.size() + in_flight_.size(); }

 private:
  // A move-only callable, type-erased: Beast's handlers cannot go into std::function.
  struct Callback {
    virtual ~Callback() = default;
    virtual void operator()(boost::beast::error_code ec) = 0;
  };
  template <class F>
  struct Erased final : Callback {
    explicit Erased(F f) : f(std::move(f)) {}
    void operator()(boost::beast::error_code ec) override { f(ec); }
    F f;
  };

  template <class ConstBuffers, class Handler>
  void accept(const ConstBuffers& buffers, Handler handler) {
    const std::size_t n = boost::asio::buffer_size(buffers);
    if (failed_) return complete_later(boost::beast::bind_front_handler(std::move(handler), failed_, std::size_t{0}));
    const std::size_t before = out_.size();
    out_.resize(before + n);
    boost::asio::buffer_copy(boost::asio::buffer(out_.data() + before, n), buffers);
    if (buffered() <= kHoldAbove) {
      complete_later(boost::beast::bind_front_handler(std::move(handler), boost::beast::error_code{}, n));
    } else {
      auto release = [handler = std::move(handler), n](boost::beast::error_code ec) mutable {
        std::move(handler)(ec, ec ? std::size_t{0} : n);
      };
      held_ = std::make_unique<Erased<decltype(release)>>(std::move(release));
    }
    // Posted after the completion: the writer's next frame, written from it, joins this flush.
    schedule_flush();
  }

  // Completions never run inside the call that started them (Asio's rule).
  template <class F>
  void complete_later(F f) {
    auto ex = boost::asio::get_associated_executor(f, get_executor());
    boost::asio::post(ex, std::move(f));
  }

  void schedule_flush() {
    if (flush_posted_ || !in_flight_.empty()) return;  // the write in flight flushes again when done
    flush_posted_ = true;
    boost::asio::post(get_executor(), [this, owner = owner_.lock()] {
      flush_posted_ = false;
      flush();
    });
  }

  void flush() {
    if (!in_flight_.empty()) return;
    if (out_.empty() || failed_) return finish_flush(failed_);
    in_flight_.swap(out_);
    boost::asio::async_write(next_, boost::asio::buffer(in_flight_),
                             [this, owner = owner_.lock()](boost::beast::error_code ec, std::size_t) {
                               in_flight_.clear();
                               if (ec) {
                                 failed_ = ec;
                                 out_.clear();
                               }
                               if (!out_.empty()) return flush();
                               finish_flush(ec);
                             });
  }

  void finish_flush(boost::beast::error_code ec) {
    if (held_) std::exchange(held_, nullptr)->operator()(ec);
    if (after_flush_) std::exchange(after_flush_, nullptr)->operator()(ec);
  }

  NextLayer next_;
  std::weak_ptr<void> owner_;
  std::string out_;        // accepted, waiting for the next flush
  std::string in_flight_;  // being written to the socket
  bool flush_posted_ = false;
  boost::beast::error_code failed_;
  std::unique_ptr<Callback> held_;         // a write completion held back while the socket catches up
  std::unique_ptr<Callback> after_flush_;  // teardown waiting for the last frames
};

// Closing the websocket tears the connection down after the close frame: let it leave first.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, GatheringStream<NextLayer>& stream, TeardownHandler&& handler) {
  stream.when_flushed([&stream, role, handler = std::forward<TeardownHandler>(handler)](boost::beast::error_code) mutable {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::move(handler));
  });
}

}  // namespace bounceback::websocket
