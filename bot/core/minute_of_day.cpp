#include "bot/core/minute_of_day.hpp"

#include <charconv>
#include <cstdio>

namespace bounceback::core {

std::string format_minute(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 24, minute % 60);
  return buf;
}

std::optional<int> parse_minute(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return std::nullopt;
  int h = 0, m = 0;
  auto [p1, e1] = std::from_chars(text.data(), text.data() + colon, h);
  auto [p2, e2] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), m);
  if (e1 != std::errc() || e2 != std::errc() || p1 != text.data() + colon || p2 != text.data() + text.size())
    return std::nullopt;
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  return h * 60 + m;
}

}  // namespace bounceback::core
