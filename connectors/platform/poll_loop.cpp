#include "connectors/platform/poll_loop.hpp"

#include "connectors/http/backoff.hpp"

namespace bounceback::platform {

PollLoop::PollLoop(Strand strand, std::function<void()> ask)
    : timer_(strand), ask_(std::move(ask)), jitter_(std::random_device{}()) {}

void PollLoop::after(std::chrono::milliseconds wait) {
  timer_.expires_after(wait);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_) ask_();
  });
}

std::chrono::milliseconds PollLoop::failed(std::chrono::milliseconds told) {
  ++failures_;
  auto wait = told.count() > 0 ? told : http::backoff_delay(failures_, jitter_);
  after(wait);
  return wait;
}

void PollLoop::stop() {
  stopped_ = true;
  timer_.cancel();
}

}  // namespace bounceback::platform
