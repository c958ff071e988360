#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/address.hpp"
#include "bot/core/person.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::store {

// Where everything a person has is kept. SQLite is the embedded default; PostgreSQL
// will implement the same interface.
//
// Reads return what is committed. The core caches every person it has loaded, so a
// read never races a write it submitted itself.
class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<core::Person> find_person(const core::Address& address) = 0;
  virtual std::optional<core::Person> find_person_by_token_hash(const std::string& token_hash) = 0;
  virtual std::optional<core::Person> find_person_by_id(core::PersonId id) = 0;
  virtual std::int64_t max_person_id() = 0;
  // Who is in which group support channel: (group, person) pairs, loaded once at start.
  virtual std::vector<std::pair<core::PersonId, core::PersonId>> load_memberships() = 0;
  // Every scheduled item (the due table), in no particular order: the core's due-queue
  // is built from this at start, without loading the people.
  virtual std::vector<core::DueItem> load_due() = 0;
  // What was committed for the people of one connector and never reported delivered, oldest
  // first: a connector without sessions (Telegram, Matrix) sends it again after a restart.
  virtual std::vector<core::Outgoing> undelivered_for_connector(const std::string& connector) = 0;
  virtual std::int64_t max_outbox_id() = 0;
  virtual std::optional<std::string> setting(const std::string& key) = 0;

  // Queues a transaction; it is committed together with others queued meanwhile (group
  // commit) off the caller's thread. `done` runs on the store's thread after the commit.
  virtual void submit(Transaction tx, std::function<void(CommitResult)> done) = 0;

  // Blocks until everything submitted before this call has been committed.
  virtual void flush() = 0;

  // False after a commit failed, until one succeeds again.
  virtual bool healthy() const = 0;
};

}  // namespace bounceback::store
