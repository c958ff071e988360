#include "bot/engine/group_desk.hpp"

#include <algorithm>

#include "bot/coach/goal_book.hpp"
#include "bot/coach/group_coach.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/text_parts.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/safety_desk.hpp"
#include "bot/engine/schedule.hpp"
#include "bot/engine/unit_of_work.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::engine {

namespace {

std::string winner_name(const core::Person& person) {
  return person.display_name.empty() ? std::string("Someone") : person.display_name;
}

void drop_empty(std::vector<core::Reply>& replies) {
  std::erase_if(replies, [](const core::Reply& r) { return r.text.empty(); });
}

}  // namespace

GroupDesk::GroupDesk(PersonCache& cache, UnitOfWork& work, Schedule& schedule, SafetyDesk& safety, coach::Coach& coach,
                     const core::Clock& clock, core::Metrics& metrics,
                     const std::vector<std::pair<core::PersonId, core::PersonId>>& memberships)
    : cache_(cache), work_(work), schedule_(schedule), safety_(safety), coach_(coach), clock_(clock), metrics_(metrics) {
  for (auto [group, person] : memberships) groups_of_[person].push_back(group);
}

dialog::VariantRng GroupDesk::rng_for(const core::Person& p, core::TimePoint now) {
  return dialog::VariantRng(static_cast<std::uint64_t>(p.id) << 32 ^ static_cast<std::uint64_t>(now.time_since_epoch().count()));
}

// A group by its row id; null when it is gone, is not a group, or cannot be read now
// (logged: a group lookup never stops what the person is doing).
core::Person* GroupDesk::find_group(core::PersonId id) {
  core::Person* group = cache_.find_by_id(id).person;
  return group && group->is_group() ? group : nullptr;
}

// The group chat of a group message (null when it could not be read), created (or, for a
// pre-groups Telegram group row, marked as a group) on first sight.
core::Person* GroupDesk::group_for(const core::Incoming& message, const core::Person& sender) {
  auto found = cache_.find(message.group);
  if (found.failed) return nullptr;
  core::Person* group = found.person;
  if (!group) {
    group = &cache_.create(message.group, "");
    group->group.creator = sender.id;  // the admin of a websocket room
  }
  group->group.is_group = true;
  if (!message.group_title.empty()) group->display_name = core::shorten(message.group_title, 100);
  if (group->display_name.empty()) group->display_name = core::shorten(message.group.user, 100);
  return group;
}

void GroupDesk::join(core::Person& person, core::Person& group, store::Transaction& tx) {
  auto& mine = groups_of_[person.id];
  if (std::find(mine.begin(), mine.end(), group.id) != mine.end()) return;
  mine.push_back(group.id);
  tx.joined.emplace_back(group.id, person.id);
}

void GroupDesk::leave_all(core::PersonId person, store::Transaction& tx) {
  auto it = groups_of_.find(person);
  if (it == groups_of_.end()) return;
  for (auto id : it->second) {
    core::Person* group = find_group(id);
    if (!group) continue;
    group->group.forget_person(person);
    tx.people.push_back(*group);
  }
  groups_of_.erase(it);
}

// The groups a person is in that bounceback can still post to (at most three are offered).
std::vector<const core::Person*> GroupDesk::reachable_groups(const core::Person& person) {
  std::vector<const core::Person*> out;
  auto it = groups_of_.find(person.id);
  if (it == groups_of_.end()) return out;
  for (auto id : it->second) {
    core::Person* group = find_group(id);
    if (group && !group->nudges.unreachable) out.push_back(group);
    if (out.size() == 3) break;
  }
  return out;
}

void GroupDesk::offer_share(const core::Person& person, const coach::GoalActions::CompletedStep& step,
                            dialog::VariantRng& rng, coach::CoachTurn& turn) {
  if (person.is_group()) return;
  auto groups = reachable_groups(person);
  if (auto offer = coach::GroupCoach(coach_.dialogs()).share_offer(groups, step.goal_index, step.number, rng))
    turn.replies.push_back(std::move(*offer));
}

