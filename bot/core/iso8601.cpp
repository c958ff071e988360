#include "bot/core/iso8601.hpp"

#include <date/date.h>

#include <sstream>

namespace bounceback::core {

std::string format_iso8601(TimePoint t) {
  if (t.time_since_epoch() % std::chrono::seconds{1} == std::chrono::milliseconds{0})
    return date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::seconds>(t));
  return date::format("%FT%TZ", t);
}

namespace {

// YYYY-MM-DDTHH:MM:SS, then .fraction, then Z or +HH:MM / -HH:MM, in plain ASCII. Checked
// first: date::parse reads seconds as a floating-point number and, on some malformed
// input, converts a NaN to an integer (undefined behaviour, found by fuzz_text_parsers).
bool iso8601_shape(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > t.size()) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  auto is = [&](std::size_t at, char c) { return at < t.size() && t[at] == c; };
  if (!(digits(0, 4) && is(4, '-') && digits(5, 2) && is(7, '-') && digits(8, 2) && is(10, 'T') && digits(11, 2) &&
        is(13, ':') && digits(14, 2) && is(16, ':') && digits(17, 2)))
    return false;
  std::size_t at = 19;
  if (is(at, '.')) {
    ++at;
    std::size_t start = at;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') ++at;
    if (at == start || at - start > 9) return false;
  }
  if (is(at, 'Z')) return at + 1 == t.size();
  return (is(at, '+') || is(at, '-')) && digits(at + 1, 2) && is(at + 3, ':') && digits(at + 4, 2) && at + 6 == t.size();
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  if (!iso8601_shape(text)) return std::nullopt;
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez"}) {
    std::istringstream in{std::string(text)};
    TimePoint t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return t;
  }
  return std::nullopt;
}

}  // namespace bounceback::core
