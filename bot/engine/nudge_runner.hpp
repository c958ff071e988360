#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "bot/coach/nudge_rules.hpp"
#include "bot/core/due_item.hpp"
#include "bot/core/group_info.hpp"
#include "bot/core/nudge_settings.hpp"
#include "bot/core/outgoing.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::core {
class Metrics;
}

namespace bounceback::engine {

class Conversation;
class GroupDesk;
class PersonCache;
class Schedule;

// What falls due: each item goes to the nudge policy (send, hold, skip, and when next), and
// what is sent goes through the outbox like a reply. Taken in chunks, one transaction each,
// so people's messages get in between; a chunk whose commit failed is put back as it was.
class NudgeRunner {
 public:
  NudgeRunner(PersonCache& cache, Schedule& schedule, Conversation& conversation, GroupDesk& groups,
              core::Metrics& metrics, const coach::NudgeRules& rules);

  static constexpr std::size_t kChunk = 256;

  // What one chunk changed, to put back if its commit fails: then its nudges are tried again
  // at the next run instead of being lost.
  struct Fired {
    core::DueItem item;
    core::NudgeSettings before;
    core::GroupInfo group_before;                      // a group's check-in counts (empty for a person)
    std::optional<core::DueItem> next = std::nullopt;  // queued once the chunk is committed, not before
  };
  struct Chunk {
    store::Transaction tx;
    std::vector<Fired> fired;
    bool more = false;  // a full chunk: more may be due
  };
  // Fires what Schedule::take_due gave (its people read ahead: PersonCache::ensure).
  Chunk fire(std::vector<core::DueItem> items, core::TimePoint now);
  // The chunk's commit landed or failed (a failed one is due again, as it was).
  void settle(const std::vector<Fired>& fired, bool committed);

  // A nudge that waited in the outbox longer than its kind allows is not delivered late.
  bool stale(const core::Outgoing& m, core::TimePoint now) const;

 private:
  void fire(const core::DueItem& item, core::TimePoint now, Chunk& chunk);
  void fire_group_checkin(core::Person& group, const core::DueItem& item, core::TimePoint now, Chunk& chunk);

  PersonCache& cache_;
  Schedule& schedule_;
  Conversation& conversation_;
  GroupDesk& groups_;
  core::Metrics& metrics_;
  const coach::NudgeRules& rules_;
};

}  // namespace bounceback::engine
