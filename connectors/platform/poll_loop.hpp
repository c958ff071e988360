#pragma once
// Included by the platform connectors' .cpp files only (it brings Asio).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <random>

namespace bounceback::platform {

// The loop of a long poll (Telegram's getUpdates, Matrix's /sync): ask, and after each
// answer ask again, at once or after a wait. Failures in a row lengthen the wait (1 s
// doubling up to a minute, with jitter) unless the platform said how long; a success
// starts over. Runs on the connector's strand.
class PollLoop {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  PollLoop(Strand strand, std::function<void()> ask);

  void now() { ask_(); }
  void after(std::chrono::milliseconds wait);
  // A failed answer: asks again after the back-off, or after `told` when the platform
  // said; returns the wait.
  std::chrono::milliseconds failed(std::chrono::milliseconds told = std::chrono::milliseconds(0));
  void succeeded() { failures_ = 0; }
  int failures() const { return failures_; }
  void stop();
  bool stopped() const { return stopped_; }

 private:
  boost::asio::steady_timer timer_;
  std::function<void()> ask_;
  std::mt19937 jitter_;
  int failures_ = 0;
  bool stopped_ = false;
};

}  // namespace bounceback::platform
