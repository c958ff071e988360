#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bot/core/incoming.hpp"
#include "bot/core/outgoing.hpp"

namespace bounceback::core {

// The answer to a web chat "hello".
struct WebHelloResult {
  enum class Status { ok, unauthorized, unavailable };
  Status status = Status::unavailable;
  std::string user;                // the person's public id
  std::string token;               // set only when the person was just created
  std::vector<Outgoing> backlog;   // kept while no connection was open, oldest first
};

// What connectors call on the core. Every call returns at once; the work runs on the
// core strand. Callbacks run on the io_context after the store committed.
class Inbox {
 public:
  virtual ~Inbox() = default;

  // Web chat identity: an empty token creates a new person, a known token resumes one.
  virtual void web_hello(std::string token, std::function<void(WebHelloResult)> done) = 0;

  // Whether a message's effects are on disk: a connector confirms it to its platform only
  // when `durable`; otherwise nothing of it was kept and the platform should offer it again.
  using Acknowledge = std::function<void(bool durable)>;

  // A message from a person the connector has already identified. `committed`, when given,
  // runs once the message's own transaction was committed, or failed.
  virtual void receive(Incoming message, Acknowledge committed = nullptr) = 0;

  // Saves a connector's position in its platform's stream on its own (the end of a batch
  // whose events changed nothing); `done` once it is on disk (or it failed).
  virtual void checkpoint(std::string key, std::string value, Acknowledge done) {
    (void)key;
    (void)value;
    if (done) done(true);
  }

  // The platform says the person cannot be reached (they blocked the bot): their nudges
  // are paused until they write again.
  virtual void unreachable(Address who) { (void)who; }

  // These outbox entries of the person at `to` reached them; they are not delivered again.
  // Ids that are not that person's are ignored.
  virtual void delivered(Address to, std::vector<std::int64_t> outbox_ids) = 0;
};

}  // namespace bounceback::core
