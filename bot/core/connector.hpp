#pragma once
#include <string_view>

#include "bot/core/outgoing.hpp"

namespace bounceback::core {

// What the core calls on a connector. deliver() is called only after the message was
// committed to the outbox, in commit order, and must not block: the connector queues it
// and reports it through Inbox::delivered once the platform has it.
class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string_view name() const = 0;
  virtual void deliver(const Outgoing& message) = 0;
  // The person at `user` was deleted: end their sessions (their token no longer works).
  virtual void forget(const std::string& user) { (void)user; }
  // Empty when the connector works; otherwise why not (for /healthz), e.g. a refused token.
  // Callable from any thread.
  virtual std::string problem() const { return {}; }
};

}  // namespace bounceback::core
