#pragma once
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bot/coach/coach.hpp"
#include "bot/coach/goal_actions.hpp"
#include "bot/core/incoming.hpp"
#include "bot/core/person.hpp"
#include "bot/dialog/variant_rng.hpp"

namespace bounceback::core {
class Clock;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
struct Transaction;
}

namespace bounceback::engine {

class PersonCache;
class SafetyDesk;
class Schedule;
class UnitOfWork;

// Group support channels: who is in which group, everything said or tapped in one, and
// the bridge from a private chat to a group (a win offered for sharing, then shared only
// when the person chose to). Nothing of a person's private chat goes into a group.
class GroupDesk {
 public:
  GroupDesk(PersonCache& cache, UnitOfWork& work, Schedule& schedule, SafetyDesk& safety, coach::Coach& coach,
            const core::Clock& clock, core::Metrics& metrics,
            const std::vector<std::pair<core::PersonId, core::PersonId>>& memberships);

  // Anything said or tapped in a group by `person`. False when the group could not be
  // read (nothing was done).
  bool receive(core::Person& person, const core::Incoming& message, store::Transaction& tx);

  // A tap on a share offer in the person's private chat. False when the tap is not one.
  bool share_choice(core::Person& person, const core::Incoming& message, store::Transaction& tx);

  // After a step was crossed off privately: "share this win with <group>?", only for people
  // in a group with bounceback (Conversation::on_step_done).
  void offer_share(const core::Person& person, const coach::GoalActions::CompletedStep& step, dialog::VariantRng& rng,
                   coach::CoachTurn& turn);

  // A person deleted: their shared wins and their place in check-in counts leave the
  // groups they were in (the rows change in `tx`).
  void leave_all(core::PersonId person, store::Transaction& tx);

  // A group's daily check-in, posted with its buttons; false when there was nothing to post.
  bool post_checkin(core::Person& group, core::TimePoint now, store::Transaction& tx);

 private:
  core::Person* find_group(core::PersonId id);
  core::Person* group_for(const core::Incoming& message, const core::Person& sender);
  void join(core::Person& person, core::Person& group, store::Transaction& tx);
  std::vector<const core::Person*> reachable_groups(const core::Person& person);
  static dialog::VariantRng rng_for(const core::Person& p, core::TimePoint now);

  PersonCache& cache_;
  UnitOfWork& work_;
  Schedule& schedule_;
  SafetyDesk& safety_;
  coach::Coach& coach_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  // Which groups each person is in (loaded at start; small next to people).
  std::unordered_map<core::PersonId, std::vector<core::PersonId>> groups_of_;
};

}  // namespace bounceback::engine
