#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bot/core/outgoing.hpp"
#include "bot/core/person.hpp"
#include "bot/core/reply.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::core {
class Clock;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
class Store;
}

namespace bounceback::engine {

class PersonCache;

// Where every change the core makes goes to disk, and the one place that decides what
// follows: once a transaction committed, its messages are handed to their connectors and
// `then` learns it; when it failed, nothing is sent, the cached people it carried are read
// from the store again (PersonCache::settled) and `then` learns that too, so the
// connector can tell the person or ask the platform for the update again.
class UnitOfWork {
 public:
  using Post = std::function<void(std::function<void()>)>;  // runs on the core's strand
  using HandOver = std::function<void(const core::Outgoing&)>;

  UnitOfWork(store::Store& store, PersonCache& cache, const core::Clock& clock, core::Metrics& metrics, Post post,
             HandOver hand_over, std::int64_t next_outbox_id);

  // The coach's replies as outbox entries addressed to `person`: the last one answering a
  // message is final (`last`: false when more of the answer follows elsewhere).
  void address(const core::Person& person, const std::vector<core::Reply>& replies, const std::string& correlation_id,
               std::vector<core::Outgoing>& out, bool last = true);

  // Commits `tx`; afterwards, on the strand, hands its messages to their connectors (unless
  // `deliver` is false) and calls `then`.
  void commit(store::Transaction tx, bool deliver, std::function<void(store::CommitResult)> then);

  // A connector reports messages delivered. The marks ride along with the next commit (the
  // caller arranges one soon if none comes): under load, a transaction of marks alone was
  // every second commit, and it dirtied the same outbox pages as the next one again.
  void mark_delivered(core::PersonId person, const std::vector<std::int64_t>& outbox_ids);
  bool marks_waiting() const { return !pending_delivered_.empty(); }

 private:
  store::Store& store_;
  PersonCache& cache_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  Post post_;
  HandOver hand_over_;
  std::int64_t next_outbox_id_;
  // One lost in a crash means a frame sent twice after the restart, never one lost.
  std::vector<std::pair<std::int64_t, core::PersonId>> pending_delivered_;
};

}  // namespace bounceback::engine
