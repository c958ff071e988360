#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/core/due_item.hpp"
#include "bot/core/outgoing.hpp"
#include "bot/core/person.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::store {

// One unit of work the core hands to the store: applied all or nothing.
struct Transaction {
  core::TimePoint at{};
  std::vector<core::Person> people;                        // inserted or updated by id
  std::vector<core::Outgoing> outbox;                      // new messages
  std::vector<std::pair<std::int64_t, core::PersonId>> delivered;  // outbox id, its person
  std::vector<std::pair<std::string, std::string>> settings;  // key -> value
  std::vector<std::pair<core::PersonId, core::PersonId>> joined;  // group, member (kept once)
  // Goal book changes, applied in this order: a journal entry is appended; a snapshot
  // replaces the person's snapshot and drops the entries before it.
  struct GoalWrite {
    core::PersonId person = 0;
    bool snapshot = false;
    std::string text;      // the entry, the book's live snapshot, or an archive part
    bool archive = false;  // a part of finished goals, stored once beside the snapshot
  };
  std::vector<GoalWrite> goal_writes;
  std::vector<core::PersonId> due_cleared;                 // all due items of these people go first
  std::vector<core::DueItem> due;                          // then these are saved (by person, kind, slot)
  std::vector<core::DueItem> due_done;                     // one-off items that fired: removed
  std::optional<core::PersonId> read_undelivered_for;      // answered after the commit
  std::optional<core::PersonId> read_export_for;           // all of a person's data as JSON, after the commit
  std::optional<core::PersonId> forget_person;             // delete every row of this person
  // Retention: delete people last seen before `inactive_before`, and people who never
  // finished onboarding last seen before `unfinished_before`.
  std::optional<std::pair<core::TimePoint, core::TimePoint>> forget_inactive;

  bool writes_nothing() const {
    return people.empty() && outbox.empty() && delivered.empty() && settings.empty() && due_cleared.empty() && joined.empty() && goal_writes.empty() &&
           due.empty() && due_done.empty() && !forget_person && !forget_inactive;
  }
};

struct CommitResult {
  bool ok = false;
  std::string error;
  std::vector<core::Outgoing> undelivered;  // for read_undelivered_for, oldest first
  std::string export_json;                  // for read_export_for
  std::vector<core::Address> forgotten;     // who forget_inactive deleted
  std::vector<core::PersonId> forgotten_ids;  // the same people's ids, in the same order
};

}  // namespace bounceback::store
