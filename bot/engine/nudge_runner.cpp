#include "bot/engine/nudge_runner.hpp"

#include <algorithm>

#include "bot/coach/goal_book.hpp"
#include "bot/coach/nudge_policy.hpp"
#include "bot/core/metrics.hpp"
#include "bot/engine/conversation.hpp"
#include "bot/engine/group_desk.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/schedule.hpp"
#include "bot/schedule/local_time.hpp"

namespace bounceback::engine {

namespace {

coach::Coach::ScheduledKind scheduled_kind(coach::NudgeDecision::Send send) {
  switch (send) {
    case coach::NudgeDecision::Send::step_nudge: return coach::Coach::ScheduledKind::step_nudge;
    case coach::NudgeDecision::Send::checkin: return coach::Coach::ScheduledKind::checkin;
    case coach::NudgeDecision::Send::weekly: return coach::Coach::ScheduledKind::weekly;
    default: return coach::Coach::ScheduledKind::encouragement;
  }
}

}  // namespace

NudgeRunner::NudgeRunner(PersonCache& cache, Schedule& schedule, Conversation& conversation, GroupDesk& groups,
                         core::Metrics& metrics, const coach::NudgeRules& rules)
    : cache_(cache), schedule_(schedule), conversation_(conversation), groups_(groups), metrics_(metrics), rules_(rules) {}

NudgeRunner::Chunk NudgeRunner::fire(std::vector<core::DueItem> items, core::TimePoint now) {
  Chunk chunk;
  for (const auto& item : items) fire(item, now, chunk);
  chunk.more = items.size() == kChunk;
  return chunk;
}

void NudgeRunner::settle(const std::vector<Fired>& fired, bool committed) {
  for (const auto& f : fired) {
    if (committed) {
      if (f.next) schedule_.requeue(*f.next);
      continue;
    }
    if (core::Person* p = cache_.cached(f.item.person)) {
      p->nudges = f.before;
      if (p->is_group()) p->group = f.group_before;
    }
    schedule_.requeue(f.item);  // as it was: due again now
  }
  schedule_.report_size();
}

// One due item: the nudge policy decides; what is sent goes through the outbox like a reply.
void NudgeRunner::fire(const core::DueItem& item, core::TimePoint now, Chunk& chunk) {
  store::Transaction& tx = chunk.tx;
  auto found = cache_.find_by_id(item.person);
  if (found.failed) {
    schedule_.requeue(item);  // tried again with the next item that falls due
    return;
  }
  core::Person* person = found.person;
  if (!person) {
    tx.due_done.push_back(item);
    return;
  }
  core::NudgeSettings& n = person->nudges;
  if (item.epoch != n.epoch) return;  // from before a change: its replacement is queued
  if (item.kind == core::DueKind::daily && std::find(n.times.begin(), n.times.end(), item.slot) == n.times.end())
    return;
  if (item.kind == core::DueKind::remind && item.due != n.remind_at) return;  // a later snooze replaced it
  if (person->is_group()) return fire_group_checkin(*person, item, now, chunk);
  const coach::Goal* goal = cache_.book(*person).current();
  bool open_step = goal && goal->done() < goal->total();
  const core::NudgeSettings before = n;
  chunk.fired.push_back({item, before, {}});
  auto decision = coach::decide_nudge(*person, item, open_step, now, rules_);
  metrics_.add_counter("bounceback_nudges_total", {{"result", decision.why}});
  if (decision.next) {
    core::DueItem moved = item;
    moved.due = *decision.next;
    chunk.fired.back().next = moved;
    tx.due.push_back(moved);
  } else {
    tx.due_done.push_back(item);
  }
  if (decision.send == coach::NudgeDecision::Send::nothing) {
    if (n != before) tx.people.push_back(*person);
    return;
  }
  conversation_.answer(*person, "", tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler*) {
    return conversation_.coach().scheduled(*person, state, context, scheduled_kind(decision.send), decision.announce_half_rate);
  });
}

// A group's daily check-in fell due: posted with its buttons; the next one is planned.
void NudgeRunner::fire_group_checkin(core::Person& group, const core::DueItem& item, core::TimePoint now, Chunk& chunk) {
  chunk.fired.push_back({item, group.nudges, group.group});
  const date::time_zone* zone = coach::zone_of(group, rules_);
  core::DueItem next = item;
  next.due = schedule::next_daily(zone, item.slot, std::max(now, item.due));
  chunk.fired.back().next = next;
  chunk.tx.due.push_back(next);
  if (group.nudges.unreachable || coach::too_late(true, item.due, now, zone, rules_)) {
    metrics_.add_counter("bounceback_group_checkins_total", {{"result", "skipped"}});
    return;
  }
  groups_.post_checkin(group, now, chunk.tx);
}

bool NudgeRunner::stale(const core::Outgoing& m, core::TimePoint now) const {
  if (m.kind != core::MessageKind::nudge && m.kind != core::MessageKind::checkin) return false;
  const core::Person* person = cache_.peek(m.person);
  const date::time_zone* zone =
      person ? coach::zone_of(*person, rules_) : schedule::zone_or_utc(conversation_.settings().default_timezone);
  return coach::too_late(m.kind == core::MessageKind::checkin, m.created, now, zone, rules_);
}

}  // namespace bounceback::engine
