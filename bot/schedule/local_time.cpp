#include "bot/schedule/local_time.hpp"

#include <date/tz.h>


namespace bounceback::schedule {

using namespace std::chrono;

namespace {

// The instant a local time stands for, by the rules of next_daily().
core::TimePoint resolve(const date::time_zone* zone, date::local_time<minutes> local) {
  date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent)  // skipped by a spring-forward: when the gap ends
    return time_point_cast<milliseconds>(info.second.begin);
  // unique, or ambiguous (fall back): the first of the two
  return core::TimePoint{duration_cast<milliseconds>(local.time_since_epoch() - info.first.offset)};
}

}  // namespace

const date::time_zone* zone_or_utc(std::string_view name) {
  try {
    if (!name.empty()) return date::locate_zone(name);
  } catch (const std::exception&) {
  }
  return date::locate_zone("UTC");
}

core::TimePoint next_daily(const date::time_zone* zone, int minute, core::TimePoint after) {
  auto today = floor<date::days>(zone->to_local(after));
  // Yesterday's occurrence can still lie ahead when a zone's offset just changed.
  for (int d = -1; d <= 2; ++d) {
    core::TimePoint t = resolve(zone, today + date::days{d} + minutes{minute});
    if (t > after) return t;
  }
  return resolve(zone, today + date::days{3} + minutes{minute});  // unreachable with real zones
}

core::TimePoint next_weekly(const date::time_zone* zone, int weekday, int minute, core::TimePoint after) {
  core::TimePoint t = after;
  for (int d = 0; d < 9; ++d) {  // at most a week and a day of daily occurrences
    t = next_daily(zone, minute, t);
    if (date::weekday(floor<date::days>(zone->to_local(t))) == date::weekday(static_cast<unsigned>(weekday))) return t;
  }
  return t;  // unreachable with real zones
}

int local_minute(const date::time_zone* zone, core::TimePoint t) {
  auto local = zone->to_local(t);
  auto since_midnight = floor<minutes>(local) - floor<date::days>(local);
  return static_cast<int>(since_midnight.count());
}

std::optional<core::TimePoint> quiet_until(const date::time_zone* zone, int from, int to, core::TimePoint t) {
  if (from < 0 || to < 0 || from == to) return std::nullopt;
  int m = local_minute(zone, t);
  bool inside = from < to ? (m >= from && m < to) : (m >= from || m < to);
  if (!inside) return std::nullopt;
  return next_daily(zone, to, t);
}

core::TimePoint end_of_local_day(const date::time_zone* zone, core::TimePoint t) { return next_daily(zone, 0, t); }

std::string describe_local(const date::time_zone* zone, core::TimePoint t, core::TimePoint now) {
  auto local = zone->to_local(t);
  auto day = floor<date::days>(local);
  auto today = floor<date::days>(zone->to_local(now));
  std::string clock = date::format("%H:%M", floor<minutes>(local));
  if (day == today) return clock;
  if (day == today + date::days{1}) return "tomorrow " + clock;
  return date::format("%A ", day) + clock;
}

}  // namespace bounceback::schedule
