#include "bot/core/iso8601.hpp"

#include <date/date.h>

#include <sstream>

namespace bounceback::core {

std::string format_iso8601(TimePoint t) {
  if (t.time_since_epoch() % std::chrono::seconds{1} == std::chrono::milliseconds{0})
    return date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::seconds>(t));
  return date::format("%FT%TZ", t);
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez"}) {
    std::istringstream in{std::string(text)};
    TimePoint t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return t;
  }
  return std::nullopt;
}

}  // namespace bounceback::core
