#include "bot/coach/nudge_policy.hpp"

#include <charconv>

#include "bot/schedule/local_time.hpp"

namespace bounceback::coach {

using namespace std::chrono;
using Send = NudgeDecision::Send;

namespace {
// The weekly reflection: Sunday (0) at 18:00 in the person's zone.
constexpr int kWeeklyDay = 0;
constexpr int kWeeklyMinute = 18 * 60;
}  // namespace

const date::time_zone* zone_of(const core::Person& person, const NudgeRules& rules) {
  return schedule::zone_or_utc(person.timezone.empty() ? rules.default_timezone : person.timezone);
}

bool too_late(bool checkin, core::TimePoint since, core::TimePoint now, const date::time_zone* zone,
              const NudgeRules& rules) {
  if (!checkin) return now - since > rules.nudge_max_lateness;
  if (rules.checkin_max_lateness) return now - since > *rules.checkin_max_lateness;
  return now > schedule::end_of_local_day(zone, since);
}

NudgeDecision decide_nudge(core::Person& person, const core::DueItem& item, bool has_open_step, core::TimePoint now,
                           const NudgeRules& rules) {
  core::NudgeSettings& n = person.nudges;
  const date::time_zone* zone = zone_of(person, rules);
  // A daily item comes back at its next occurrence; a one-off reminder is done.
  std::optional<core::TimePoint> following;
  if (item.kind == core::DueKind::daily) following = schedule::next_daily(zone, item.slot, now);
  if (item.kind == core::DueKind::weekly) following = schedule::next_weekly(zone, kWeeklyDay, item.slot, now);
  auto skip = [&](const char* why) {
    if (item.kind == core::DueKind::remind) n.remind_at = {};
    return NudgeDecision{Send::nothing, why, following, false};
  };

  if (item.kind == core::DueKind::weekly) {
    // A look back the person asked for: not a nudge, so neither the gap between nudges
    // nor the half rate for unanswered ones applies; quiet hours and a snooze hold it.
    if (!n.weekly) return {Send::nothing, "off", std::nullopt, false};
    if (n.paused) return skip("paused");
    if (now < person.safety_pause_until) return skip("safety_pause");
    if (now - item.due > hours(24)) return skip("late");
    std::optional<core::TimePoint> hold;
    if (n.has_quiet_hours()) hold = schedule::quiet_until(zone, n.quiet_from, n.quiet_to, now);
    if (now < n.snoozed_until && (!hold || n.snoozed_until > *hold)) hold = n.snoozed_until;
    if (hold) return {Send::nothing, "held", hold, false};
    return {Send::weekly, "sent", following, false};
  }

  if (n.paused) return skip("paused");
  if (now < person.safety_pause_until) return skip("safety_pause");  // never a nudge right after a crisis

  Send kind = has_open_step ? Send::step_nudge : Send::checkin;
  if (person.last_seen != core::TimePoint{} && now - person.last_seen >= days(rules.encourage_after_days))
    kind = Send::encouragement;

  if (too_late(kind == Send::checkin, item.due, now, zone, rules)) return skip("late");  // downtime: no burst

  std::optional<core::TimePoint> hold;
  const char* held_by = "quiet";
  if (n.has_quiet_hours()) hold = schedule::quiet_until(zone, n.quiet_from, n.quiet_to, now);
  if (now < n.snoozed_until && (!hold || n.snoozed_until > *hold)) {
    hold = n.snoozed_until;
    held_by = "snoozed";
  }
  if (hold) {
    bool drop = kind == Send::checkin ? rules.drop_checkin_when_quiet
                : kind == Send::encouragement ? rules.drop_encouragement_when_quiet
                                              : rules.drop_nudge_when_quiet;
    if (drop) return skip(held_by);
    // A check-in asks about its own day: held past the end of that day (quiet hours, a
    // snooze, "Not today"), it is not brought the next day.
    if (kind == Send::checkin && *hold >= schedule::end_of_local_day(zone, item.due)) return skip(held_by);
    if (item.kind == core::DueKind::remind) n.remind_at = *hold;  // the reminder it stands for moves too
    return {Send::nothing, "held", hold, false};  // the same item, at the end of the quiet stretch
  }

  if (n.last_nudged != core::TimePoint{} && now - n.last_nudged < rules.min_gap) return skip("too_soon");

  if (n.unanswered >= rules.half_rate_after) {  // no answer for a while: every other one only
    n.skipped_last = !n.skipped_last;
    if (n.skipped_last) return skip("half_rate");
  }
  ++n.unanswered;
  n.last_nudged = now;
  if (item.kind == core::DueKind::remind) n.remind_at = {};
  return {kind, "sent", following, n.unanswered == rules.half_rate_after};
}

std::vector<core::DueItem> plan_nudges(core::Person& person, core::TimePoint now, const NudgeRules& rules) {
  core::NudgeSettings& n = person.nudges;
  ++n.epoch;
  const date::time_zone* zone = zone_of(person, rules);
  std::vector<core::DueItem> items;
  for (auto minute : n.times)
    items.push_back({schedule::next_daily(zone, minute, now), person.id, n.epoch, minute, core::DueKind::daily});
  if (n.remind_at > now) items.push_back({n.remind_at, person.id, n.epoch, 0, core::DueKind::remind});
  if (n.weekly)
    items.push_back({schedule::next_weekly(zone, kWeeklyDay, kWeeklyMinute, now), person.id, n.epoch,
                     static_cast<std::uint16_t>(kWeeklyMinute), core::DueKind::weekly});
  return items;
}

std::optional<core::TimePoint> snooze_end(const core::Person& person, const std::string& what, core::TimePoint now,
                                          const NudgeRules& rules) {
  const date::time_zone* zone = zone_of(person, rules);
  if (what == "tonight") {
    // 20:00 today; when the evening has already begun, an hour from now.
    if (schedule::local_minute(zone, now) >= 19 * 60) return now + hours(1);
    return schedule::next_daily(zone, 20 * 60, now);
  }
  if (what == "today") return schedule::end_of_local_day(zone, now);  // "Not today": nothing more today
  if (what == "tomorrow") {
    // The person's first nudge time tomorrow (09:00 without one), never later today.
    int minute = person.nudges.times.empty() ? 9 * 60 : person.nudges.times.front();
    return schedule::next_daily(zone, minute, schedule::end_of_local_day(zone, now));
  }
  if (what.size() < 2) return std::nullopt;
  int amount = 0;
  auto [end, ec] = std::from_chars(what.data(), what.data() + what.size() - 1, amount);
  if (ec != std::errc() || end != what.data() + what.size() - 1 || amount <= 0) return std::nullopt;
  char unit = what.back();
  if (unit == 'm' && amount <= 24 * 60) return now + minutes(amount);
  if (unit == 'h' && amount <= 48) return now + hours(amount);
  return std::nullopt;
}

}  // namespace bounceback::coach
