#pragma once
// Included by the platform connectors' .cpp files only (it brings Asio).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "connectors/platform/send_queue.hpp"

namespace bounceback::platform {

// Drives a SendQueue on a connector's strand: one send in flight at a time, the next one
// when the queue allows it (a timer until then), and each platform answer settled as the
// connector classified it. The connector keeps only what is its own: encoding one message
// and reading the platform's answer (`Send`).
class SendPump : public std::enable_shared_from_this<SendPump> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  // The connector's verdict on one send; `retry_after` only for SendOutcome::retry_after.
  using Report = std::function<void(SendOutcome, std::chrono::milliseconds retry_after)>;
  // Sends one item; calls `report` exactly once, on the strand.
  using Send = std::function<void(const SendQueue::Item&, Report report)>;

  SendPump(Strand strand, SendQueue::Limits limits, std::string connector, Send send);

  void push(SendQueue::Item item);  // on the strand
  void stop();                      // on the strand: nothing more leaves
  std::size_t size() const { return queue_.size(); }

 private:
  void pump();

  Strand strand_;
  boost::asio::steady_timer timer_;
  SendQueue queue_;
  std::string connector_;
  Send send_;
  bool sending_ = false;
  bool stopped_ = false;
};

}  // namespace bounceback::platform
