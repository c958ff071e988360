#include "connectors/platform/send_pump.hpp"

#include <spdlog/spdlog.h>

namespace bounceback::platform {

using namespace std::chrono;

namespace {

// Real time for the platforms' limits: the domain clock may be a manual test clock.
core::TimePoint wall_now() { return time_point_cast<milliseconds>(system_clock::now()); }

}  // namespace

SendPump::SendPump(Strand strand, SendQueue::Limits limits, std::string connector, Send send)
    : strand_(strand), timer_(strand), queue_(limits), connector_(std::move(connector)), send_(std::move(send)) {}

void SendPump::push(SendQueue::Item item) {
  queue_.push(std::move(item));
  pump();
}

void SendPump::stop() {
  stopped_ = true;
  timer_.cancel();
}

void SendPump::pump() {
  if (sending_ || stopped_) return;
  core::TimePoint wake;
  auto item = queue_.pop(wall_now(), &wake);
  if (!item) {
    if (wake != core::TimePoint::max()) {
      timer_.expires_after(std::max(milliseconds(1), wake - wall_now()));
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->pump();
      });
    }
    return;
  }
  sending_ = true;
  auto shared = std::make_shared<SendQueue::Item>(std::move(*item));
  send_(*shared, [self = shared_from_this(), shared](SendOutcome outcome, milliseconds retry_after) {
    self->sending_ = false;
    auto wait = self->queue_.settle(std::move(*shared), outcome, wall_now(), retry_after);
    if (wait.count() > 0)
      spdlog::warn("{}: a chat waits {} ms before its next message", self->connector_, wait.count());
    self->pump();
  });
}

}  // namespace bounceback::platform
