#include "bot/core/minute_of_day.hpp"

#include <charconv>
#include <cstdio>

namespace bounceback::core {

std::string format_minute(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 24, minute % 60);
  return buf;
}

std::optional<int> parse_minute(std::string_view raw) {
  std::string text;
  for (char c : raw)
    if (c != ' ') text += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  // am / pm, with or without dots
  int meridiem = 0;  // 1: am, 2: pm
  for (const char* suffix : {"a.m.", "a.m", "am", "p.m.", "p.m", "pm"}) {
    std::string_view sv(suffix);
    if (text.size() > sv.size() && text.compare(text.size() - sv.size(), sv.size(), sv) == 0) {
      meridiem = suffix[0] == 'a' ? 1 : 2;
      text.resize(text.size() - sv.size());
      break;
    }
  }
  if (!meridiem && !text.empty() && text.back() == 'h') text.pop_back();  // "21h"
  auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  std::string_view hours = text, minutes;
  if (auto sep = text.find_first_of(":.h"); sep != std::string::npos) {
    hours = std::string_view(text).substr(0, sep);
    minutes = std::string_view(text).substr(sep + 1);
    if (minutes.size() != 2 || !digits(minutes)) return std::nullopt;
  }
  if (hours.empty() || hours.size() > 2 || !digits(hours)) return std::nullopt;
  int h = 0, m = 0;
  std::from_chars(hours.data(), hours.data() + hours.size(), h);
  if (!minutes.empty()) std::from_chars(minutes.data(), minutes.data() + minutes.size(), m);
  if (m > 59) return std::nullopt;
  if (meridiem) {
    if (h < 1 || h > 12) return std::nullopt;
    h = h % 12 + (meridiem == 2 ? 12 : 0);
  } else if (h > 23) {
    return std::nullopt;
  }
  return h * 60 + m;
}

}  // namespace bounceback::core
