#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/time_point.hpp"

namespace date {
class time_zone;
}

namespace bounceback::schedule {

// Wall-clock rules in a person's own time zone (IANA, system tzdata via date/tz).
// Minutes are minutes after local midnight (0..1439).

// The zone for a name; UTC when the name is empty or unknown.
const date::time_zone* zone_or_utc(std::string_view name);

// The first instant after `after` at which a daily local time `minute` fires.
// A time that does not exist (spring forward) fires at the first valid instant after
// it; a time that exists twice (fall back) fires once, at the first.
core::TimePoint next_daily(const date::time_zone* zone, int minute, core::TimePoint after);

// The first instant after `after` at local `minute` on `weekday` (0 Sunday .. 6 Saturday).
core::TimePoint next_weekly(const date::time_zone* zone, int weekday, int minute, core::TimePoint after);

// The minute of the local day at `t`.
int local_minute(const date::time_zone* zone, core::TimePoint t);

// When `t` lies inside quiet hours [from, to) (which may span midnight): their end.
std::optional<core::TimePoint> quiet_until(const date::time_zone* zone, int from, int to, core::TimePoint t);

// The next local midnight after `t` (the end of that local day).
core::TimePoint end_of_local_day(const date::time_zone* zone, core::TimePoint t);

// The local time of `t` as "HH:MM", with "tomorrow " or a weekday when it is not today.
std::string describe_local(const date::time_zone* zone, core::TimePoint t, core::TimePoint now);

}  // namespace bounceback::schedule