bool GroupDesk::share_choice(core::Person& person, const core::Incoming& message, store::Transaction& tx) {
  if (!message.is_choice()) return false;
  auto choice = coach::parse_share_choice(message.choice_id);
  if (!choice) return false;
  auto now = clock_.now();
  auto rng = rng_for(person, now);
  coach::GroupCoach desk(coach_.dialogs());
  std::vector<core::Reply> replies;
  if (choice->keep) {
    replies.push_back(desk.private_word("share_kept", "", rng));
  } else {
    core::Person* group = nullptr;
    auto mine = groups_of_.find(person.id);
    if (mine != groups_of_.end() && std::find(mine->second.begin(), mine->second.end(), choice->group) != mine->second.end())
      group = find_group(choice->group);
    const auto& goals = cache_.book(person).goals();
    const coach::Step* step = nullptr;
    if (choice->goal_index >= 0 && choice->goal_index < static_cast<int>(goals.size()) &&
        choice->step_number <= goals[choice->goal_index].total()) {
      const auto& s = goals[choice->goal_index].steps[choice->step_number - 1];
      if (s.done_at) step = &s;
    }
    if (!group || group->nudges.unreachable || !step) {
      replies.push_back(desk.private_word("share_gone", "", rng));
    } else {
      auto t = desk.share(*group, person.id, winner_name(person), choice->with_step ? step->text : "", choice->key(), now, rng);
      if (t.group_changed) tx.people.push_back(*group);
      work_.address(*group, t.to_group, "", tx.outbox);
      replies = std::move(t.to_sender);
    }
  }
  drop_empty(replies);
  tx.people.push_back(person);
  work_.address(person, replies, message.correlation_id, tx.outbox);
  return true;
}

// The safety screen first: a brief caring word in the group (never the person's words), the
// crisis reply privately. Then the group's commands and check-in answers.
bool GroupDesk::receive(core::Person& person, const core::Incoming& message, store::Transaction& tx) {
  core::Person* group = group_for(message, person);
  if (!group) return false;
  auto now = clock_.now();
  group->last_seen = message.at;
  if (group->nudges.unreachable) {  // the platform refused it before; it is talking again
    group->nudges.unreachable = false;
    group->nudges.paused = false;
  }
  join(person, *group, tx);
  if (person.display_name.empty() && !message.sender_name.empty()) person.display_name = core::shorten(message.sender_name, 100);
  const bool reachable = message.reachable_privately || !person.dialog_state.empty();
  std::vector<core::Reply> to_group, to_sender;
  if (auto safe = safety_.answer_in_group(person, message, reachable, tx)) {
    to_group.push_back(std::move(safe->to_group));
    to_sender = std::move(safe->to_sender);
  } else {
    auto request = coach::parse_group_request(message);
    using Role = core::Incoming::Role;
    bool admin = message.sender_role == Role::admin ||
                 (message.sender_role == Role::unknown && group->group.creator == person.id);
    auto rng = rng_for(*group, now);
    auto t = coach::GroupCoach(coach_.dialogs()).answer(*group, person.id, admin, request, rng);
    if (t.schedule_changed) schedule_.replan(*group, tx);
    to_group = std::move(t.to_group);
    if (reachable) to_sender = std::move(t.to_sender);
  }
  drop_empty(to_group);
  drop_empty(to_sender);
  tx.people.push_back(*group);
  tx.people.push_back(person);
  work_.address(*group, to_group, message.correlation_id, tx.outbox, to_sender.empty());
  work_.address(person, to_sender, message.correlation_id, tx.outbox);
  return true;
}

bool GroupDesk::post_checkin(core::Person& group, core::TimePoint now, store::Transaction& tx) {
  auto rng = rng_for(group, now);
  auto reply = coach::GroupCoach(coach_.dialogs()).checkin(group, now, rng);
  tx.people.push_back(group);
  if (!reply) return false;
  metrics_.add_counter("bounceback_group_checkins_total", {{"result", "sent"}});
  work_.address(group, {*reply}, "", tx.outbox);
  return true;
}

}  // namespace bounceback::engine
