#pragma once
#include <functional>
#include <memory>

#include "bot/core/inbox.hpp"

namespace boost::asio {
class io_context;
}
namespace bounceback::core {
class Clock;
class Connector;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
class Store;
}
namespace bounceback::coach {
class Coach;
}

namespace bounceback::app {

// The one place domain state lives, run on a single strand: identifies people, asks the
// coach what to answer, commits the outcome, then hands the messages to connectors.
class Core final : public core::Inbox {
 public:
  Core(boost::asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
       const coach::Coach& coach);
  ~Core() override;

  void attach(core::Connector& connector);  // before start; keyed by name()

  void web_hello(std::string token, std::function<void(core::WebHelloResult)> done) override;
  void receive(core::Incoming message) override;
  void delivered(core::Address to, std::vector<std::int64_t> outbox_ids) override;

  // `done` runs on the core strand once everything submitted so far has committed.
  void flush(std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::app
