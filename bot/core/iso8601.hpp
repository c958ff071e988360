#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/time_point.hpp"

namespace bounceback::core {

// "2026-03-08T06:00:00Z" (milliseconds shown only when not zero).
std::string format_iso8601(TimePoint t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; nullopt when it is not that.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace bounceback::core
