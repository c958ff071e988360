#include "bot/coach/nudge_actions.hpp"

#include <algorithm>

#include "bot/coach/nudge_policy.hpp"
#include "bot/core/minute_of_day.hpp"
#include "bot/schedule/local_time.hpp"

namespace bounceback::coach {

NudgeActions::NudgeActions(core::Person& person, GoalBook& book, dialog::DialogContext& context, core::TimePoint now,
                           const NudgeRules& rules, dialog::ActionHandler* next)
    : person_(person), book_(book), context_(context), now_(now), rules_(rules), next_(next) {}

std::optional<std::string> NudgeActions::value(const core::Person& person, std::string_view key, core::TimePoint now,
                                               const NudgeRules& rules) {
  const core::NudgeSettings& n = person.nudges;
  if (key == "nudge_times" || key == "has_nudges") {
    std::string times = n.times_text(", ");
    if (key == "has_nudges") return times.empty() ? "" : "1";
    return times.empty() ? "none yet" : times;
  }
  if (key == "quiet_hours") return n.has_quiet_hours() ? n.quiet_hours_text() : "none";
  if (key == "has_quiet_hours") return n.has_quiet_hours() ? "1" : "";
  if (key == "nudges_paused") return n.paused ? "1" : "";
  if (key == "nudges_paused_note") return n.paused ? " They are paused: /resume turns them on." : "";
  if (key == "snoozed") return n.snoozed_until > now ? "1" : "";
  if (key == "snoozed_until")
    return n.snoozed_until > now ? schedule::describe_local(zone_of(person, rules), n.snoozed_until, now) : "";
  if (key == "evening") return schedule::local_minute(zone_of(person, rules), now) >= 19 * 60 ? "1" : "";
  // Before noon, the check-in asks for a plan for the day, not whether it went well.
  if (key == "morning") return schedule::local_minute(zone_of(person, rules), now) < 12 * 60 ? "1" : "";
  return std::nullopt;
}

void NudgeActions::describe(const core::Person& person, dialog::DialogContext& context, core::TimePoint now,
                            const NudgeRules& rules) {
  context.add_source("nudges", [&person, now, &rules](std::string_view key) { return value(person, key, now, rules); });
}

void NudgeActions::handle(const dialog::DialogAction& action, dialog::DialogOutput& out) {
  const auto arg = [&](const char* name) {
    auto it = action.args.find(name);
    return it == action.args.end() ? std::string() : it->second;
  };
  core::NudgeSettings& n = person_.nudges;
  const std::string& name = action.name;
  if (name == "add_nudge_time") {
    auto minute = core::parse_minute(arg("time"));
    bool room = minute && (std::count(n.times.begin(), n.times.end(), *minute) > 0 ||
                           static_cast<int>(n.times.size()) < rules_.max_times);
    context_["nudge_ok"] = room ? "1" : "";
    context_["max_nudges"] = std::to_string(rules_.max_times);
    if (room && std::find(n.times.begin(), n.times.end(), *minute) == n.times.end()) {
      n.times.push_back(static_cast<std::uint16_t>(*minute));
      std::sort(n.times.begin(), n.times.end());
    }
    if (room) n.paused = false;  // asking for a nudge means wanting one
  } else if (name == "remove_nudge_time") {
    std::string time = arg("time");
    auto before = n.times.size();
    if (time == "all") n.times.clear();
    else if (auto minute = core::parse_minute(time)) std::erase(n.times, static_cast<std::uint16_t>(*minute));
    context_["nudge_ok"] = n.times.size() != before ? "1" : "";
  } else if (name == "set_quiet_hours" || (name == "set_preference" && arg("key") == "quiet_hours")) {
    std::string hours = name == "set_quiet_hours" ? arg("hours") : arg("value");
    std::erase(hours, ' ');
    auto dash = hours.find('-');
    int from = -1, to = -1;
    if (dash != std::string::npos) {
      from = core::parse_minute(hours.substr(0, dash)).value_or(-1);
      to = core::parse_minute(hours.substr(dash + 1)).value_or(-1);
    }
    bool valid = hours == "off" || (from >= 0 && to >= 0 && from != to);
    context_["quiet_ok"] = valid ? "1" : "";
    if (valid) {
      n.quiet_from = from;
      n.quiet_to = to;
    }
  } else if (name == "snooze" || name == "remind") {
    auto until = snooze_end(person_, arg("for"), now_, rules_);
    context_["snooze_ok"] = until ? "1" : "";
    if (until) {
      n.snoozed_until = *until;
      if (name == "remind") n.remind_at = *until;  // a snooze button: the nudge comes back then
    }
  } else if (name == "set_weekly") {
    n.weekly = arg("on") == "1";
  } else if (name == "pause_nudges") {
    n.paused = true;
    book_.start_rest(now_);
  } else if (name == "resume_nudges") {
    n.paused = false;
    n.snoozed_until = {};
    book_.end_rest(now_);
  } else if (next_) {
    next_->handle(action, out);
  }
}

}  // namespace bounceback::coach
